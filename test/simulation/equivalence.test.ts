/**
 * The fast path is the statechart: for the same seed, the transition table derived from the
 * machine and plain XState `transition()` produce identical trajectories and final states.
 */
import { isDeepStrictEqual } from 'node:util';
import { initialTransition } from 'xstate';
import { describe, expect, it } from 'vitest';
import { acceptedEventTypes } from '../../machines/decider.ts';
import { procedureMachine } from '../../machines/procedure.ts';
import { startState } from '../../src/simulation/batch.ts';
import { deriveTransitionTable, fastEngine, xstateEngine } from '../../src/simulation/engine.ts';
import { simulateRun } from '../../src/simulation/run.ts';
import { deepParams, variedStarts } from './support.ts';

describe('the transition table derived from the machine', () => {
  const table = deriveTransitionTable();

  it('has every state the machine can reach, and accepts in each exactly the events XState accepts', () => {
    expect(table.states.size).toBeGreaterThanOrEqual(20);
    const context = initialTransition(procedureMachine)[0].context;
    for (const entry of table.states.values()) {
      const snapshot = procedureMachine.resolveState({ value: entry.value, context });
      expect([...entry.candidates.keys()].sort(), entry.key).toEqual(acceptedEventTypes(snapshot).sort());
    }
  });

  it('knows the eventless routes of the machine (injunction pending or complied)', () =>
    expect(table.eventlessRoutes).toEqual(['injunctionComplied', 'injunctionPending']));
});

describe('fast path and plain transition()', () => {
  it('produce identical trajectories and final states for the same seed, on thousands of runs', async () => {
    const params = await deepParams();
    const fast = fastEngine();
    const naive = xstateEngine();
    let runs = 0;
    let events = 0;
    for (const { name, start } of await variedStarts()) {
      const a = startState(fast, start.value, start.context);
      const b = startState(naive, start.value, start.context);
      for (let i = 0; i < 400; i++) {
        const x = simulateRun({ engine: fast, start, from: a, params, seed: 42, index: i, record: true });
        const y = simulateRun({ engine: naive, start, from: b, params, seed: 42, index: i, record: true });
        const same =
          isDeepStrictEqual(x.events, y.events) &&
          x.finalKey === y.finalKey &&
          isDeepStrictEqual(x.finalContext, y.finalContext) &&
          x.outcome === y.outcome;
        if (!same) expect.fail(`${name}, run ${i}: the fast path and transition() disagree`);
        runs++;
        events += x.events.length;
      }
    }
    expect(runs).toBe(4_000);
    expect(events).toBeGreaterThan(20_000);
  }, 120_000);
});
