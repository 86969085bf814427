/** A worker thread running one batch of simulated procedures (see runner.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { type BatchRequest, runBatch } from './batch.ts';

const request = workerData as BatchRequest;
const aggregate = runBatch(request, (done) => parentPort?.postMessage({ kind: 'progress', done }), 5_000);
parentPort?.postMessage({ kind: 'done', aggregate });
