/**
 * The cases as an XES event log (IEEE Std 1849-2016, eXtensible Event Stream): one trace per case
 * (`concept:name` = the case id), one event per fact with `concept:name` (the event type),
 * `time:timestamp` (the legal date, ISO 8601 with its zone), `lifecycle:transition` (`complete`:
 * a fact is an act done) and `org:resource` (who acted), then the fact's data as typed
 * attributes. The extensions used are declared; the file validates against the standard's XSD.
 */
import {
  type Attribute,
  type ExportedCase,
  factAttributes,
  legalTime,
  type PersonalDataPolicy,
} from './facts.ts';
import { attrs } from './xml.ts';

/** The standard extensions this log uses (IEEE 1849-2016 §7; definitions at xes-standard.org). */
export const XES_EXTENSIONS = [
  { name: 'Concept', prefix: 'concept', uri: 'http://www.xes-standard.org/concept.xesext' },
  { name: 'Time', prefix: 'time', uri: 'http://www.xes-standard.org/time.xesext' },
  { name: 'Lifecycle', prefix: 'lifecycle', uri: 'http://www.xes-standard.org/lifecycle.xesext' },
  { name: 'Organizational', prefix: 'org', uri: 'http://www.xes-standard.org/org.xesext' },
  { name: 'Identity', prefix: 'identity', uri: 'http://www.xes-standard.org/identity.xesext' },
] as const;

const ELEMENT: Record<Attribute['type'], string> = {
  string: 'string',
  time: 'date',
  integer: 'int',
  float: 'float',
  boolean: 'boolean',
};

const attribute = (indent: string, a: Attribute): string =>
  `${indent}<${ELEMENT[a.type]}${attrs({ key: a.name, value: typeof a.value === 'string' ? a.value : String(a.value) })}/>`;

/** The log as XES XML. */
export const xes = (cases: readonly ExportedCase[], policy: PersonalDataPolicy): string => {
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<log xes.version="1.0">',
    ...XES_EXTENSIONS.map((e) => `  <extension${attrs(e)}/>`),
    '  <global scope="trace">',
    '    <string key="concept:name" value="__INVALID__"/>',
    '  </global>',
    '  <global scope="event">',
    '    <string key="concept:name" value="__INVALID__"/>',
    '    <date key="time:timestamp" value="1970-01-01T00:00:00Z"/>',
    '    <string key="lifecycle:transition" value="complete"/>',
    '    <string key="org:resource" value="__INVALID__"/>',
    '  </global>',
    '  <classifier name="Activity" keys="concept:name"/>',
    '  <classifier name="ActivityAndResource" keys="concept:name org:resource"/>',
    '  <string key="concept:name" value="CNIL enforcement procedure"/>',
  ];
  for (const { caseId, facts } of cases) {
    out.push('  <trace>', attribute('    ', { name: 'concept:name', type: 'string', value: caseId }));
    const opened = facts.find((f) => f.fact.event.type === 'CaseOpened')?.fact.event;
    if (opened?.type === 'CaseOpened')
      out.push(
        attribute('    ', { name: 'controller', type: 'string', value: opened.data.controller.name }),
        attribute('    ', { name: 'origin', type: 'string', value: opened.data.origin }),
      );
    for (const exported of facts) {
      const { fact } = exported;
      out.push(
        '    <event>',
        ...[
          { name: 'concept:name', type: 'string', value: fact.event.type } as const,
          { name: 'time:timestamp', type: 'time', value: legalTime(fact.event.data.on) } as const,
          { name: 'lifecycle:transition', type: 'string', value: 'complete' } as const,
          { name: 'org:resource', type: 'string', value: fact.metadata.actor } as const,
          // `actor` is `org:resource` here.
          ...factAttributes(exported, policy).filter((a) => a.name !== 'actor'),
        ].map((a) => attribute('      ', a)),
        `      <id${attrs({ key: 'identity:id', value: fact.eventId })}/>`,
        '    </event>',
      );
    }
    out.push('  </trace>');
  }
  out.push('</log>', '');
  return out.join('\n');
};
