/** A worker thread projecting one part of a SQLite store's cases (see parallel.ts). */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { EVENT_COLUMNS, type EventRow, toRecorded } from '../store/sqlite.ts';
import type { RecordedEvent } from '../store/port.ts';
import { type PartMessage, partOf, type PartRequest } from './parallel.ts';
import { CASE_STREAM_PREFIX, openReadModels } from './read-models.ts';

const request = workerData as PartRequest;
const post = (message: PartMessage) => parentPort?.postMessage(message);

const store = new Database(request.storePath, { readonly: true, fileMustExist: true });
const readModels = openReadModels(request.out, { store: request.store, rebuild: true });
try {
  // The part is chosen in SQL: the other parts' rows are never copied out of SQLite.
  store.function('cnil_part', { deterministic: true }, (streamId) =>
    typeof streamId === 'string' && streamId.startsWith(CASE_STREAM_PREFIX)
      ? partOf(streamId, request.parts)
      : -1,
  );
  const page = store.prepare<[number, number, number], EventRow>(
    `SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? AND position <= ? AND cnil_part(stream_id) = ?
     ORDER BY position LIMIT 5000`,
  );
  let after = 0;
  let events = 0;
  let batch: RecordedEvent[] = [];
  for (;;) {
    const rows = page.all(after, request.through, request.part);
    for (const row of rows) {
      batch.push(toRecorded(row));
      if (batch.length >= request.batchSize) {
        readModels.apply(batch, row.position);
        events += batch.length;
        batch = [];
        post({ kind: 'progress', events });
      }
    }
    const last = rows.at(-1);
    if (last === undefined) break;
    after = last.position;
  }
  const last = batch.at(-1);
  if (last) readModels.apply(batch, last.position);
  events += batch.length;
  post({ kind: 'done', events });
} finally {
  readModels.close();
  store.close();
}
