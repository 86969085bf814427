/**
 * Monte Carlo simulation of the procedure: runs through the statechart, fresh or forked from a
 * case, with calibrated parameters (params/cnil-2024.json) and a seed.
 *
 * @example
 * import { freshStart, loadParams, simulate } from 'cnil-enforcement/simulation';
 * const start = freshStart('2025-01-06');
 * const report = await simulate({ params: await loadParams(), start, runs: 20_000, seed: 1 });
 */
export { simulate, runSimulation, type SimulationRequest, workerCount } from './runner.ts';
export {
  loadParams,
  parseParams,
  PARAMETERS,
  ParamsError,
  type SimulationParams,
  DEFAULT_PARAMS_FILE,
} from './params.ts';
export { OUTCOMES, type Outcome, type StartSpec, type RunResult, SimulationError } from './run.ts';
export type { Report, Distribution } from './stats.ts';
export { type Aggregate, mergeAggregates } from './aggregate.ts';
export type { SimulationDocument } from './document.ts';
export { freshStart, forkStart, parseAssumption, AssumptionError } from './start.ts';
