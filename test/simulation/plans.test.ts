/**
 * The simulation plans every state of the statechart's main line: the keys of its plans are the
 * machine's leaves (but the publicity of a formal notice, a track of its own), so that a state
 * added to the machine without a plan fails here instead of ending simulated runs without a word —
 * as a case opened on the CNIL's own initiative once did: forked, it stayed "open at the horizon"
 * in every run.
 */
import { describe, expect, it } from 'vitest';
import { procedureMachine } from '../../machines/procedure.ts';
import { startState } from '../../src/simulation/batch.ts';
import { fastEngine } from '../../src/simulation/engine.ts';
import { PLANNED_STATES } from '../../src/simulation/plans.ts';
import { simulateRun } from '../../src/simulation/run.ts';
import { defaultParams, ownInitiativeStart } from './support.ts';

interface StateNode {
  readonly key: string;
  readonly states?: Record<string, StateNode>;
}

/** The leaves of the machine's states, as `parent.child` paths. */
const leavesOf = (node: StateNode, path: readonly string[] = []): string[] => {
  const children = Object.values(node.states ?? {});
  return children.length === 0
    ? [path.join('.')]
    : children.flatMap((child) => leavesOf(child, [...path, child.key]));
};

describe('the plans of the simulation', () => {
  it('given the statechart, then there is one plan for each leaf of its main line, and none for another', () => {
    const main = leavesOf(procedureMachine.root as StateNode).filter(
      (leaf) => !leaf.startsWith('formalNotice.publicity'),
    );
    expect(main.length).toBeGreaterThan(15);
    expect([...PLANNED_STATES].sort()).toEqual([...main].sort());
  });

  it("given a case opened on the CNIL's own initiative, when it is simulated, then the inspection starts on the first day of every run", async () => {
    const params = await defaultParams();
    const start = ownInitiativeStart();
    const engine = fastEngine();
    const state = startState(engine, start.value, start.context);
    for (let seed = 1; seed <= 50; seed++) {
      const run = simulateRun({ engine, start, from: state, params, seed, index: 0, record: true });
      expect(run.events[0]).toMatchObject({ type: 'InspectionOpened', data: { on: start.base } });
      expect(run.outcome, `seed ${seed}`).not.toBe('open');
    }
  });
});
