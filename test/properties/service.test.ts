/**
 * Properties of the case service over random walks through the statechart: every step the
 * service records leaves the case-state projection of the stored facts equal to the live
 * statechart fed the same events; every step it does not record is refused with the rule, or
 * the state and the events it accepts, or the field — and nothing is written.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { stageOf } from '../../machines/decider.ts';
import { foldCase, toCaseView } from '../../projections/case-state.ts';
import { toFact } from '../../src/cases/codec.ts';
import { createCaseService } from '../../src/cases/service.ts';
import { createInMemoryEventStore } from '../../src/store/memory.ts';
import { caseStreamId, type EventStore } from '../../src/store/port.ts';
import { createSqliteEventStore } from '../../src/store/sqlite.ts';
import { type Step, TODAY, walk } from '../support/arbitraries.ts';
import {
  check,
  contentsOf,
  counted,
  fileDigest,
  liveStatechart,
  refusalProblem,
  runs,
  stateName,
  watched,
} from './harness.ts';

const CASE = 'fuzz-case';

/** What the walks did, for the figures printed at the end. */
const tally = {
  steps: 0,
  recorded: 0,
  refusedByRule: 0,
  refusedByState: 0,
  invalid: 0,
  stages: new Map<string, number>(),
};

afterAll(() => {
  console.log(
    `service properties: ${[...counted].map(([k, v]) => `${k}: ${v} runs`).join('; ')}; ` +
      `${tally.steps} steps: ${tally.recorded} recorded, ${tally.refusedByRule} refused by a rule, ` +
      `${tally.refusedByState} refused by the state, ${tally.invalid} invalid; final stages ` +
      JSON.stringify(Object.fromEntries(tally.stages)),
  );
});

/**
 * Records every step of a walk through the service, checking each outcome against the live
 * statechart and the store. `snapshot` returns the store's contents as bytes (or their digest).
 */
const recordWalk = async (store: EventStore, snapshot: () => Promise<string>, steps: readonly Step[]) => {
  const watchedStore = watched(store);
  const service = createCaseService({ store: watchedStore, today: () => TODAY });
  const live = liveStatechart();
  try {
    for (const step of steps) {
      tally.steps++;
      const before = await snapshot();
      const appends = watchedStore.appends();
      const stateBefore = stateName(live.snapshot().value);
      const outcome = await service.record(CASE, { type: step.type, data: step.data });
      if (outcome.status === 'recorded') {
        tally.recorded++;
        const [fact] = outcome.facts;
        expect(fact, 'one fact recorded').toBeDefined();
        if (!fact) return;
        // The live statechart accepts exactly what the service recorded…
        expect(live.offer(fact.event), `the live statechart refuses recorded ${step.type}`).toBe(true);
        // …and the projection of the facts read back from the store is in its state.
        const facts = (await store.readStream(caseStreamId(CASE))).map(toFact);
        const state = foldCase(facts);
        const view = toCaseView(CASE, state, TODAY);
        const actual = live.snapshot();
        expect(view.state).toEqual(actual.value);
        expect(view.stage).toBe(stageOf(actual));
        expect(state.procedure.context).toEqual(actual.context);
        expect(view.revision).toBe(facts.length - 1);
        expect(view.lastEvent).toEqual({ type: fact.event.type, on: fact.event.data.on });
      } else {
        if (outcome.status === 'invalid') tally.invalid++;
        else if (outcome.refusal.kind === 'RuleViolated') tally.refusedByRule++;
        else tally.refusedByState++;
        expect(refusalProblem(outcome, stateBefore)).toBeNull();
        // The live statechart refuses it too…
        if (outcome.status === 'refused') expect(live.snapshot().can(outcome.event)).toBe(false);
        // …and nothing was written.
        expect(watchedStore.appends()).toBe(appends);
        expect(await snapshot()).toBe(before);
      }
    }
    const stage = stageOf(live.snapshot()) ?? 'unopened';
    tally.stages.set(stage, (tally.stages.get(stage) ?? 0) + 1);
  } finally {
    live.stop();
  }
};

describe('random walks through the procedure, recorded by the case service', () => {
  it('given any walk on the in-memory store, when each step is recorded, then every recorded step leaves the projection equal to the live statechart and every other step is refused with its reason and writes nothing', async () => {
    await check(
      'walk (memory)',
      fc.asyncProperty(walk({ caseId: CASE, maxSteps: 25 }), async (steps) => {
        const store = createInMemoryEventStore();
        try {
          await recordWalk(store, () => contentsOf(store), steps);
        } finally {
          await store.close();
        }
      }),
      runs(100, 10_000),
    );
  });

  it('given any walk on a SQLite file, when each step is recorded, then the projection of the stored facts equals the live statechart and a refused step leaves the file byte-identical', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cnil-properties-'));
    let n = 0;
    try {
      await check(
        'walk (sqlite)',
        fc.asyncProperty(walk({ caseId: CASE, maxSteps: 20 }), async (steps) => {
          const file = join(dir, `walk-${n++}.db`);
          const store = createSqliteEventStore(file);
          try {
            await recordWalk(store, async () => `${fileDigest(file)} ${await contentsOf(store)}`, steps);
          } finally {
            await store.close();
            for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
          }
        }),
        runs(8, 1_000),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
