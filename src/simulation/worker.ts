/** A worker thread running one batch of simulated procedures (see runner.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { type BatchRequest, runBatch } from './batch.ts';

const request = workerData as BatchRequest;
const batch = runBatch(request, (done) => parentPort?.postMessage({ kind: 'progress', done }), 5_000);
parentPort?.postMessage({ kind: 'done', batch }, [
  batch.outcome.buffer,
  batch.fine.buffer,
  batch.liquidated.buffer,
  batch.duration.buffer,
  batch.stageDays.buffer,
  batch.assumptions.buffer,
] as ArrayBuffer[]);
