/**
 * The export model as a case officer would check it: what the OCEL log says happened to which
 * object and when, the personal data rule, and the CSV and XML writing rules. Pure: no I/O.
 */
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../machines/catalogue.ts';
import { isoDate } from '../../machines/dates.ts';
import type { ProcedureEvent } from '../../machines/events.ts';
import { ERASED } from '../../machines/personal-data.ts';
import type { RecordedFact } from '../../projections/fact.ts';
import { csv, eventLogCsv } from '../../src/export/csv.ts';
import { casesOf, factAttributes, flatten, UnknownCaseError } from '../../src/export/facts.ts';
import { buildOcel, type OcelLog } from '../../src/export/ocel.ts';
import { xmlAttribute, xmlText } from '../../src/export/xml.ts';
import {
  appealDecided,
  appealLodged,
  complaintReceived,
  formalNoticeDeadlineExtended,
  history,
  personalDataErased,
} from '../support/builders.ts';
import { parseCsv } from '../support/csv.ts';

const factsOf = (events: readonly ProcedureEvent[]): RecordedFact[] =>
  events.map((event, revision) => ({
    event,
    metadata: {
      actor: CATALOGUE[event.type].actor,
      recordedAt: '2026-01-05T10:00:00.000Z',
      correlationId: 'test',
      schemaVersion: 1,
    },
    eventId: `event-${revision}`,
    revision,
    position: revision + 1,
  }));

const exportOf = (events: readonly ProcedureEvent[], includePersonalData = false): OcelLog =>
  buildOcel(casesOf(new Map([['acme-sas', factsOf(events)]])), { includePersonalData });

const object = (log: OcelLog, id: string) => {
  const found = log.objects.find((o) => o.id === id);
  if (!found) throw new Error(`no object ${id}; objects: ${log.objects.map((o) => o.id).join(', ')}`);
  return found;
};

const valuesOf = (log: OcelLog, id: string, name: string) =>
  object(log, id)
    .attributes.filter((a) => a.name === name)
    .map((a) => [a.time.slice(0, 10), a.value]);

describe('the OCEL log of a case', () => {
  it('records a formal notice deadline extended as a second, time-stamped value of its deadline', () => {
    const log = exportOf([...history.upToFormalNotice(), formalNoticeDeadlineExtended()]);
    expect(valuesOf(log, 'formalNotice:acme-sas:MED-2023-101', 'deadline')).toEqual([
      ['2023-06-01', '2023-08-01T00:00:00Z'],
      ['2023-07-20', '2023-09-01T00:00:00Z'],
    ]);
    const extension = log.events.find((e) => e.type === 'FormalNoticeDeadlineExtended');
    expect(extension?.relationships).toContainEqual({
      objectId: 'formalNotice:acme-sas:MED-2023-101',
      qualifier: 'extends',
    });
  });

  it('relates a sanction to its case, its injunction to it, and a liquidation to both', () => {
    const log = exportOf(history.upToPenaltyLiquidated());
    expect(object(log, 'decision:acme-sas:SAN-2024-001').relationships).toContainEqual({
      objectId: 'case:acme-sas',
      qualifier: 'taken in',
    });
    expect(object(log, 'injunction:acme-sas:SAN-2024-001').relationships).toContainEqual({
      objectId: 'decision:acme-sas:SAN-2024-001',
      qualifier: 'ordered by',
    });
    const liquidation = object(log, 'penaltyLiquidation:acme-sas:2024-03-26..2024-05-06');
    expect(liquidation.relationships).toEqual(
      expect.arrayContaining([
        { objectId: 'injunction:acme-sas:SAN-2024-001', qualifier: 'liquidates' },
        { objectId: 'decision:acme-sas:SAN-2024-009', qualifier: 'decided by' },
      ]),
    );
    const liquidated = log.events.find((e) => e.type === 'PenaltyLiquidated');
    expect(liquidated?.relationships).toEqual(
      expect.arrayContaining([
        { objectId: 'case:acme-sas', qualifier: 'concerns' },
        { objectId: 'decision:acme-sas:SAN-2024-009', qualifier: 'issues' },
        { objectId: 'injunction:acme-sas:SAN-2024-001', qualifier: 'liquidates' },
      ]),
    );
  });

  it('records a fine reformed on appeal as a new value of the decision’s fine, and the appeal as appealing it', () => {
    const closed = history.closed();
    const sanction = closed.findIndex((e) => e.type === 'SanctionImposed') + 1;
    const log = exportOf([
      ...closed.slice(0, sanction),
      appealLodged(),
      ...closed.slice(sanction),
      appealDecided({ outcome: 'reformed', fine: 100_000 }),
    ]);
    expect(valuesOf(log, 'decision:acme-sas:SAN-2024-001', 'fine')).toEqual([
      ['2024-01-25', 150_000],
      ['2025-06-12', 100_000],
    ]);
    expect(object(log, 'appeal:acme-sas:SAN-2024-001').relationships).toContainEqual({
      objectId: 'decision:acme-sas:SAN-2024-001',
      qualifier: 'appeals',
    });
  });

  it('follows the stage of the case over time, one value per day', () => {
    const log = exportOf(history.closed());
    const stages = valuesOf(log, 'case:acme-sas', 'stage').map(([, v]) => v);
    expect(stages).toEqual([
      'complaint',
      'inspection',
      'formalNotice',
      'restrictedCommittee',
      'sanction',
      'penaltyLiquidation',
      'closed',
    ]);
  });

  it('declares every attribute with one type per event type, and every object type', () => {
    const log = exportOf(history.closed());
    expect(log.objectTypes.map((t) => t.name).sort()).toEqual(
      [
        'appeal',
        'case',
        'complaint',
        'controller',
        'decision',
        'formalNotice',
        'injunction',
        'inspection',
        'penaltyLiquidation',
      ].sort(),
    );
    for (const e of log.events) {
      const declared = log.eventTypes.find((t) => t.name === e.type);
      for (const a of e.attributes)
        expect(declared?.attributes).toContainEqual({ name: a.name, type: a.type });
    }
  });

  it('cuts the log at --as-of: only the facts that had taken effect on that date', () => {
    const [first] = casesOf(new Map([['acme-sas', factsOf(history.closed())]]), {
      asOf: isoDate('2023-06-01'),
    });
    expect(first?.facts.map((f) => f.fact.event.data.on).at(-1)).toBe('2023-06-01');
    expect(first?.facts.every((f) => f.fact.event.data.on <= '2023-06-01')).toBe(true);
  });

  it('refuses a case the store does not hold', () => {
    expect(() =>
      casesOf(new Map([['acme-sas', factsOf(history.opened())]]), { caseIds: ['nobody'] }),
    ).toThrow(UnknownCaseError);
  });
});

describe('the personal data rule', () => {
  const complaint = complaintReceived();
  const named = [...history.opened(), complaint];
  const texts = (log: OcelLog) => JSON.stringify(log);

  it('withholds the complainant’s name, contact and person id unless asked for', () => {
    const withheld = texts(exportOf(named));
    for (const value of ['Camille Martin', '12 rue des Lilas', 'person-7f3a'])
      expect(withheld).not.toContain(value);
    const included = texts(exportOf(named, true));
    for (const value of ['Camille Martin', '12 rue des Lilas', 'person-7f3a'])
      expect(included).toContain(value);
  });

  it('never exports a field read back as erased, and marks the complaint erased from the day of erasure', () => {
    const erased = complaintReceived({ complainant: { name: ERASED, contact: ERASED } });
    const log = exportOf([...history.opened(), erased, personalDataErased({ on: '2023-02-01' })], true);
    expect(texts(log)).not.toContain(ERASED);
    expect(valuesOf(log, 'complaint:acme-sas:PLT-23-004512', 'personalDataErased')).toEqual([
      ['2023-02-01', true],
    ]);
  });

  it('applies to the event attributes too', () => {
    const [c] = casesOf(new Map([['acme-sas', factsOf(named)]]));
    const received = c?.facts[1];
    if (!received) throw new Error('no complaint');
    const names = (include: boolean) =>
      factAttributes(received, { includePersonalData: include }).map((a) => a.name);
    expect(names(false)).not.toContain('complainant.name');
    expect(names(false)).toContain('complainant.kind');
    expect(names(true)).toEqual(
      expect.arrayContaining(['complainant.name', 'complainant.contact', 'complainant.personId']),
    );
  });

  it('leaves no name of an event’s data clashing with the metadata attributes', () => {
    const reserved = ['actor', 'recordedAt', 'revision', 'stageAfter'];
    for (const e of history.closed())
      for (const a of flatten(e.data))
        expect(reserved.includes(a.name) || a.name.startsWith('source.')).toBe(false);
  });
});

describe('flat attributes', () => {
  it('types dates as times, whole numbers as integers, and flattens lists and records', () => {
    expect(
      flatten({
        fine: 20_000_000,
        public: true,
        breaches: ['5(1)(a)', '6'],
        injunction: { deadline: '2022-12-18', orders: [{ order: 'Delete', breaches: ['17'] }] },
      }),
    ).toEqual([
      { name: 'fine', type: 'integer', value: 20_000_000 },
      { name: 'public', type: 'boolean', value: true },
      { name: 'breaches', type: 'string', value: '5(1)(a), 6' },
      { name: 'injunction.deadline', type: 'time', value: '2022-12-18T00:00:00Z' },
      { name: 'injunction.orders.1.order', type: 'string', value: 'Delete' },
      { name: 'injunction.orders.1.breaches', type: 'string', value: '17' },
    ]);
  });
});

describe('CSV (RFC 4180)', () => {
  it('quotes commas, quotes and line breaks, ends records with CRLF, and reads back the same', () => {
    const rows = [['a,b', 'say "hi"', 'two\nlines', 42, null, true]];
    const text = csv(['x', 'y', 'z', 'n', 'empty', 'flag'], rows);
    expect(text).toBe('x,y,z,n,empty,flag\r\n"a,b","say ""hi""","two\nlines",42,,true\r\n');
    expect(parseCsv(text)[1]).toEqual(['a,b', 'say "hi"', 'two\nlines', '42', '', 'true']);
  });

  it('defuses a text cell a spreadsheet would run as a formula', () => {
    expect(parseCsv(csv(['name'], [['=HYPERLINK("http://x")'], ['@SUM(A1)'], ['-1+2']])).slice(1)).toEqual([
      ['\'=HYPERLINK("http://x")'],
      ["'@SUM(A1)"],
      ["'-1+2"],
    ]);
  });

  it('writes the event log with its columns, one record per fact', () => {
    const cases = casesOf(new Map([['acme-sas', factsOf(history.upToFormalNotice())]]));
    const [header, ...records] = parseCsv(eventLogCsv(cases));
    expect(header).toEqual([
      'case_id',
      'activity',
      'timestamp',
      'resource',
      'reference',
      'stage_after',
      'event_id',
    ]);
    expect(records.at(-1)).toEqual([
      'acme-sas',
      'FormalNoticeIssued',
      '2023-06-01',
      'president',
      'MED-2023-101',
      'formalNotice',
      `event-${records.length - 1}`,
    ]);
  });
});

describe('XML text', () => {
  it('escapes markup and keeps line breaks in attributes as character references', () => {
    expect(xmlText('a < b & c > d')).toBe('a &lt; b &amp; c &gt; d');
    expect(xmlAttribute('say "hi"\nnow')).toBe('say &quot;hi&quot;&#10;now');
  });

  it('replaces what XML 1.0 cannot hold (control characters, lone surrogates) by U+FFFD', () => {
    expect(xmlText('a\u0001b\uD800c')).toBe('a\uFFFDb\uFFFDc');
    expect(xmlText('emoji 😀 kept')).toBe('emoji 😀 kept');
  });
});
