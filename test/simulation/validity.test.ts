/**
 * Every simulated trajectory is a valid history: its events pass the event schemas and the legal
 * guards, and folding them through the statechart (machines/decider.ts) from the start state
 * reaches the simulated final state.
 */
import { describe, expect, it } from 'vitest';
import { fold } from '../../machines/decider.ts';
import { EVENT_TYPES, ProcedureEvent } from '../../machines/events.ts';
import { procedureMachine, STAGES } from '../../machines/procedure.ts';
import { startState } from '../../src/simulation/batch.ts';
import { fastEngine } from '../../src/simulation/engine.ts';
import { OUTCOMES, simulateRun } from '../../src/simulation/run.ts';
import { deepParams, defaultParams, variedStarts } from './support.ts';

describe('simulated trajectories', () => {
  it('are lawful histories that fold through the statechart to the simulated final state', async () => {
    const engine = fastEngine();
    const seen = new Set<string>();
    const outcomes = new Set<string>();
    const stages = new Set<string>();
    const shortHorizon = structuredClone(await deepParams());
    shortHorizon.run.horizonDays = 300; // some cases are still open when it ends
    for (const params of [await defaultParams(), await deepParams(), shortHorizon]) {
      for (const { name, start } of await variedStarts()) {
        const from = procedureMachine.resolveState({ value: start.value, context: start.context });
        const state = startState(engine, start.value, start.context);
        for (let seed = 1; seed <= 200; seed++) {
          const run = simulateRun({ engine, start, from: state, params, seed, index: 0, record: true });
          for (const event of run.events) {
            const parsed = ProcedureEvent.safeParse(event);
            if (!parsed.success)
              expect.fail(`${name}, seed ${seed}: ${event.type} fails its schema: ${parsed.error.message}`);
            if (event.data.on < start.base)
              expect.fail(`${name}, seed ${seed}: ${event.type} dated before the start`);
            seen.add(event.type);
          }
          const folded = fold(run.events, from); // throws ProcedureViolationError on an unlawful act
          expect(JSON.stringify(folded.value), `${name}, seed ${seed}`).toBe(run.finalKey);
          expect(folded.context).toEqual(run.finalContext);
          outcomes.add(run.outcome);
          run.stageDays.forEach((d, i) => d > 0 && stages.add(STAGES[i] as string));
        }
      }
    }
    // The runs went everywhere: almost every act of the catalogue, every outcome, every stage.
    // Not simulated: the order to produce (no published figures to calibrate it), anonymisation
    // (two years after publication), the erasure of personal data and the notification of
    // decisions (appeals are drawn within two months of the decision, in time whenever it was
    // notified), which change no outcome.
    const never = EVENT_TYPES.filter((t) => !seen.has(t));
    expect(never).toEqual([
      'ProductionOrdered',
      'PublicationAnonymised',
      'PersonalDataErased',
      'DecisionNotified',
    ]);
    // The policy closes a formal notice whose deadline elapsed by FormalNoticeClosed or refers it;
    // `closedAfterFormalNotice` (CaseClosed there) only comes from an assumption or a fork's history.
    expect(OUTCOMES.filter((o) => !outcomes.has(o))).toEqual(['closedAfterFormalNotice']);
    expect(stages.size).toBe(6);
  }, 120_000);
});
