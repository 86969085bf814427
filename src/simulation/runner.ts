/**
 * Runs N simulated procedures, in this thread or split over worker threads. Each thread aggregates
 * its runs as they finish (aggregate.ts); aggregates merge into the same result whatever the
 * number of workers, and memory stays flat in the number of runs.
 */
import { availableParallelism } from 'node:os';
import { startWorker } from '../threads.ts';
import { type Aggregate, mergeAggregates } from './aggregate.ts';
import { type BatchRequest, type EngineName, runBatch } from './batch.ts';
import type { SimulationParams } from './params.ts';
import { type Report, summarise } from './stats.ts';
import type { StartSpec } from './run.ts';

export interface SimulationRequest {
  readonly params: SimulationParams;
  readonly start: StartSpec;
  readonly runs: number;
  readonly seed: number;
  readonly engine?: EngineName;
  /** Worker threads; 'auto' uses 2 when there are enough runs and cores to pay for their start-up. */
  readonly workers?: number | 'auto';
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Below this many runs one thread is faster: a worker under tsx takes about 0.3–0.5 s to start
 * (loading and compiling the TypeScript sources), so two workers pay only for long runs (bench/ measures 100 000 and 1 000 000 runs both ways).
 */
export const WORKER_THRESHOLD = 300_000;

export const workerCount = (runs: number, workers: number | 'auto' = 'auto'): number =>
  workers === 'auto'
    ? runs >= WORKER_THRESHOLD && availableParallelism() >= 2
      ? 2
      : 1
    : Math.max(1, Math.min(workers, runs));

/** Runs a batch in a worker thread (TypeScript loaded through tsx). */
export const runInWorker = (request: BatchRequest, progress?: (done: number) => void): Promise<Aggregate> =>
  new Promise((resolve, reject) => {
    const worker = startWorker(new URL('./worker.ts', import.meta.url), request);
    worker.on(
      'message',
      (message: { kind: 'progress'; done: number } | { kind: 'done'; aggregate: Aggregate }) => {
        if (message.kind === 'progress') progress?.(message.done);
        else resolve(message.aggregate);
      },
    );
    worker.on('error', reject);
    worker.on('exit', (code) => {
      if (code !== 0) reject(new Error(`simulation worker exited with code ${code}`));
    });
  });

/** Runs the simulation and returns the aggregate of its runs. */
export const runSimulation = async (request: SimulationRequest): Promise<Aggregate> => {
  const { runs, onProgress } = request;
  const workers = workerCount(runs, request.workers);
  const base = {
    params: request.params,
    start: request.start,
    seed: request.seed,
    engine: request.engine ?? 'fast',
  };
  if (workers === 1)
    return runBatch({ ...base, from: 0, to: runs }, onProgress && ((done) => onProgress(done, runs)));
  const done = new Array<number>(workers).fill(0);
  const size = Math.ceil(runs / workers);
  const batches = await Promise.all(
    Array.from({ length: workers }, (_, w) =>
      runInWorker({ ...base, from: w * size, to: Math.min(runs, (w + 1) * size) }, (d) => {
        done[w] = d;
        onProgress?.(
          done.reduce((s, x) => s + x, 0),
          runs,
        );
      }),
    ),
  );
  return mergeAggregates(batches, request.start.assumptions.length);
};

/** Runs the simulation and summarises it. */
export const simulate = async (request: SimulationRequest): Promise<Report> =>
  summarise(await runSimulation(request), request.start);
