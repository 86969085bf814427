/**
 * `deadlines|ledger|register --as-of D` read the periods the projection runner keeps (no fact is
 * folded again when they answer). These tests hold them to the definition: on every date, the
 * answer equals folding each case's facts dated on or before D with XState's `transition()` and
 * reading the pure views of projections/ — over a simulated corpus, the Clearview history and the
 * events of schema version 1, projected in batches of every size (a case's facts of one date split
 * across batches too), and after a restart that resumes the cases from their stored snapshots.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, type IsoDate } from '../../machines/dates.ts';
import { foldCase } from '../../projections/case-state.ts';
import { deadlineItemsOf, sortDeadlines } from '../../projections/deadline-report.ts';
import { factsAsOf, type RecordedFact } from '../../projections/fact.ts';
import { type LedgerEntry, ledgerEntryOf, ledgerOf } from '../../projections/ledger.ts';
import { registerEntriesOf, sortRegister } from '../../projections/register.ts';
import { toFact } from '../../src/cases/codec.ts';
import { createCaseService } from '../../src/cases/service.ts';
import { loadRecorded, readRegressionFixture } from '../../src/history/regression.ts';
import { generateDatasets } from '../../src/import/generate.ts';
import { importCases } from '../../src/import/import.ts';
import { withoutPersonalData } from '../../src/privacy/protected-store.ts';
import { deadlinesAsOf, ledgerAsOf, registerAsOf } from '../../src/projector/queries.ts';
import { openReadModels, type ReadModels } from '../../src/projector/read-models.ts';
import { catchUp } from '../../src/projector/runner.ts';
import { loadParams } from '../../src/simulation/params.ts';
import { openEventStore } from '../../src/store/open.ts';
import type { EventStore } from '../../src/store/port.ts';
import { createSqliteEventStore } from '../../src/store/sqlite.ts';
import { recordClearview } from './fixtures.ts';

const TODAY = '2026-11-23';
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnil-as-of-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Each case's facts, decoded, personal data withheld as the read models keep them. */
const factsByCase = async (store: EventStore): Promise<Map<string, RecordedFact[]>> => {
  const byCase = new Map<string, RecordedFact[]>();
  for await (const e of store.readAll({ streamPrefix: 'case-' })) {
    const caseId = e.streamId.slice('case-'.length);
    const facts = byCase.get(caseId) ?? [];
    facts.push(toFact(withoutPersonalData(e)));
    byCase.set(caseId, facts);
  }
  return byCase;
};

/** The as-of answers by definition: every case's facts dated ≤ D folded by `transition()`. */
const byDefinition = (byCase: Map<string, RecordedFact[]>, asOf: IsoDate) => {
  const deadlines = [];
  const ledger: LedgerEntry[] = [];
  const register = [];
  for (const [caseId, facts] of byCase) {
    const upTo = factsAsOf(facts, asOf);
    if (upTo.length === 0) continue;
    const state = foldCase(upTo).procedure;
    deadlines.push(...deadlineItemsOf(caseId, state, asOf));
    const entry = ledgerEntryOf(caseId, state.context, asOf);
    if (entry) ledger.push(entry);
    register.push(...registerEntriesOf(caseId, state.context, asOf));
  }
  return {
    deadlines: { asOf, deadlines: sortDeadlines(deadlines) },
    ledger: ledgerOf(asOf, ledger),
    register: { asOf, decisions: sortRegister(register) },
  };
};

/** Every date a fact of the store is dated, the day before and the day after, and a few more. */
const datesOf = (byCase: Map<string, RecordedFact[]>, every = 1): IsoDate[] => {
  const dates = new Set<IsoDate>(['2000-01-01', TODAY, '2100-01-01'] as IsoDate[]);
  let i = 0;
  for (const facts of byCase.values())
    for (const { event } of facts)
      if (i++ % every === 0) for (const d of [-1, 0, 1]) dates.add(addDays(event.data.on, d));
  return [...dates].sort();
};

const expectAsOfByDefinition = (
  readModels: ReadModels,
  byCase: Map<string, RecordedFact[]>,
  dates: IsoDate[],
) => {
  let deadlines = 0;
  let sanctioned = 0;
  let published = 0;
  for (const asOf of dates) {
    const expected = byDefinition(byCase, asOf);
    expect(deadlinesAsOf(readModels, asOf), `deadlines as of ${asOf}`).toEqual(expected.deadlines);
    expect(ledgerAsOf(readModels, asOf), `ledger as of ${asOf}`).toEqual(expected.ledger);
    expect(registerAsOf(readModels, asOf), `register as of ${asOf}`).toEqual(expected.register);
    deadlines += expected.deadlines.deadlines.length;
    sanctioned += expected.ledger.cases.length;
    published += expected.register.decisions.length;
  }
  // The workload says something: open deadlines, sanctions and publications on many dates.
  expect(deadlines).toBeGreaterThan(dates.length / 4);
  expect(sanctioned).toBeGreaterThan(0);
  expect(published).toBeGreaterThan(0);
};

const project = async (store: EventStore, name: string, batchSize: number, cachedFolds?: number) => {
  const readModels = openReadModels(join(dir, name), {
    store: 'sqlite:as-of',
    ...(cachedFolds ? { cachedFolds } : {}),
  });
  await catchUp(store, readModels, { batchSize });
  return readModels;
};

describe('given a simulated corpus in a SQLite store', () => {
  let store: EventStore;
  let byCase: Map<string, RecordedFact[]>;

  beforeAll(async () => {
    store = await openEventStore(`sqlite:${join(dir, 'simulated.db')}`);
    const datasets = generateDatasets({ cases: 300, seed: 5, params: await loadParams() });
    await importCases(
      createCaseService({ store, today: () => TODAY }),
      datasets.map((dataset, i) => ({ dataset, line: i + 1 })),
    );
    byCase = await factsByCase(store);
  }, 120_000);
  afterAll(() => store.close());

  it('on every date, deadlines, ledger and register as of D equal the facts dated ≤ D folded by transition()', async () => {
    const readModels = await project(store, 'simulated.db-read', 500);
    expectAsOfByDefinition(readModels, byCase, datesOf(byCase, 41));
    readModels.close();
  }, 300_000);

  it('projected one event per batch, with room for 2 folds in memory, the answers are the same', async () => {
    const readModels = await project(store, 'simulated-1.db-read', 1, 2);
    const reference = await project(store, 'simulated-ref.db-read', 10_000);
    for (const asOf of datesOf(byCase, 13)) {
      expect(deadlinesAsOf(readModels, asOf)).toEqual(deadlinesAsOf(reference, asOf));
      expect(ledgerAsOf(readModels, asOf)).toEqual(ledgerAsOf(reference, asOf));
      expect(registerAsOf(readModels, asOf)).toEqual(registerAsOf(reference, asOf));
    }
    expect(readModels.dump()).toEqual(reference.dump());
    readModels.close();
    reference.close();
  }, 300_000);
});

describe('given the Clearview history, and the events of schema version 1', () => {
  it.each(['clearview', 'events-v1'])(
    '%s: on every date of its facts, and the days around, the as-of answers are those of the definition',
    async (history) => {
      const store = createSqliteEventStore(join(dir, `${history}.db`));
      if (history === 'clearview') await recordClearview(createCaseService({ store, today: () => TODAY }));
      else
        await loadRecorded(
          store,
          (await readRegressionFixture(new URL('../fixtures/events-v1.json', import.meta.url))).events,
        );
      const byCase = await factsByCase(store);
      for (const batchSize of [1, 3, 1000]) {
        const readModels = await project(store, `${history}-${batchSize}.db-read`, batchSize);
        expectAsOfByDefinition(readModels, byCase, datesOf(byCase));
        readModels.close();
      }
      await store.close();
    },
    120_000,
  );
});
