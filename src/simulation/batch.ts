/**
 * A batch of runs [from, to) in one thread, packed into typed arrays (cheap to send between
 * worker threads). A run's result depends only on (seed, run index), never on the batch.
 */
import type { StateValue } from 'xstate';
import type { ProcedureContext } from '../../machines/context.ts';
import { procedureMachine, STAGES } from '../../machines/procedure.ts';
import { type Engine, type EngineState, fastEngine, xstateEngine } from './engine.ts';
import type { SimulationParams } from './params.ts';
import { ASSUMPTION_STATUS, OUTCOMES, simulateRun, type StartSpec } from './simulate.ts';

export type EngineName = 'fast' | 'xstate';

export interface BatchRequest {
  readonly params: SimulationParams;
  readonly start: StartSpec;
  readonly seed: number;
  readonly engine: EngineName;
  readonly from: number;
  readonly to: number;
}

export interface Batch {
  readonly from: number;
  readonly to: number;
  /** Index in OUTCOMES. */
  readonly outcome: Uint8Array;
  readonly fine: Float64Array;
  readonly liquidated: Float64Array;
  /** Days to closure, -1 when open. */
  readonly duration: Int32Array;
  /** STAGES.length entries per run. */
  readonly stageDays: Int32Array;
  /** start.assumptions.length entries per run: index in ASSUMPTION_STATUS. */
  readonly assumptions: Uint8Array;
}

export const engineNamed = (name: EngineName): Engine => (name === 'fast' ? fastEngine() : xstateEngine());

export const startState = (engine: Engine, value: StateValue, context: ProcedureContext): EngineState =>
  engine.fromSnapshot(procedureMachine.resolveState({ value, context }));

/** Runs [from, to); calls `progress` every `every` runs with the number done. */
/** A batch of `n` runs from run `from`, zero-filled, with room for `assumptions` per run. */
export const emptyBatch = (from: number, n: number, assumptions: number): Batch => ({
  from,
  to: from + n,
  outcome: new Uint8Array(n),
  fine: new Float64Array(n),
  liquidated: new Float64Array(n),
  duration: new Int32Array(n),
  stageDays: new Int32Array(n * STAGES.length),
  assumptions: new Uint8Array(n * assumptions),
});

export const runBatch = (request: BatchRequest, progress?: (done: number) => void, every = 10_000): Batch => {
  const { params, start, seed, from, to } = request;
  const n = to - from;
  const engine = engineNamed(request.engine);
  const state = startState(engine, start.value, start.context);
  const a = start.assumptions.length;
  const batch = emptyBatch(from, n, a);
  for (let i = 0; i < n; i++) {
    const r = simulateRun(engine, state, start, params, seed, from + i);
    batch.outcome[i] = OUTCOMES.indexOf(r.outcome);
    batch.fine[i] = r.fine;
    batch.liquidated[i] = r.liquidated;
    batch.duration[i] = r.durationDays;
    for (let s = 0; s < STAGES.length; s++) batch.stageDays[i * STAGES.length + s] = r.stageDays[s] ?? 0;
    for (let j = 0; j < a; j++)
      batch.assumptions[i * a + j] = ASSUMPTION_STATUS.indexOf(r.assumptions[j] ?? 'notReached');
    if (progress && (i + 1) % every === 0) progress(i + 1);
  }
  return batch;
};
