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
let rows: IterableIterator<EventRow> | undefined;
try {
  // The part's cases, case after case: each is folded whole, and its rows are written once, in
  // key order. One statement, so one read transaction: the store as it was when the part began.
  rows = store
    .prepare<[string, string, number], EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id >= ? AND stream_id < ? AND position <= ?
       ORDER BY stream_id, revision`,
    )
    .iterate(request.from, request.to, request.through);
  const read = rows;
  let next = read.next();
  let projected = 0;
  /**
   * The events of the next batch, as they are read (none is kept once projected): whole cases, cut
   * where a case begins once `batchSize` events were given.
   */
  function* batch(): Generator<RecordedEvent> {
    let stream = '';
    let given = 0;
    for (; !next.done; next = read.next()) {
      const row = next.value;
      if (row.stream_id !== stream) {
        if (given >= request.batchSize) return;
        stream = row.stream_id;
      }
      given++;
      projected++;
      yield toRecorded(row);
    }
  }
  while (!next.done) {
    readModels.apply(batch(), 0);
    post({ kind: 'progress', events: projected });
  }
  readModels.apply([], request.through);
  post({ kind: 'done', events: projected });
} finally {
  rows?.return?.(); // a batch stopped halfway leaves the statement open
  readModels.close();
  store.close();
}
