/**
 * A batch of runs [from, to) in one thread, aggregated as each run finishes (aggregate.ts), so
 * memory does not grow with the number of runs. A run's result depends only on (seed, run index),
 * never on the batch.
 */
import type { StateValue } from 'xstate';
import type { ProcedureContext } from '../../machines/context.ts';
import { procedureMachine } from '../../machines/procedure.ts';
import { type Aggregate, addRun, emptyAggregate, windowOf } from './aggregate.ts';
import { type Engine, type EngineState, fastEngine, xstateEngine } from './engine.ts';
import type { SimulationParams } from './params.ts';
import { simulateRun, type StartSpec } from './run.ts';

export type EngineName = 'fast' | 'xstate';

export interface BatchRequest {
  readonly params: SimulationParams;
  readonly start: StartSpec;
  readonly seed: number;
  readonly engine: EngineName;
  readonly from: number;
  readonly to: number;
}

export const engineNamed = (name: EngineName): Engine => (name === 'fast' ? fastEngine() : xstateEngine());

export const startState = (engine: Engine, value: StateValue, context: ProcedureContext): EngineState =>
  engine.fromSnapshot(procedureMachine.resolveState({ value, context }));

/** Runs [from, to) and aggregates them; calls `progress` every `every` runs with the number done. */
export const runBatch = (
  request: BatchRequest,
  progress?: (done: number) => void,
  every = 10_000,
): Aggregate => {
  const { params, start, seed, from, to } = request;
  const engine = engineNamed(request.engine);
  const state = startState(engine, start.value, start.context);
  const aggregate = emptyAggregate(start.assumptions.length);
  const { base, horizon } = windowOf(start, params.run.horizonDays);
  for (let i = 0; i < to - from; i++) {
    addRun(
      aggregate,
      simulateRun({ engine, start, from: state, params, seed, index: from + i }),
      base,
      horizon,
    );
    if (progress && (i + 1) % every === 0) progress(i + 1);
  }
  return aggregate;
};
