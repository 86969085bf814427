/**
 * The projection runner: a catch-up subscription to every `case-` stream of any event store (the
 * port's `subscribeToAll` with `streamPrefix`, so EventStoreDB filters on the server and no
 * server-side projection is needed), from the checkpoint stored in the read-model database.
 *
 * Events are applied in batches; each batch and the checkpoint it reaches are written in one
 * transaction (`ReadModels.apply`), so a runner killed at any point resumes from the last batch it
 * committed, and re-delivered events change nothing. After `caughtUp` it either stops (`catchUp`)
 * or keeps following the store (`follow`), flushing as soon as the store goes quiet.
 *
 * @example
 * const readModels = openReadModels('./data/read-models.db', { store: storeIdentity(connection) });
 * await catchUp(store, readModels); // the read models now reflect every stored case event
 */
import type { EventStore, RecordedEvent } from '../store/port.ts';
import { existsSync } from 'node:fs';
import {
  type ApplyResult,
  CASE_STREAM_PREFIX,
  inspectReadModels,
  MissingFoldsError,
  ReadModelStoreMismatchError,
  type ReadModels,
} from './read-models.ts';

/**
 * Events per transaction during catch-up: a case whose facts arrive in one batch has its rows
 * written once; 2 000 events keep a batch's memory small.
 */
export const DEFAULT_BATCH_SIZE = 2_000;

export interface RunOptions {
  /** Events per transaction; default {@link DEFAULT_BATCH_SIZE}. */
  readonly batchSize?: number;
  /** In live mode, commit a partial batch once no event has arrived for this long; default 20 ms. */
  readonly idleFlushMs?: number;
  /** Stops a follower: the pending batch is committed and the subscription closed. */
  readonly signal?: AbortSignal;
  /** Called after each committed batch. */
  readonly onBatch?: (batch: BatchReport) => void;
  /** Called once, when the read models have caught up with the store. */
  readonly onCaughtUp?: (checkpoint: number) => void;
}

export interface BatchReport {
  readonly events: number;
  readonly stored: number;
  readonly redelivered: number;
  readonly checkpoint: number;
}

export interface RunResult {
  /** Events delivered by the store (re-delivered ones included). */
  readonly delivered: number;
  /** Facts this run stored. */
  readonly stored: number;
  readonly checkpoint: number;
}

/** Cases whose facts are read from the store at once when their folds are restored. */
const RESTORE_CONCURRENCY = 32;

/**
 * Applies a batch. A case projected without a snapshot of its fold (by a parallel rebuild) is
 * first refolded from its facts in the store, up to its last projected revision: one stream read
 * per such case, the first time one of its facts arrives.
 */
export const applyRestoringFolds = async (
  store: EventStore,
  readModels: ReadModels,
  events: readonly RecordedEvent[],
  through: number,
): Promise<ApplyResult> => {
  const restore = async (cases: ReadonlyMap<string, number>): Promise<void> => {
    const missing = [...cases];
    for (let i = 0; i < missing.length; i += RESTORE_CONCURRENCY) {
      const chunk = missing.slice(i, i + RESTORE_CONCURRENCY);
      const facts = await Promise.all(
        chunk.map(([caseId, revision]) =>
          store.readStream(`${CASE_STREAM_PREFIX}${caseId}`, { maxCount: revision + 1 }),
        ),
      );
      chunk.forEach(([caseId], k) => readModels.restoreFold(caseId, facts[k] ?? []));
    }
  };
  // Restored before the batch is decoded; if another runner wrote the file in between, the batch
  // is refused and the folds it names are restored again.
  await restore(readModels.missingFolds(events));
  for (let attempt = 1; ; attempt++) {
    try {
      return readModels.apply(events, through);
    } catch (error) {
      if (!(error instanceof MissingFoldsError) || attempt === 3) throw error;
      await restore(error.cases);
    }
  }
};

/** What the wait resolves to when the store went quiet or the runner was asked to stop. */
const IDLE = Symbol('idle');

const run = async (
  store: EventStore,
  readModels: ReadModels,
  live: boolean,
  { batchSize = DEFAULT_BATCH_SIZE, idleFlushMs = 20, signal, onBatch, onCaughtUp }: RunOptions,
): Promise<RunResult> => {
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const subscription = store.subscribeToAll({
    after: readModels.checkpoint(),
    streamPrefix: CASE_STREAM_PREFIX,
  });
  const messages = subscription[Symbol.asyncIterator]();
  let batch: RecordedEvent[] = [];
  let delivered = 0;
  let stored = 0;
  let caughtUp = false;

  const flush = async (through: number): Promise<void> => {
    if (batch.length === 0 && through <= readModels.checkpoint()) return;
    const result = await applyRestoringFolds(store, readModels, batch, through);
    stored += result.stored;
    onBatch?.({ events: batch.length, ...result });
    batch = [];
  };

  // A stop request wakes the wait in progress. Not one long-lived promise raced on every event: each
  // race would leave a reaction on it holding that event, so memory would grow with the log.
  let wakeOnStop: ((idle: typeof IDLE) => void) | undefined;
  const onAbort = (): void => wakeOnStop?.(IDLE);
  signal?.addEventListener('abort', onAbort, { once: true });

  let pending = messages.next();
  try {
    for (;;) {
      if (signal?.aborted) break;
      let timer: NodeJS.Timeout | undefined;
      const idle =
        caughtUp && batch.length > 0
          ? new Promise<typeof IDLE>((resolve) => {
              timer = setTimeout(() => resolve(IDLE), idleFlushMs);
            })
          : undefined;
      const stop = signal
        ? new Promise<typeof IDLE>((resolve) => {
            wakeOnStop = resolve;
          })
        : undefined;
      const waits = [pending, idle, stop].filter((w) => w !== undefined);
      const next = waits.length === 1 ? await pending : await Promise.race(waits);
      wakeOnStop = undefined;
      clearTimeout(timer);
      if (next === IDLE) {
        // Quiet store (or stop requested): commit what has arrived, keep waiting on `pending`.
        const last = batch.at(-1);
        if (last) await flush(last.position);
        continue;
      }
      if (next.done) break;
      const message = next.value;
      if (message.kind === 'event') {
        delivered++;
        batch.push(message.event);
        if (batch.length >= batchSize) await flush(message.event.position);
      } else {
        await flush(Math.max(message.position, batch.at(-1)?.position ?? 0));
        if (!caughtUp) {
          caughtUp = true;
          onCaughtUp?.(readModels.checkpoint());
        }
        if (!live) break;
      }
      pending = messages.next();
    }
    const last = batch.at(-1);
    if (last) await flush(last.position);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await subscription.close();
    // A read still pending when the runner stops may end in an error once the subscription is
    // closed (a cancelled server stream): nothing is waiting for it any more.
    pending.catch((_cancelled: unknown) => undefined);
  }
  return { delivered, stored, checkpoint: readModels.checkpoint() };
};

/** Projects every case event stored after the checkpoint, then returns. */
export const catchUp = (
  store: EventStore,
  readModels: ReadModels,
  options: Omit<RunOptions, 'signal'> = {},
): Promise<RunResult> => run(store, readModels, false, options);

/** Catches up, then keeps the read models up to date until `options.signal` aborts. */
export const follow = (store: EventStore, readModels: ReadModels, options: RunOptions): Promise<RunResult> =>
  run(store, readModels, true, options);

export interface ProjectionStatus {
  /** The event store the read models follow. */
  readonly store: string;
  readonly readModels: string;
  /** Every case event at or before this global position is projected. */
  readonly checkpoint: number;
  /** Global position of the store's last case event (the checkpoint when none is after it). */
  readonly head: number;
  /** Case events stored after the checkpoint, not yet projected. */
  readonly lag: number;
  readonly projections: readonly { readonly name: string; readonly version: number }[];
  readonly cases: number;
  readonly facts: number;
  /**
   * `current`; `outdated` when the file was built by code of another layout or projection version
   * (the next `project run` rebuilds it from zero); `none` when there is no file yet.
   */
  readonly layout: 'current' | 'outdated' | 'none';
}

/** The case events stored after `checkpoint`: how many, and the position of the last. */
const lagAfter = async (store: EventStore, checkpoint: number): Promise<{ head: number; lag: number }> => {
  let head = checkpoint;
  let lag = 0;
  for await (const event of store.readAll({ after: checkpoint, streamPrefix: CASE_STREAM_PREFIX })) {
    lag++;
    head = event.position;
  }
  return { head, lag };
};

/** Where the read models stand against the store: counts the case events after the checkpoint. */
export const projectionStatus = async (
  store: EventStore,
  readModels: ReadModels,
): Promise<ProjectionStatus> => {
  const checkpoint = readModels.checkpoint();
  return {
    store: readModels.store,
    readModels: readModels.path,
    checkpoint,
    ...(await lagAfter(store, checkpoint)),
    projections: readModels.versions(),
    ...readModels.counts(),
    layout: 'current',
  };
};

/**
 * Where the read-model file at `path` stands against the store whose identity is `storeId`, read
 * without changing the file (`project status`): a file of an older layout is reported `outdated`
 * with the whole store as its lag, and no file as `none`.
 * @throws ReadModelStoreMismatchError when the file follows another store.
 */
export const readModelsStatus = async (
  store: EventStore,
  path: string,
  storeId: string,
): Promise<ProjectionStatus> => {
  const file = existsSync(path) ? inspectReadModels(path) : undefined;
  if (file?.store != null && file.store !== storeId)
    throw new ReadModelStoreMismatchError(path, file.store, storeId);
  const checkpoint = file?.checkpoint ?? 0;
  return {
    store: storeId,
    readModels: path,
    checkpoint,
    ...(await lagAfter(store, checkpoint)),
    projections: file?.projections ?? [],
    cases: file?.cases ?? 0,
    facts: file?.facts ?? 0,
    layout: file?.layout ?? 'none',
  };
};
