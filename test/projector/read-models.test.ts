/**
 * The projection runner and the read models, on real SQLite files: the Clearview history read on
 * several dates, re-delivery, rebuild against incremental projection, versions, and mixed stores.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IsoDate } from '../../machines/dates.ts';
import { ProcedureViolationError } from '../../machines/decider.ts';
import { ANONYMISED_NAME } from '../../projections/register.ts';
import { createCaseService } from '../../src/cases/service.ts';
import { deadlinesAsOf, ledgerAsOf, registerAsOf } from '../../src/projector/queries.ts';
import {
  CASE_STREAM_PREFIX,
  MissingFoldsError,
  NotReadModelsError,
  openReadModels,
  ReadModelDivergenceError,
  type ReadModels,
  ReadModelStoreMismatchError,
} from '../../src/projector/read-models.ts';
import { catchUp, projectionStatus } from '../../src/projector/runner.ts';
import { createInMemoryEventStore } from '../../src/store/memory.ts';
import type { EventStore, RecordedEvent } from '../../src/store/port.ts';
import { createSqliteEventStore } from '../../src/store/sqlite.ts';
import { recordClearview, recordSyntheticCases, TODAY } from './fixtures.ts';

let dir: string;
const file = (name: string) => join(dir, name);
const opened: { close: () => unknown }[] = [];
const sqliteStore = (name: string): EventStore => {
  const store = createSqliteEventStore(file(name));
  opened.push(store);
  return store;
};
const readModelsAt = (name: string, store = 'sqlite:test', rebuild = false): ReadModels => {
  const readModels = openReadModels(file(name), { store, rebuild });
  opened.push(readModels);
  return readModels;
};
const d = (date: string) => date as IsoDate;
const allEvents = async (store: EventStore): Promise<RecordedEvent[]> => {
  const events: RecordedEvent[] = [];
  for await (const e of store.readAll({ streamPrefix: CASE_STREAM_PREFIX })) events.push(e);
  return events;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnil-projector-'));
});
afterAll(async () => {
  for (const o of opened.reverse()) await o.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('given the Clearview history in a SQLite store, projected into a read-model file', () => {
  let readModels: ReadModels;

  beforeAll(async () => {
    const store = sqliteStore('clearview.db');
    await recordClearview(createCaseService({ store, today: () => TODAY }));
    readModels = readModelsAt('clearview-read-models.db');
    const result = await catchUp(store, readModels);
    expect(result).toMatchObject({ delivered: 28, stored: 28, checkpoint: 28 });
  });

  describe('the fines and penalty ledger', () => {
    it('on 13 April 2023: 20 M€ fine (2022), 115 days of delay accrued = 11.5 M€, 5.2 M€ liquidated (2023)', () => {
      const ledger = ledgerAsOf(readModels, d('2023-04-13'));
      expect(ledger.cases).toEqual([
        {
          caseId: 'clearview-ai',
          controller: 'Clearview AI Inc.',
          sanction: { deliberation: 'SAN-2022-019', on: '2022-10-17' },
          fines: { imposed: 20_000_000 },
          penalty: {
            ratePerDay: 100_000,
            daysOfDelay: 115,
            accrued: 11_500_000,
            liquidated: 5_200_000,
            // 63 days of delay no liquidation covers (D art. 44: accrued, not owed).
            accruedNotLiquidated: 6_300_000,
            outstanding: 6_300_000,
          },
          due: {
            finesImposed: 20_000_000,
            penaltiesLiquidated: 5_200_000,
            reducedByCourt: 0,
            total: 25_200_000,
          },
          liquidations: [
            {
              deliberation: 'SAN-2023-005',
              on: '2023-04-13',
              amount: 5_200_000,
              periodFrom: '2022-12-19',
              periodTo: '2023-02-09',
            },
          ],
        },
      ]);
      expect(ledger.byYear).toEqual([
        { year: 2022, finesImposed: 20_000_000, penaltiesLiquidated: 0 },
        { year: 2023, finesImposed: 0, penaltiesLiquidated: 5_200_000 },
      ]);
      expect(ledger.totals).toEqual({
        finesImposed: 20_000_000,
        penaltiesAccrued: 11_500_000,
        penaltiesLiquidated: 5_200_000,
        penaltiesOutstanding: 6_300_000,
        penaltiesAccruedNotLiquidated: 6_300_000,
        reducedByCourt: 0,
        due: 25_200_000,
      });
    });

    it('on 18 December 2022, the last day to comply, the fine is imposed and no penalty has accrued', () => {
      const [entry] = ledgerAsOf(readModels, d('2022-12-18')).cases;
      expect(entry?.fines.imposed).toBe(20_000_000);
      expect(entry?.penalty).toMatchObject({ daysOfDelay: 0, accrued: 0, liquidated: 0 });
    });

    it('before the sanction (16 October 2022) the ledger is empty', () => {
      expect(ledgerAsOf(readModels, d('2022-10-16'))).toMatchObject({
        cases: [],
        byYear: [],
        totals: { finesImposed: 0, penaltiesAccrued: 0 },
      });
    });
  });

  describe('the open deadlines', () => {
    it('on 26 January 2022 the formal notice deadline is due that day, and each decision published names its anonymisation', () => {
      expect(deadlinesAsOf(readModels, d('2022-01-26')).deadlines).toEqual([
        {
          caseId: 'clearview-ai',
          stage: 'formalNotice',
          kind: 'formalNoticeCompliance',
          due: '2022-01-26',
          reference: 'MED-2021-134',
          status: 'due',
        },
        {
          caseId: 'clearview-ai',
          stage: 'formalNotice',
          kind: 'anonymisation',
          due: '2023-12-16',
          reference: 'MED-2021-134',
          status: 'due',
        },
        {
          caseId: 'clearview-ai',
          stage: 'formalNotice',
          kind: 'anonymisation',
          due: '2023-12-16',
          reference: 'MEDP-2021-002',
          status: 'due',
        },
      ]);
    });

    it('on 1 December 2022 the injunction is due on 18 December 2022', () => {
      expect(deadlinesAsOf(readModels, d('2022-12-01')).deadlines).toContainEqual({
        caseId: 'clearview-ai',
        stage: 'sanction',
        kind: 'injunctionCompliance',
        due: '2022-12-18',
        reference: 'SAN-2022-019',
        status: 'due',
      });
    });

    it('on 17 December 2023 no deadline is open: MED-2021-134 and MEDP-2021-002 were anonymised the day before', () => {
      expect(deadlinesAsOf(readModels, d('2023-12-17')).deadlines).toEqual([]);
    });
  });

  describe('the public register', () => {
    it('on 15 December 2023 names Clearview AI in its four published decisions', () => {
      const { decisions } = registerAsOf(readModels, d('2023-12-15'));
      expect(decisions.map((e) => [e.publishedOn, e.reference, e.kind, e.company, e.anonymised])).toEqual([
        ['2021-12-16', 'MED-2021-134', 'formalNotice', 'Clearview AI Inc.', false],
        ['2021-12-16', 'MEDP-2021-002', 'publicationDeliberation', 'Clearview AI Inc.', false],
        ['2022-10-20', 'SAN-2022-019', 'sanction', 'Clearview AI Inc.', false],
        ['2023-05-10', 'SAN-2023-005', 'liquidation', 'Clearview AI Inc.', false],
      ]);
    });

    it('from 16 December 2023, two years after its publication, MED-2021-134 no longer names the company', () => {
      const { decisions } = registerAsOf(readModels, d('2023-12-16'));
      expect(decisions[0]).toEqual({
        reference: 'MED-2021-134',
        kind: 'formalNotice',
        caseId: 'clearview-ai',
        company: ANONYMISED_NAME,
        decidedOn: '2021-11-26',
        publishedOn: '2021-12-16',
        anonymiseAfter: '2023-12-16',
        periodNotStated: null,
        anonymisedOn: '2023-12-16',
        anonymised: true,
      });
      expect(decisions[1]).toMatchObject({ reference: 'MEDP-2021-002', company: ANONYMISED_NAME });
      // The period of the sanction and the liquidation was not verified: their name stays.
      expect(
        decisions.slice(2).map((e) => [e.reference, e.anonymiseAfter, e.periodNotStated, e.company]),
      ).toEqual([
        ['SAN-2022-019', null, 'not-verified', 'Clearview AI Inc.'],
        ['SAN-2023-005', null, 'not-verified', 'Clearview AI Inc.'],
      ]);
    });

    it('before 16 December 2021 nothing is published', () => {
      expect(registerAsOf(readModels, d('2021-12-15')).decisions).toEqual([]);
    });
  });

  it('keeps the current state, timeline and deadlines of the case', () => {
    const dump = readModels.dump();
    expect(dump.cases).toEqual([
      {
        case_id: 'clearview-ai',
        controller: 'Clearview AI Inc.',
        stage: 'penaltyLiquidation',
        state: 'penaltyLiquidation.accruing',
        revision: 27,
        opened_on: '2020-05-01',
        last_type: 'PublicationAnonymised',
        last_on: '2023-12-16',
        closed_on: null,
        closed_outcome: null,
      },
    ]);
    expect(dump.timeline).toHaveLength(28);
    expect(dump.facts).toBeUndefined(); // no copy of the facts: the as-of queries read periods
    // Open as of its last act (16 Dec 2023, the anonymisations): none.
    expect(dump.deadlines).toEqual([]);
  });
});

describe('given a store of synthetic cases', () => {
  let store: EventStore;
  let events: RecordedEvent[];

  beforeAll(async () => {
    store = sqliteStore('synthetic.db');
    const service = createCaseService({ store, today: () => TODAY });
    await recordSyntheticCases(service, 24);
    await recordClearview(service);
    events = await allEvents(store);
  });

  it('re-delivering events already projected changes nothing', async () => {
    const readModels = readModelsAt('redelivery.db');
    await catchUp(store, readModels);
    const before = readModels.dump();
    const checkpoint = readModels.checkpoint();

    const result = readModels.apply(events.slice(10, 200), events[199]?.position ?? 0);

    expect(result).toEqual({ stored: 0, redelivered: 190, checkpoint });
    expect(readModels.dump()).toEqual(before);
  });

  it('refuses an event that claims a revision already holding another event, writing nothing', async () => {
    const readModels = readModelsAt('divergence.db');
    await catchUp(store, readModels);
    const before = readModels.dump();
    const first = events[0] as RecordedEvent;
    const impostor = { ...first, id: '00000000-0000-4000-8000-000000000000' };

    expect(() => readModels.apply([impostor], first.position)).toThrow(ReadModelDivergenceError);
    expect(readModels.dump()).toEqual(before);
  });

  it('refuses a stored fact the statechart refuses (a sanction on a case just opened), writing nothing', async () => {
    const readModels = readModelsAt('refused.db');
    await catchUp(store, readModels);
    const before = readModels.dump();
    const clearview = events.filter((e) => e.streamId === `${CASE_STREAM_PREFIX}clearview-ai`);
    const sanction = clearview.find((e) => e.type === 'SanctionImposed');
    const [opened] = clearview;
    if (!opened || !sanction) throw new Error('fixture: the Clearview history');
    // Given a case whose second stored fact is a sanction, with no procedure before it
    const stream = `${CASE_STREAM_PREFIX}refused`;
    const forged = [opened, sanction].map((e, revision) => ({ ...e, streamId: stream, revision }));

    // When it is projected, then the statechart's refusal stops the batch and nothing is written
    let refusal: unknown;
    try {
      readModels.apply(forged, readModels.checkpoint());
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ProcedureViolationError);
    expect((refusal as ProcedureViolationError).refusal.kind).toBe('TransitionNotAllowed');
    expect(readModels.dump()).toEqual(before);
  });

  it('a rebuild from zero gives the same read models as projecting batch by batch as events arrived', async () => {
    const incremental = readModelsAt('incremental.db');
    for (let i = 0; i < events.length; i += 7) {
      const batch = events.slice(i, i + 7);
      incremental.apply(batch, batch.at(-1)?.position ?? 0);
    }
    const rebuilt = readModelsAt('rebuilt.db');
    await catchUp(store, rebuilt, { batchSize: 1000 });

    expect(rebuilt.dump()).toEqual(incremental.dump());
    expect(rebuilt.checkpoint()).toBe(incremental.checkpoint());
  });

  it('a batch stopped halfway leaves nothing behind: the next batch writes its own rows only', async () => {
    const readModels = readModelsAt('stopped-halfway.db');
    const byCase = new Map<string, RecordedEvent[]>();
    for (const e of events) byCase.set(e.streamId, [...(byCase.get(e.streamId) ?? []), e]);
    const [first, second] = [...byCase.values()].filter((facts) => facts.length >= 5);
    if (!first || !second) throw new Error('fixture: two cases of 5 facts or more');
    // Given a batch whose fourth fact skips a revision, once three timeline rows were folded
    const gap = [...first.slice(0, 3), first[4] as RecordedEvent];
    expect(() => readModels.apply(gap, 0)).toThrow(/has no fact at revision 3/);
    // When another case is projected, then the first
    readModels.apply(second, 0);
    expect(readModels.counts()).toEqual({ cases: 1, facts: second.length });
    readModels.apply(first, 0);
    // Then the read models are those of both cases projected alone
    const alone = readModelsAt('stopped-halfway-alone.db');
    alone.apply([...second, ...first], 0);
    expect(readModels.dump()).toEqual(alone.dump());
  });

  it('a case projected without a snapshot of its fold is refused until its fold is restored from the store', async () => {
    const caseEvents = events.filter((e) => e.streamId === 'case-clearview-ai');
    const parts = readModelsAt('no-snapshots.db');
    parts.close();
    const written = openReadModels(file('no-snapshots.db'), { store: 'sqlite:test', snapshots: false });
    written.apply(caseEvents.slice(0, 10), 0);
    written.close();
    const readModels = readModelsAt('no-snapshots.db');
    const before = readModels.dump();

    let refusal: unknown;
    try {
      readModels.apply(caseEvents.slice(10), 0);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(MissingFoldsError);
    expect((refusal as MissingFoldsError).cases).toEqual(new Map([['clearview-ai', 9]]));
    expect(readModels.dump()).toEqual(before);

    readModels.restoreFold('clearview-ai', await store.readStream('case-clearview-ai', { maxCount: 10 }));
    readModels.apply(caseEvents.slice(10), 0);
    const alone = readModelsAt('no-snapshots-alone.db');
    alone.apply(caseEvents, 0);
    expect(readModels.dump()).toEqual(alone.dump());
  });

  it('two runners taking turns on one file give the read models of one runner', async () => {
    const first = readModelsAt('shared.db');
    const second = readModelsAt('shared.db');
    // Each batch goes to the other runner: every cached fold of each is stale by the next turn.
    for (let i = 0, turn = 0; i < events.length; i += 11, turn++) {
      const batch = events.slice(i, i + 11);
      (turn % 2 === 0 ? first : second).apply(batch, batch.at(-1)?.position ?? 0);
    }
    const alone = readModelsAt('alone.db');
    await catchUp(store, alone);

    expect(first.dump()).toEqual(alone.dump());
    expect(second.checkpoint()).toBe(alone.checkpoint());
  });

  it('the read models of a memory store and of a SQLite store holding the same history are equal', async () => {
    const memory = createInMemoryEventStore();
    opened.push(memory);
    // Copy the log in its order, stream by stream as it was appended.
    for (const e of events)
      await memory.appendToStream(
        e.streamId,
        [{ id: e.id, type: e.type, data: e.data, metadata: e.metadata }],
        {
          expectedRevision: e.revision === 0 ? 'no-stream' : e.revision - 1,
        },
      );
    const fromMemory = readModelsAt('from-memory.db', 'memory:');
    await catchUp(memory, fromMemory, { batchSize: 13 });
    const fromSqlite = readModelsAt('from-sqlite.db');
    await catchUp(store, fromSqlite);

    expect(fromMemory.dump()).toEqual(fromSqlite.dump());
  });

  it('status reports the checkpoint, the head of the store and the lag', async () => {
    const readModels = readModelsAt('status.db');
    const half = events[Math.floor(events.length / 2)] as RecordedEvent;
    readModels.apply(
      events.filter((e) => e.position <= half.position),
      half.position,
    );

    const status = await projectionStatus(store, readModels);

    expect(status).toMatchObject({
      checkpoint: half.position,
      head: events.at(-1)?.position,
      lag: events.filter((e) => e.position > half.position).length,
    });
    expect(status.projections.map((p) => p.name)).toEqual([
      'case-state',
      'deadlines',
      'ledger',
      'periods',
      'register',
      'timeline',
    ]);
  });
});

describe('the read-model file', () => {
  it('refuses to follow another store than the one it was built from, until rebuilt', async () => {
    const store = sqliteStore('one.db');
    await recordClearview(createCaseService({ store, today: () => TODAY }));
    const first = readModelsAt('follows-one.db', 'sqlite:/stores/one.db');
    await catchUp(store, first);
    first.close();

    expect(() => openReadModels(file('follows-one.db'), { store: 'sqlite:/stores/two.db' })).toThrow(
      ReadModelStoreMismatchError,
    );
    const rebuilt = readModelsAt('follows-one.db', 'sqlite:/stores/two.db', true);
    expect(rebuilt.checkpoint()).toBe(0);
    expect(rebuilt.dump().timeline).toEqual([]);
  });

  it('built by another version of one projection, the read models start again from zero and are rebuilt alike', async () => {
    const store = sqliteStore('versions.db');
    await recordClearview(createCaseService({ store, today: () => TODAY }));
    const readModels = readModelsAt('versions-read-models.db');
    await catchUp(store, readModels);
    const current = readModels.dump();
    readModels.close();
    // As if the ledger had been built by version 0 of its projection, with other rules.
    const raw = new Database(file('versions-read-models.db'));
    raw.prepare("UPDATE projections SET version = 0 WHERE name = 'ledger'").run();
    raw.prepare('UPDATE ledger SET fine = 1').run();
    raw.close();

    const reopened = readModelsAt('versions-read-models.db');
    expect(reopened.checkpoint()).toBe(0);
    expect(reopened.dump().ledger).toEqual([]);
    expect(reopened.versions()).toContainEqual({ name: 'ledger', version: 1 });
    await catchUp(store, reopened);
    expect(reopened.dump()).toEqual(current);
  });

  it('a file of the first layout (a copy of every fact) is rebuilt from zero in the current one', async () => {
    const store = sqliteStore('layout-1.db');
    await recordClearview(createCaseService({ store, today: () => TODAY }));
    const readModels = readModelsAt('layout-1-read-models.db');
    await catchUp(store, readModels);
    const current = readModels.dump();
    readModels.close();
    // As the first layout left it: a `facts` table, user_version 1, a checkpoint at the head.
    const raw = new Database(file('layout-1-read-models.db'));
    raw.exec('CREATE TABLE facts (case_id TEXT, revision INTEGER, data TEXT); DROP TABLE folds;');
    raw.pragma('user_version = 1');
    raw.close();

    const reopened = readModelsAt('layout-1-read-models.db');
    expect(reopened.checkpoint()).toBe(0);
    expect(reopened.dump().timeline).toEqual([]);
    await catchUp(store, reopened);
    expect(reopened.dump()).toEqual(current);
    const tables = new Database(file('layout-1-read-models.db'), { readonly: true })
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((t) => t.name);
    expect(tables).not.toContain('facts');
  });

  it('a rebuild over a file that is not a read-model file (the event store itself) is refused, the file unchanged', async () => {
    const store = sqliteStore('not-read-models.db');
    await recordClearview(createCaseService({ store, today: () => TODAY }));
    const before = readFileSync(file('not-read-models.db'));
    expect(() =>
      openReadModels(file('not-read-models.db'), { store: 'sqlite:/stores/x.db', rebuild: true }),
    ).toThrow(NotReadModelsError);
    writeFileSync(file('garbage.db'), 'not a database');
    expect(() => openReadModels(file('garbage.db'), { store: 'sqlite:/stores/x.db', rebuild: true })).toThrow(
      NotReadModelsError,
    );
    expect(readFileSync(file('not-read-models.db'))).toEqual(before);
    expect(readFileSync(file('garbage.db'), 'utf8')).toBe('not a database');
  });

  it('resumes from its checkpoint after being closed and reopened', async () => {
    const store = sqliteStore('resume.db');
    const service = createCaseService({ store, today: () => TODAY });
    await recordClearview(service, 'F10-formal-notice');
    const readModels = readModelsAt('resume-read-models.db');
    expect(await catchUp(store, readModels)).toMatchObject({ delivered: 10, checkpoint: 10 });
    readModels.close();

    await recordClearview(service);
    const reopened = readModelsAt('resume-read-models.db');
    expect(await catchUp(store, reopened)).toMatchObject({ delivered: 18, stored: 18, checkpoint: 28 });
  });
});
