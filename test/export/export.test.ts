/**
 * `cnil export` as an analyst runs it: a real process on a real SQLite store holding the sourced
 * Clearview history (`replay clearview`, today fixed by CNIL_TODAY), each format checked against
 * its official schema (OCEL 2.0 JSON Schema with ajv; OCEL 2.0 XSD and IEEE 1849 XES XSD with
 * xmllint) and against what the store holds, read straight from its SQLite file.
 *
 * The reviewed exports are committed under test/fixtures/exports/ (the recording time, the only
 * thing that differs between two replays, set to CNIL_TODAY's midnight); regenerate them with
 * `CNIL_UPDATE_EXPORT_FIXTURES=1 npx vitest run test/export/export.test.ts` and read the diff.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaseService } from '../../src/cases/service.ts';
import { openEventStore } from '../../src/store/open.ts';
import { type CliResult, CLI_TODAY, runCli } from '../support/cli.ts';
import { caseOpened } from '../support/builders.ts';
import { csvRecords } from '../support/csv.ts';
import { runXsdTests, validateXml, xmllintAvailable } from '../support/xmllint.ts';

const SCHEMAS = 'test/fixtures/schemas';
const FIXTURES = 'test/fixtures/exports';
const FORMATS = ['ocel-json', 'ocel-xml', 'ocel-sqlite', 'xes', 'csv'] as const;
const FILE: Record<(typeof FORMATS)[number], string> = {
  'ocel-json': 'clearview.ocel.json',
  'ocel-xml': 'clearview.ocel.xml',
  'ocel-sqlite': 'clearview.ocel.sqlite',
  xes: 'clearview.xes',
  csv: 'clearview.csv',
};
/** The recording time the fixtures hold in place of the replay's. */
const FIXED_RECORDED_AT = `${CLI_TODAY}T00:00:00.000Z`;

let dir: string;
let store: string;
let summaries: Record<string, unknown>[] = [];
const cli = (...args: string[]): Promise<CliResult> => runCli(['--store', `sqlite:${store}`, ...args]);
const out = (format: (typeof FORMATS)[number]) => join(dir, FILE[format]);

interface StoredEvent {
  readonly id: string;
  readonly type: string;
  readonly revision: number;
  readonly on: string;
  readonly actor: string;
  readonly recordedAt: string;
}

/** What the store holds, read from its file without the code under test. */
const stored = (): StoredEvent[] => {
  const db = new Database(store, { readonly: true });
  try {
    return db
      .prepare<[], { event_id: string; type: string; revision: number; data: string; metadata: string }>(
        "SELECT event_id, type, revision, data, metadata FROM events WHERE stream_id = 'case-clearview-ai' ORDER BY revision",
      )
      .all()
      .map((r) => {
        const metadata = JSON.parse(r.metadata) as { actor: string; recordedAt: string };
        return {
          id: r.event_id,
          type: r.type,
          revision: r.revision,
          on: (JSON.parse(r.data) as { on: string }).on,
          actor: metadata.actor,
          recordedAt: metadata.recordedAt,
        };
      });
  } finally {
    db.close();
  }
};

interface OcelJson {
  objectTypes: { name: string; attributes: { name: string; type: string }[] }[];
  eventTypes: { name: string; attributes: { name: string; type: string }[] }[];
  objects: {
    id: string;
    type: string;
    attributes: { name: string; value: string; time: string }[];
    relationships: { objectId: string; qualifier: string }[];
  }[];
  events: {
    id: string;
    type: string;
    time: string;
    attributes: { name: string; value: string }[];
    relationships: { objectId: string; qualifier: string }[];
  }[];
}
const ocelJson = (): OcelJson => JSON.parse(readFileSync(out('ocel-json'), 'utf8')) as OcelJson;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cnil-export-'));
  store = join(dir, 'cnil.db');
  const replay = await cli('replay', 'clearview');
  expect(replay.code).toBe(0);
  const runs = await Promise.all(FORMATS.map((f) => cli('--json', 'export', '--format', f, '--out', out(f))));
  for (const run of runs) expect(run, run.stderr).toMatchObject({ code: 0 });
  summaries = runs.map((run) => JSON.parse(run.stdout) as Record<string, unknown>);
}, 240_000); // six processes; CI has 2 cores
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('export of the Clearview case (after replay clearview)', () => {
  it('says what it wrote', () => {
    expect(summaries.find((s) => s.format === 'csv')).toEqual({
      format: 'csv',
      out: out('csv'),
      caseIds: ['clearview-ai'],
      events: stored().length,
      objects: null,
      asOf: null,
      personalData: 'withheld',
    });
    expect(summaries.find((s) => s.format === 'ocel-json')).toMatchObject({
      events: stored().length,
      objects: ocelJson().objects.length,
    });
  });

  describe('against the official schemas', () => {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(join(SCHEMAS, 'ocel20-schema-json.json'), 'utf8')));

    it('the OCEL 2.0 JSON validates against the official JSON Schema', () => {
      const valid = validate(ocelJson());
      expect(validate.errors ?? []).toEqual([]);
      expect(valid).toBe(true);
    });

    it('the JSON Schema check can fail: a typed value, or a date without its zone, is refused', () => {
      const numeric = ocelJson();
      (numeric.events[0]?.attributes[0] as { value: unknown }).value = 1;
      expect(validate(numeric)).toBe(false);
      const zoneless = ocelJson();
      (zoneless.events[0] as { time: string }).time = '2020-05-01';
      expect(validate(zoneless)).toBe(false);
    });

    describe.runIf(runXsdTests())('with xmllint', () => {
      it('xmllint is installed', () => {
        // Only reached when it is, or when CNIL_REQUIRE_XMLLINT=1 demands it.
        expect(
          xmllintAvailable,
          'CNIL_REQUIRE_XMLLINT=1 but xmllint is missing: apt-get install libxml2-utils',
        ).toBe(true);
      });

      it('the OCEL 2.0 XML validates against the official XSD', () => {
        const result = validateXml(join(SCHEMAS, 'ocel20-schema-xml.xsd'), out('ocel-xml'));
        expect(result.output).toContain('validates');
        expect(result.valid).toBe(true);
      });

      it('the XES validates against the IEEE 1849-2016 XSD', () => {
        const result = validateXml(join(SCHEMAS, 'xes-ieee-1849-2016.xsd'), out('xes'));
        expect(result.output).toContain('validates');
        expect(result.valid).toBe(true);
      });

      it('the XSD checks can fail: an undeclared element, a date without its zone', () => {
        const broken = join(dir, 'broken.xml');
        writeFileSync(
          broken,
          readFileSync(out('ocel-xml'), 'utf8').replace(/<object object-id=/, '<relationship object-id='),
        );
        expect(validateXml(join(SCHEMAS, 'ocel20-schema-xml.xsd'), broken).valid).toBe(false);
        writeFileSync(broken, readFileSync(out('xes'), 'utf8').replace(/T00:00:00Z"/, '"'));
        expect(validateXml(join(SCHEMAS, 'xes-ieee-1849-2016.xsd'), broken).valid).toBe(false);
      });
    });

    it('the official schema files are the published ones (SHA-256)', () => {
      const sha = (file: string) =>
        createHash('sha256')
          .update(readFileSync(join(SCHEMAS, file)))
          .digest('hex');
      expect(sha('ocel20-schema-json.json')).toBe(
        'bd3dfc26a35c5a6d49e3e4adc049aa41c1efe31576dfd564e3e399d7b04f3dc6',
      );
      expect(sha('ocel20-schema-xml.xsd')).toBe(
        '7ed3339957504a8fb9c3992d054719d4dbdf96f01443e56dda74bf9fa8c3a8b2',
      );
      expect(sha('xes-ieee-1849-2016.xsd')).toBe(
        'b4a5762b9b5e4ac7bf4b32f3e04ef46970ee777863421b5f9596fa78f3185666',
      );
    });
  });

  describe('round trip: each export holds what the store holds', () => {
    it('OCEL JSON: every fact once, with its id, type, legal date and recording time, concerning its case', () => {
      const log = ocelJson();
      const facts = stored();
      expect(log.events).toHaveLength(facts.length);
      for (const fact of facts) {
        const event = log.events.find((e) => e.id === fact.id);
        expect(event, fact.id).toBeDefined();
        expect(event?.type).toBe(fact.type);
        expect(event?.time).toBe(`${fact.on}T00:00:00Z`);
        const attribute = (name: string) => event?.attributes.find((a) => a.name === name)?.value;
        expect(attribute('recordedAt')).toBe(fact.recordedAt);
        expect(attribute('actor')).toBe(fact.actor);
        expect(attribute('revision')).toBe(String(fact.revision));
        expect(event?.relationships).toContainEqual({ objectId: 'case:clearview-ai', qualifier: 'concerns' });
      }
    });

    it('OCEL JSON: every relationship points at an object of the log, every object type is declared', () => {
      const log = ocelJson();
      const ids = new Set(log.objects.map((o) => o.id));
      expect(ids.size).toBe(log.objects.length);
      const declared = new Set(log.objectTypes.map((t) => t.name));
      for (const o of log.objects) {
        expect(declared.has(o.type), o.type).toBe(true);
        for (const r of o.relationships) expect(ids.has(r.objectId), `${o.id} → ${r.objectId}`).toBe(true);
      }
      for (const e of log.events)
        for (const r of e.relationships) expect(ids.has(r.objectId), r.objectId).toBe(true);
      expect([...declared].sort()).toEqual(
        expect.arrayContaining([
          'appeal',
          'case',
          'complaint',
          'controller',
          'decision',
          'formalNotice',
          'injunction',
          'penaltyLiquidation',
        ]),
      );
    });

    it('OCEL JSON: the decisions of the case are its deliberations, each related to the case', () => {
      const decisions = ocelJson().objects.filter((o) => o.type === 'decision');
      expect(decisions.map((d) => d.id).sort()).toEqual([
        'decision:clearview-ai:MEDP-2021-002',
        'decision:clearview-ai:SAN-2022-019',
        'decision:clearview-ai:SAN-2023-005',
      ]);
      for (const d of decisions)
        expect(d.relationships).toContainEqual({ objectId: 'case:clearview-ai', qualifier: 'taken in' });
    });

    it('OCEL SQLite: the same events, objects, qualified E2O and O2O relationships as the JSON', () => {
      const log = ocelJson();
      const db = new Database(out('ocel-sqlite'), { readonly: true });
      try {
        const rows = <T>(sql: string) => db.prepare<[], T>(sql).all();
        expect(
          rows<{ ocel_id: string; ocel_type: string }>(
            'SELECT ocel_id, ocel_type FROM event ORDER BY ocel_id',
          ),
        ).toEqual(
          log.events
            .map((e) => ({ ocel_id: e.id, ocel_type: e.type }))
            .sort((a, b) => a.ocel_id.localeCompare(b.ocel_id)),
        );
        expect(rows<{ n: number }>('SELECT count(*) AS n FROM object')[0]?.n).toBe(log.objects.length);
        const e2o = rows<{ e: string; o: string; q: string }>(
          'SELECT ocel_event_id AS e, ocel_object_id AS o, ocel_qualifier AS q FROM event_object ORDER BY 1, 2, 3',
        );
        const expected = log.events
          .flatMap((e) => e.relationships.map((r) => ({ e: e.id, o: r.objectId, q: r.qualifier })))
          .sort((a, b) => a.e.localeCompare(b.e) || a.o.localeCompare(b.o) || a.q.localeCompare(b.q));
        expect(e2o).toEqual(expected);
        const o2o = rows<{ s: string; t: string; q: string }>(
          'SELECT ocel_source_id AS s, ocel_target_id AS t, ocel_qualifier AS q FROM object_object',
        );
        expect(o2o).toHaveLength(log.objects.reduce((n, o) => n + o.relationships.length, 0));
        // The formal notice's deadline, and a time per event type table.
        expect(
          rows<{ deadline: string }>('SELECT deadline FROM "object_formalNotice" WHERE deadline IS NOT NULL'),
        ).toEqual([{ deadline: '2022-01-26T00:00:00Z' }]);
        expect(
          rows<{ ocel_time: string; fine: number }>('SELECT ocel_time, fine FROM "event_SanctionImposed"'),
        ).toEqual([{ ocel_time: '2022-10-17T00:00:00Z', fine: 20_000_000 }]);
      } finally {
        db.close();
      }
    });

    it('XES: one trace, the case, with every fact in order, its legal date, lifecycle and resource', () => {
      const text = readFileSync(out('xes'), 'utf8');
      const traces = text.match(/<trace>/g) ?? [];
      expect(traces).toHaveLength(1);
      expect(text).toMatch(/<trace>\s*<string key="concept:name" value="clearview-ai"\/>/);
      const events = [...text.matchAll(/<event>([\s\S]*?)<\/event>/g)].map((m) => m[1] ?? '');
      const value = (event: string, key: string) =>
        new RegExp(`key="${key}" value="([^"]*)"`).exec(event)?.[1];
      const facts = stored();
      expect(events.map((e) => value(e, 'identity:id'))).toEqual(facts.map((f) => f.id));
      expect(events.map((e) => value(e, 'concept:name'))).toEqual(facts.map((f) => f.type));
      expect(events.map((e) => value(e, 'time:timestamp'))).toEqual(facts.map((f) => `${f.on}T00:00:00Z`));
      expect(events.map((e) => value(e, 'org:resource'))).toEqual(facts.map((f) => f.actor));
      expect(events.every((e) => value(e, 'lifecycle:transition') === 'complete')).toBe(true);
      for (const prefix of ['concept', 'time', 'lifecycle', 'org', 'identity'])
        expect(text).toMatch(
          new RegExp(
            `<extension name="[A-Za-z]+" prefix="${prefix}" uri="http://www.xes-standard.org/${prefix}.xesext"/>`,
          ),
        );
    });

    it('CSV: one record per fact with the case, activity, date, resource, reference and stage after', () => {
      const records = csvRecords(readFileSync(out('csv'), 'utf8'));
      const facts = stored();
      expect(records.map((r) => [r.event_id, r.activity, r.timestamp, r.resource])).toEqual(
        facts.map((f) => [f.id, f.type, f.on, f.actor]),
      );
      expect(records.every((r) => r.case_id === 'clearview-ai')).toBe(true);
      expect(records.find((r) => r.activity === 'SanctionImposed')).toMatchObject({
        reference: 'SAN-2022-019',
        stage_after: 'sanction',
      });
    });
  });

  it('--as-of keeps the facts that had taken effect; --out - writes to standard output', async () => {
    const { code, stdout, stderr } = await cli(
      'export',
      '--format',
      'csv',
      '--as-of',
      '2021-12-31',
      '--case',
      'clearview-ai',
      '--out',
      '-',
    );
    expect(code, stderr).toBe(0);
    const records = csvRecords(stdout);
    expect(records.every((r) => (r.timestamp ?? '') <= '2021-12-31')).toBe(true);
    expect(records.at(-1)).toMatchObject({ activity: 'DecisionPublished', timestamp: '2021-12-16' });
    expect(records).toHaveLength(stored().filter((f) => f.on <= '2021-12-31').length);
  });

  it('refuses a case the store does not hold (exit 2, naming --case) and writes nothing', async () => {
    const target = join(dir, 'none.json');
    const { code, stderr } = await cli(
      'export',
      '--format',
      'ocel-json',
      '--case',
      'acme-sas',
      '--out',
      target,
    );
    expect(code).toBe(2);
    expect(stderr).toContain('--case: no case acme-sas in this store');
    expect(existsSync(target)).toBe(false);
  });

  it('matches the reviewed fixtures', () => {
    const recordedAt = stored()[0]?.recordedAt ?? '';
    const normalise = (text: string) => text.split(recordedAt).join(FIXED_RECORDED_AT);
    const texts: Record<string, string> = {
      [FILE['ocel-json']]: normalise(readFileSync(out('ocel-json'), 'utf8')),
      [FILE['ocel-xml']]: normalise(readFileSync(out('ocel-xml'), 'utf8')),
      [FILE.xes]: normalise(readFileSync(out('xes'), 'utf8')),
      [FILE.csv]: readFileSync(out('csv'), 'utf8'),
      'clearview.ocel.sqlite.txt': normalise(dumpSqlite(out('ocel-sqlite'))),
    };
    for (const [name, text] of Object.entries(texts)) {
      if (process.env.CNIL_UPDATE_EXPORT_FIXTURES === '1') writeFileSync(join(FIXTURES, name), text);
      expect(text, `${name} differs from ${FIXTURES}/${name}`).toBe(
        readFileSync(join(FIXTURES, name), 'utf8'),
      );
    }
  });
});

/** A SQLite file as reviewable text: each table's schema, then its rows as JSON, in rowid order. */
const dumpSqlite = (path: string): string => {
  const db = new Database(path, { readonly: true });
  try {
    const tables = db
      .prepare<[], { name: string; sql: string }>(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name",
      )
      .all();
    return tables
      .map(({ name, sql }) =>
        [
          `${sql};`,
          ...db
            .prepare(`SELECT * FROM "${name.replace(/"/g, '""')}" ORDER BY rowid`)
            .all()
            .map((row) => `-- ${JSON.stringify(row)}`),
        ].join('\n'),
      )
      .join('\n\n')
      .concat('\n');
  } finally {
    db.close();
  }
};

describe('the OCEL 2.0 relational format (OCEL 2.0 relational validation scheme)', () => {
  const columns = (db: Database.Database, table: string) =>
    db
      .prepare<[string], { name: string; type: string; pk: number }>(
        'SELECT name, type, pk FROM pragma_table_info(?)',
      )
      .all(table);
  const foreignKeys = (db: Database.Database, table: string) =>
    db
      .prepare<[string], { table: string; from: string; to: string }>(
        'SELECT "table", "from", "to" FROM pragma_foreign_key_list(?)',
      )
      .all(table);

  it('has the type-independent tables, their keys and the qualifier columns', () => {
    const db = new Database(out('ocel-sqlite'), { readonly: true });
    try {
      const pk = (table: string) =>
        columns(db, table)
          .filter((c) => c.pk > 0)
          .map((c) => c.name)
          .sort();
      expect(pk('event')).toEqual(['ocel_id']);
      expect(pk('object')).toEqual(['ocel_id']);
      expect(pk('event_map_type')).toEqual(['ocel_type']);
      expect(pk('object_map_type')).toEqual(['ocel_type']);
      expect(pk('event_object')).toEqual(['ocel_event_id', 'ocel_object_id', 'ocel_qualifier']);
      expect(pk('object_object')).toEqual(['ocel_qualifier', 'ocel_source_id', 'ocel_target_id']);
      expect(columns(db, 'event_map_type').map((c) => c.name)).toContain('ocel_type_map');
      expect(foreignKeys(db, 'event')).toContainEqual({
        table: 'event_map_type',
        from: 'ocel_type',
        to: 'ocel_type',
      });
      expect(foreignKeys(db, 'object')).toContainEqual({
        table: 'object_map_type',
        from: 'ocel_type',
        to: 'ocel_type',
      });
      expect(foreignKeys(db, 'event_object')).toEqual(
        expect.arrayContaining([
          { table: 'event', from: 'ocel_event_id', to: 'ocel_id' },
          { table: 'object', from: 'ocel_object_id', to: 'ocel_id' },
        ]),
      );
      expect(foreignKeys(db, 'object_object')).toEqual(
        expect.arrayContaining([
          { table: 'object', from: 'ocel_source_id', to: 'ocel_id' },
          { table: 'object', from: 'ocel_target_id', to: 'ocel_id' },
        ]),
      );
      expect(db.pragma('foreign_key_check')).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('has one table per mapped type, and no other event_* or object_* table', () => {
    const db = new Database(out('ocel-sqlite'), { readonly: true });
    try {
      const tables = db
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all()
        .map((t) => t.name);
      for (const [kind, map] of [
        ['event', 'event_map_type'],
        ['object', 'object_map_type'],
      ] as const) {
        const mapped = db
          .prepare<[], { m: string }>(`SELECT ocel_type_map AS m FROM ${map}`)
          .all()
          .map((r) => `${kind}_${r.m}`);
        const typed = tables.filter((t) => t.startsWith(`${kind}_`) && t !== map && t !== `${kind}_object`);
        expect(typed.sort()).toEqual(mapped.sort());
        for (const table of mapped) {
          const cols = columns(db, table);
          expect(cols.find((c) => c.name === 'ocel_id')).toBeDefined();
          expect(cols.find((c) => c.name === 'ocel_time')?.type).toBe('TIMESTAMP');
          if (kind === 'object') expect(cols.map((c) => c.name)).toContain('ocel_changed_field');
          if (kind === 'event') expect(cols.filter((c) => c.pk > 0).map((c) => c.name)).toEqual(['ocel_id']);
          expect(foreignKeys(db, table)).toContainEqual({ table: kind, from: 'ocel_id', to: 'ocel_id' });
        }
      }
    } finally {
      db.close();
    }
  });
});

describe('read-only', () => {
  it('never creates a store: a missing SQLite store is unusable (exit 3) and no file appears', async () => {
    const missing = join(dir, 'typo.db');
    const target = join(dir, 'typo.json');
    const { code, stderr } = await runCli([
      '--store',
      `sqlite:${missing}`,
      'export',
      '--format',
      'ocel-json',
      '--out',
      target,
    ]);
    expect(code).toBe(3);
    expect(stderr).toContain('no such store');
    for (const file of [missing, join(dir, 'typo.keys.db'), target])
      expect(existsSync(file), file).toBe(false);
  });

  it('never creates a key store', async () => {
    const path = join(dir, 'nokeys.db');
    const written = await openEventStore(`sqlite:${path}`, { keys: 'memory:' });
    const service = createCaseService({ store: written, today: () => CLI_TODAY });
    expect((await service.record('acme-sas', { type: 'CaseOpened', data: caseOpened().data })).status).toBe(
      'recorded',
    );
    await written.close();
    const target = join(dir, 'nokeys.csv');
    const { code, stderr } = await runCli([
      '--store',
      `sqlite:${path}`,
      'export',
      '--format',
      'csv',
      '--out',
      target,
    ]);
    expect(code, stderr).toBe(0);
    expect(existsSync(join(dir, 'nokeys.keys.db'))).toBe(false);
    expect(csvRecords(readFileSync(target, 'utf8'))).toMatchObject([
      { case_id: 'acme-sas', activity: 'CaseOpened' },
    ]);
  });
});

describe('--format csv on the reports', () => {
  const readModels = () => join(dir, 'read-models.db');

  it('ledger, deadlines and register as RFC 4180 CSV with a header row', async () => {
    const ledger = await cli(
      'ledger',
      '--format',
      'csv',
      '--as-of',
      '2023-04-13',
      '--read-models',
      readModels(),
    );
    expect(ledger.code, ledger.stderr).toBe(0);
    expect(csvRecords(ledger.stdout)).toEqual([
      expect.objectContaining({
        case_id: 'clearview-ai',
        sanction_deliberation: 'SAN-2022-019',
        fine_imposed_eur: '20000000',
        penalty_liquidated_eur: '5200000',
      }),
    ]);
    const deadlines = await cli(
      'deadlines',
      '--format',
      'csv',
      '--as-of',
      '2022-11-01',
      '--read-models',
      readModels(),
    );
    expect(csvRecords(deadlines.stdout)).toContainEqual(
      expect.objectContaining({
        case_id: 'clearview-ai',
        due: '2022-12-18',
        deadline: 'injunctionCompliance',
        decision: 'SAN-2022-019',
      }),
    );
    const register = await cli(
      'register',
      '--format',
      'csv',
      '--as-of',
      '2023-06-01',
      '--read-models',
      readModels(),
    );
    expect(csvRecords(register.stdout).map((r) => r.reference)).toEqual([
      'MED-2021-134',
      'MEDP-2021-002',
      'SAN-2022-019',
      'SAN-2023-005',
    ]);
  }, 180_000);

  it('case history as CSV: one record per fact, with its source', async () => {
    const { code, stdout } = await cli('case', 'history', 'clearview-ai', '--format', 'csv');
    expect(code).toBe(0);
    const records = csvRecords(stdout);
    expect(records.map((r) => r.event_id)).toEqual(stored().map((f) => f.id));
    expect(records[0]?.source_url).toMatch(/^https:\/\//);
  });

  it('refuses --format csv with --json (exit 2, naming --format)', async () => {
    const { code, stdout } = await cli('--json', 'case', 'history', 'clearview-ai', '--format', 'csv');
    expect(code).toBe(2);
    expect(JSON.parse(stdout)).toMatchObject({ error: { code: 'invalid', field: '--format' } });
  });
});
