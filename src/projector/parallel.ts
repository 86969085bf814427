/**
 * `project rebuild` of a large SQLite store on several cores. The cases are split into ranges of
 * stream ids holding about as many events each; one worker thread per range reads its cases'
 * events from the store file, case after case (the store's (stream, revision) index), and projects
 * them — with the same code as the sequential runner, in batches of whole cases — into a file of
 * its own. The parts are then taken into the read-model file in one transaction, in key order, at
 * the store's head when the rebuild began; what was appended since is caught up as usual.
 *
 * A case's rows depend on its own events only, so the parts hold exactly the rows a sequential
 * rebuild writes (test/projector/parallel.test.ts). Killed before the parts are taken in, the
 * read-model file is still empty at checkpoint 0: `project run` starts again from the beginning.
 */
import Database from 'better-sqlite3';
import { startWorker } from '../threads.ts';
import { availableParallelism } from 'node:os';
import type { EventStore } from '../store/port.ts';
import { CASE_STREAM_PREFIX, deleteDatabaseFiles, type ReadModels } from './read-models.ts';
import { type BatchReport, catchUp, type RunResult } from './runner.ts';

/**
 * Below this many case events, one thread rebuilds: the workers would not pay for their start and
 * for the parts' merge. Measured on 2 cores (docs/performance.md), best of three: two threads took
 * 1.08 times as long as one on 50 000 events, 0.92 times on 76 000, 0.85 on 100 000 (1.05 there
 * before the threads stopped writing the folds' snapshots).
 */
export const PARALLEL_REBUILD_THRESHOLD = 75_000;

/** What a worker is asked to project. */
export interface PartRequest {
  /** The SQLite store file. */
  readonly storePath: string;
  /** The identity of the store, recorded in the part's file. */
  readonly store: string;
  /** The part's streams: those with an id from `from` (included) to `to` (excluded). */
  readonly from: string;
  readonly to: string;
  /** The last global position to project. */
  readonly through: number;
  /** The part's read-model file. */
  readonly out: string;
  readonly batchSize: number;
}

export type PartMessage =
  { readonly kind: 'progress'; readonly events: number } | { readonly kind: 'done'; readonly events: number };

/** The first stream id after every `case-` stream id ('case.': the prefix with its last character raised). */
const AFTER_CASES = `${CASE_STREAM_PREFIX.slice(0, -1)}${String.fromCharCode(CASE_STREAM_PREFIX.charCodeAt(CASE_STREAM_PREFIX.length - 1) + 1)}`;

/** The case streams are those with an id in [{@link CASE_STREAM_PREFIX}, AFTER_CASES): a range of the store's index. */
export const CASE_STREAMS = { from: CASE_STREAM_PREFIX, to: AFTER_CASES } as const;

/** The case events of a SQLite store file: how many, and the global position of the last. */
export const caseEventsOf = (storePath: string): { count: number; head: number } => {
  const db = new Database(storePath, { readonly: true, fileMustExist: true });
  try {
    const row = db
      .prepare<[string, string], { n: number; head: number | null }>(
        'SELECT COUNT(*) AS n, MAX(position) AS head FROM events WHERE stream_id >= ? AND stream_id < ?',
      )
      .get(CASE_STREAMS.from, CASE_STREAMS.to);
    return { count: row?.n ?? 0, head: row?.head ?? 0 };
  } finally {
    db.close();
  }
};

/**
 * Splits the case streams of a SQLite store into `parts` ranges of stream ids holding about as
 * many events each (read off the store's (stream, revision) index), a case never split: the
 * `parts + 1` bounds, ascending, the first and last those of every case stream. Projected in
 * stream order, each part's rows come in key order, and the parts follow one another in it.
 */
export const partBoundsOf = (storePath: string, parts: number, count: number): string[] => {
  const db = new Database(storePath, { readonly: true, fileMustExist: true });
  try {
    const at = db.prepare<[string, string, number], { stream_id: string }>(
      'SELECT stream_id FROM events WHERE stream_id >= ? AND stream_id < ? ORDER BY stream_id, revision LIMIT 1 OFFSET ?',
    );
    const inner = Array.from(
      { length: parts - 1 },
      (_, k) =>
        at.get(CASE_STREAMS.from, CASE_STREAMS.to, Math.floor((count * (k + 1)) / parts))?.stream_id ??
        CASE_STREAMS.to,
    );
    return [CASE_STREAMS.from, ...inner, CASE_STREAMS.to];
  } finally {
    db.close();
  }
};

export interface ParallelRebuildOptions {
  /** Worker threads, default 2. */
  readonly workers?: number;
  /** The store's case events, when already counted ({@link caseEventsOf}: a scan of its index). */
  readonly caseEvents?: { readonly count: number; readonly head: number };
  readonly batchSize: number;
  /** Told of the events projected so far, across the workers. */
  readonly onProgress?: (events: number) => void;
}

/**
 * Projects every case event of the SQLite store at `storePath`, up to its head now, into
 * `readModels` (which must be empty, at checkpoint 0) with `workers` threads. Returns the events
 * projected and the checkpoint reached.
 */
export const rebuildInParallel = async (
  storePath: string,
  readModels: ReadModels,
  { workers = 2, batchSize, onProgress, caseEvents }: ParallelRebuildOptions,
): Promise<{ events: number; checkpoint: number }> => {
  if (readModels.checkpoint() !== 0) throw new RangeError('a parallel rebuild starts from empty read models');
  const { count, head } = caseEvents ?? caseEventsOf(storePath);
  const bounds = partBoundsOf(storePath, workers, count);
  const outs = Array.from({ length: workers }, (_, part) => `${readModels.path}.part-${part}-of-${workers}`);
  const progress = new Array<number>(workers).fill(0);
  try {
    const counts = await Promise.all(
      outs.map(
        (out, part) =>
          new Promise<number>((resolve, reject) => {
            deleteDatabaseFiles(out);
            const request: PartRequest = {
              storePath,
              store: readModels.store,
              from: bounds[part] ?? CASE_STREAMS.from,
              to: bounds[part + 1] ?? CASE_STREAMS.to,
              through: head,
              out,
              batchSize,
            };
            const worker = startWorker(new URL('./partition-worker.ts', import.meta.url), request);
            worker.on('message', (message: PartMessage) => {
              progress[part] = message.events;
              onProgress?.(progress.reduce((a, b) => a + b, 0));
              if (message.kind === 'done') resolve(message.events);
            });
            worker.on('error', reject);
            worker.on('exit', (code) => {
              if (code !== 0) reject(new Error(`projection worker ${part} exited with code ${code}`));
            });
          }),
      ),
    );
    readModels.absorb(outs, head);
    return { events: counts.reduce((a, b) => a + b, 0), checkpoint: head };
  } finally {
    for (const out of outs) deleteDatabaseFiles(out);
  }
};

export interface RebuildOptions {
  /** The store's SQLite file, when it is one: only then can threads read it. */
  readonly sqlitePath?: string;
  /** Threads: 'auto' (default) uses 2 from {@link PARALLEL_REBUILD_THRESHOLD} case events on 2 cores or more. */
  readonly workers?: number | 'auto';
  readonly batchSize: number;
  /** Told of each committed batch (of the threads' progress too, as batches of events). */
  readonly onBatch?: (batch: BatchReport) => void;
  /** Told when the threads stopped and one thread projects the store again (the reason is lost). */
  readonly onFallback?: () => void;
}

/**
 * What `project rebuild` runs once the read models are emptied: on a large SQLite store, the
 * parts of its cases on several threads ({@link rebuildInParallel}), then whatever was appended
 * since on one; otherwise the catch-up of the sequential runner from the first event. If a thread
 * stops (a fact that cannot be projected…), nothing of the parts is taken in and one thread
 * projects the store again, so that the failure is reported as the sequential runner reports it.
 */
export const rebuildReadModels = async (
  store: EventStore,
  readModels: ReadModels,
  { sqlitePath, workers = 'auto', batchSize, onBatch, onFallback }: RebuildOptions,
): Promise<RunResult> => {
  let parallel = 0;
  if (sqlitePath !== undefined) {
    // Counted once, here, for the choice of threads and for the parts' bounds.
    let caseEvents: ReturnType<typeof caseEventsOf> | undefined;
    let threads = workers;
    if (threads === 'auto') {
      caseEvents = caseEventsOf(sqlitePath);
      threads = caseEvents.count >= PARALLEL_REBUILD_THRESHOLD && availableParallelism() >= 2 ? 2 : 1;
    }
    if (threads > 1) {
      let shown = 0;
      try {
        parallel = (
          await rebuildInParallel(sqlitePath, readModels, {
            workers: threads,
            batchSize,
            ...(caseEvents === undefined ? {} : { caseEvents }),
            onProgress: (events) => {
              const more = events - shown;
              shown = events;
              onBatch?.({ events: more, stored: more, redelivered: 0, checkpoint: 0 });
            },
          })
        ).events;
      } catch {
        onFallback?.();
      }
    }
  }
  // What was appended since the parts' head (or everything, on one thread).
  const rest = await catchUp(store, readModels, { batchSize, ...(onBatch ? { onBatch } : {}) });
  return {
    delivered: parallel + rest.delivered,
    stored: parallel + rest.stored,
    checkpoint: rest.checkpoint,
  };
};
