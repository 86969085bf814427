/**
 * The projection runner folds facts through the statechart's fast path (a transition table derived
 * from the machine, src/simulation/engine.ts). These tests hold it to the statechart itself: the
 * read models of a rebuilt store equal, table for table and row for row, those built by folding
 * the same facts with XState's `transition()` — over a simulated corpus and over the events of
 * schema version 1 (test/fixtures/events-v1.json) — and every timeline equals the timeline
 * projection of projections/timeline.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTimeline } from '../../projections/timeline.ts';
import { toFact } from '../../src/cases/codec.ts';
import { createCaseService } from '../../src/cases/service.ts';
import { readRegressionFixture, loadRecorded } from '../../src/history/regression.ts';
import { generateDatasets } from '../../src/import/generate.ts';
import { withoutPersonalData } from '../../src/privacy/protected-store.ts';
import { importCases } from '../../src/import/import.ts';
import { dumpReadModels, openReadModels } from '../../src/projector/read-models.ts';
import { catchUp } from '../../src/projector/runner.ts';
import { xstateEngine } from '../../src/simulation/engine.ts';
import { loadParams } from '../../src/simulation/params.ts';
import { openEventStore } from '../../src/store/open.ts';
import type { EventStore } from '../../src/store/port.ts';
import { createSqliteEventStore } from '../../src/store/sqlite.ts';

const TODAY = '2026-11-23';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnil-equivalence-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Rebuilds the read models of `store` into a new file, folding with `engine`; returns their dump. */
const rebuild = async (store: EventStore, name: string, engine?: 'xstate', cachedFolds?: number) => {
  const path = join(dir, name);
  const readModels = openReadModels(path, {
    store: 'sqlite:equivalence',
    rebuild: true,
    ...(engine ? { engine: xstateEngine } : {}),
    ...(cachedFolds ? { cachedFolds } : {}),
  });
  // Small batches: cases cross batch boundaries, so cached folds are resumed too.
  await catchUp(store, readModels, { batchSize: 97 });
  readModels.close();
  return dumpReadModels(path);
};

/** Each case's facts, decoded, by case id, personal data withheld as the read models keep them. */
const factsByCase = async (store: EventStore) => {
  const byCase = new Map<string, ReturnType<typeof toFact>[]>();
  for await (const e of store.readAll({ streamPrefix: 'case-' })) {
    const caseId = e.streamId.slice('case-'.length);
    byCase.set(caseId, [...(byCase.get(caseId) ?? []), toFact(withoutPersonalData(e))]);
  }
  return byCase;
};

/** The timeline rows of the read models equal the timeline projection of each case's facts. */
const expectTimelinesOfTransition = async (store: EventStore, dump: Awaited<ReturnType<typeof rebuild>>) => {
  let rows = 0;
  for (const [caseId, facts] of await factsByCase(store)) {
    const expected = buildTimeline(facts).map((r, i) => ({
      case_id: caseId,
      revision: r.revision,
      event_id: facts[i]?.eventId,
      on_date: r.on,
      type: r.type,
      act: r.act,
      reference: r.reference,
      summary: r.summary,
      stage: r.stage,
      state: r.state,
      source: r.source === null ? null : JSON.stringify(r.source),
    }));
    expect(dump.timeline?.filter((row) => row.case_id === caseId)).toEqual(expected);
    rows += expected.length;
  }
  expect(dump.timeline).toHaveLength(rows);
};

describe('given a simulated corpus imported into a SQLite store', () => {
  let store: EventStore;

  beforeAll(async () => {
    store = await openEventStore(`sqlite:${join(dir, 'simulated.db')}`);
    const datasets = generateDatasets({ cases: 400, seed: 11, params: await loadParams() });
    const report = await importCases(
      createCaseService({ store, today: () => TODAY }),
      datasets.map((dataset, i) => ({ dataset, line: i + 1 })),
    );
    expect(report.cases.imported).toBe(400);
  }, 120_000);
  afterAll(() => store.close());

  it('the rebuilt read models (fast path) equal those folded by transition(), table for table', async () => {
    const fast = await rebuild(store, 'simulated-fast.db');
    const reference = await rebuild(store, 'simulated-xstate.db', 'xstate');
    expect(fast.cases).toHaveLength(400);
    expect(fast).toEqual(reference);
    await expectTimelinesOfTransition(store, fast);
  }, 120_000);

  it('with room for 3 folds in memory, every other case resumes from its stored snapshot: same read models', async () => {
    const reference = await rebuild(store, 'simulated-reference.db', 'xstate');
    const fromSnapshots = await rebuild(store, 'simulated-snapshots.db', undefined, 3);
    expect(fromSnapshots).toEqual(reference);
  }, 120_000);
});

describe('given the events of schema version 1 (test/fixtures/events-v1.json) in a SQLite store', () => {
  let store: EventStore;

  beforeAll(async () => {
    store = createSqliteEventStore(join(dir, 'v1.db'));
    const fixture = await readRegressionFixture(new URL('../fixtures/events-v1.json', import.meta.url));
    await loadRecorded(store, fixture.events);
  });
  afterAll(() => store.close());

  it('the rebuilt read models (fast path) equal those folded by transition(), table for table', async () => {
    const fast = await rebuild(store, 'v1-fast.db');
    const reference = await rebuild(store, 'v1-xstate.db', 'xstate');
    expect(fast.cases?.length).toBeGreaterThan(1);
    expect(fast).toEqual(reference);
    await expectTimelinesOfTransition(store, fast);
  });
});
