/** A worker thread projecting one part of a SQLite store's cases (see parallel.ts). */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { EVENT_COLUMNS, type EventRow, toRecorded } from '../store/sqlite.ts';
import type { RecordedEvent } from '../store/port.ts';
import type { PartMessage, PartRequest } from './parallel.ts';
import { openReadModels } from './read-models.ts';

const request = workerData as PartRequest;
const post = (message: PartMessage) => parentPort?.postMessage(message);

const store = new Database(request.storePath, { readonly: true, fileMustExist: true });
// The part's file is thrown away unless every case of the part was projected into it.
// No snapshot of the folds: each case is folded once, whole (`project run` restores a case's fold
// from the store when one of its facts arrives).
const readModels = openReadModels(request.out, {
  store: request.store,
  rebuild: true,
  scratch: true,
  snapshots: false,
  // Nor any fold kept in memory: no case comes back.
  cachedFolds: 0,
});
try {
  // The part's cases, case after case: each is folded whole, and its rows are written once, in
  // key order. One statement, so one read transaction: the store as it was when the part began.
  const events = store.prepare<[string, string, number], EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id >= ? AND stream_id < ? AND position <= ?
     ORDER BY stream_id, revision`,
  );
  let projected = 0;
  let batch: RecordedEvent[] = [];
  let stream = '';
  for (const row of events.iterate(request.from, request.to, request.through)) {
    // A batch holds whole cases: it is cut where a case begins.
    if (row.stream_id !== stream) {
      stream = row.stream_id;
      if (batch.length >= request.batchSize) {
        readModels.apply(batch, 0);
        projected += batch.length;
        batch = [];
        post({ kind: 'progress', events: projected });
      }
    }
    batch.push(toRecorded(row));
  }
  readModels.apply(batch, request.through);
  projected += batch.length;
  post({ kind: 'done', events: projected });
} finally {
  readModels.close();
  store.close();
}
