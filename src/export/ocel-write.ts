/**
 * The OCEL 2.0 JSON and XML formats (specification §7 and §8), written so that they validate
 * against the official JSON Schema and XSD (test/fixtures/schemas/): attribute values are strings
 * read by their declared type, and the XML relates events and objects to objects with
 * `<object object-id qualifier type/>` elements, as the XSD declares.
 *
 * In the XML, every attribute name is prefixed by its type (`SanctionImposed:fine`,
 * `formalNotice:deadline`): the XSD's keyrefs `eventAttributeRef` and `objectAttributeRef` find an
 * event's (an object's) attribute among the attributes declared by every event (object) type, and
 * refuse a name that two types declare ("more than one match"), so a name must be declared once in
 * the whole log. The JSON and SQLite formats keep the plain names.
 */
import { type OcelLog, ocelValue } from './ocel.ts';
import { attrs, xmlText } from './xml.ts';

/** The log as OCEL 2.0 JSON (two-space indented, a final line break). */
export const ocelJson = (log: OcelLog): string =>
  `${JSON.stringify(
    {
      objectTypes: log.objectTypes,
      eventTypes: log.eventTypes,
      objects: log.objects.map((o) => ({
        id: o.id,
        type: o.type,
        attributes: o.attributes.map((a) => ({ name: a.name, time: a.time, value: ocelValue(a) })),
        relationships: o.relationships,
      })),
      events: log.events.map((e) => ({
        id: e.id,
        type: e.type,
        time: e.time,
        attributes: e.attributes.map((a) => ({ name: a.name, value: ocelValue(a) })),
        relationships: e.relationships,
      })),
    },
    null,
    2,
  )}\n`;

/** The log as OCEL 2.0 XML. */
export const ocelXml = (log: OcelLog): string => {
  const qualified = (type: string, name: string) => `${type}:${name}`;
  const typeOf = new Map(log.objects.map((o) => [o.id, o.type]));
  const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>', '<log>'];
  const types = (tag: string, list: OcelLog['objectTypes']) => {
    out.push(`  <${tag}s>`);
    for (const t of list) {
      out.push(`    <${tag}${attrs({ name: t.name })}>`, '      <attributes>');
      for (const a of t.attributes)
        out.push(`        <attribute${attrs({ name: qualified(t.name, a.name), type: a.type })}/>`);
      out.push('      </attributes>', `    </${tag}>`);
    }
    out.push(`  </${tag}s>`);
  };
  const related = (indent: string, relationships: OcelLog['events'][number]['relationships']) => {
    out.push(`${indent}<objects>`);
    for (const r of relationships)
      out.push(
        `${indent}  <object${attrs({ 'object-id': r.objectId, qualifier: r.qualifier, type: typeOf.get(r.objectId) ?? '' })}/>`,
      );
    out.push(`${indent}</objects>`);
  };
  types('object-type', log.objectTypes);
  types('event-type', log.eventTypes);
  out.push('  <objects>');
  for (const o of log.objects) {
    out.push(`    <object${attrs({ id: o.id, type: o.type })}>`, '      <attributes>');
    for (const a of o.attributes)
      out.push(
        `        <attribute${attrs({ name: qualified(o.type, a.name), time: a.time })}>${xmlText(ocelValue(a))}</attribute>`,
      );
    out.push('      </attributes>');
    related('      ', o.relationships);
    out.push('    </object>');
  }
  out.push('  </objects>', '  <events>');
  for (const e of log.events) {
    out.push(`    <event${attrs({ id: e.id, type: e.type, time: e.time })}>`, '      <attributes>');
    for (const a of e.attributes)
      out.push(
        `        <attribute${attrs({ name: qualified(e.type, a.name) })}>${xmlText(ocelValue(a))}</attribute>`,
      );
    out.push('      </attributes>');
    related('      ', e.relationships);
    out.push('    </event>');
  }
  out.push('  </events>', '</log>', '');
  return out.join('\n');
};
