/**
 * The event-store port: what the case service and the projections need from any store.
 *
 * Adapters (in-memory, SQLite, EventStoreDB) implement it and pass one contract suite
 * (test/store/contract.ts). Stream revisions are 0-based, as in EventStoreDB; the global
 * position is a number that only grows, in commit order, across all streams.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** An event about to be appended. `id` is a UUID chosen by the writer (deterministic for datasets). */
export interface NewEvent {
  readonly id: string;
  readonly type: string;
  readonly data: JsonObject;
  readonly metadata: JsonObject;
}

/** An event as stored. */
export interface RecordedEvent extends NewEvent {
  readonly streamId: string;
  /** 0-based index of the event in its stream. */
  readonly revision: number;
  /** Global position across all streams; strictly increasing in commit order. */
  readonly position: number;
  /** When the store committed the event (ISO timestamp); not the legal date of the act. */
  readonly created: string;
}

/**
 * What the writer believes about the stream before appending:
 * - `'no-stream'`: the stream must not exist yet;
 * - `'any'`: no check;
 * - a number: the revision of the stream's last event must be exactly this.
 */
export type ExpectedRevision = 'no-stream' | 'any' | number;

export interface AppendOptions {
  readonly expectedRevision: ExpectedRevision;
}

export interface AppendResult {
  /** Revision of the last event of the stream after the append (the next expected revision). */
  readonly nextExpectedRevision: number;
  /** Global position of the last appended event. */
  readonly position: number;
}

export interface ReadStreamOptions {
  /** First revision to read (inclusive); default 0. */
  readonly fromRevision?: number;
  readonly maxCount?: number;
}

export interface ReadAllOptions {
  /** Read events whose global position is strictly greater than this; default: from the start. */
  readonly after?: number;
  /** Only streams whose id starts with this prefix (e.g. `case-`). */
  readonly streamPrefix?: string;
  readonly maxCount?: number;
}

export interface SubscribeToAllOptions {
  /** Deliver events whose global position is strictly greater than this; default: from the start. */
  readonly after?: number;
  /** Only streams whose id starts with this prefix (e.g. `case-`). */
  readonly streamPrefix?: string;
}

/**
 * What a subscription delivers: first every stored event after the checkpoint (catch-up), then one
 * `caughtUp`, then each event as it is appended.
 *
 * `caughtUp.position` is a checkpoint: every matching event at or before it has been delivered, so a
 * new subscription `after` it delivers exactly the events that follow. It is at least the position of
 * the last event delivered before it (the SQLite and in-memory stores report the head of the log,
 * EventStoreDB the last event delivered), or `after` (0 by default) when there was none.
 */
export type SubscriptionMessage =
  | { readonly kind: 'event'; readonly event: RecordedEvent }
  | { readonly kind: 'caughtUp'; readonly position: number };

/**
 * A live subscription: iterate it (once) with `for await`; `close()` ends the iteration, as does
 * leaving the loop. Closing the store closes its subscriptions.
 *
 * @example
 * const subscription = store.subscribeToAll({ after: checkpoint, streamPrefix: 'case-' });
 * for await (const message of subscription) {
 *   if (message.kind === 'event') project(message.event);
 * }
 */
export interface Subscription extends AsyncIterable<SubscriptionMessage> {
  close(): Promise<void>;
}

/** One stream's part of {@link BatchAppendStore.appendToStreams}. */
export interface StreamAppend {
  readonly streamId: string;
  readonly events: readonly NewEvent[];
  readonly expectedRevision: ExpectedRevision;
}

/**
 * What became of one stream's append in a batch: `written` (this call wrote the events), `stored`
 * (every event was already stored: an idempotent retry, nothing written by this call), or `failed`
 * (a `ConcurrencyConflictError` or another append error; nothing of this stream was written).
 */
export type StreamAppendOutcome =
  | { readonly status: 'written' | 'stored'; readonly result: AppendResult }
  | { readonly status: 'failed'; readonly error: Error };

/**
 * A store that can append to many streams in one transaction — one commit and one sync for all —
 * while each stream's append is still checked and applied alone (all of its events or none).
 * The SQLite adapter has it; bulk import (src/import/) uses it when the store offers it.
 */
export interface BatchAppendStore {
  appendToStreams(appends: readonly StreamAppend[]): Promise<StreamAppendOutcome[]>;
  /**
   * The revision of the last event of each of these streams that exists (absent: no such stream),
   * in one read: how a bulk writer learns which of its streams are new without reading them.
   */
  streamRevisions(streamIds: readonly string[]): Promise<Map<string, number>>;
}

/** Whether the store can append to many streams in one transaction. */
export const canAppendToStreams = <S extends EventStore>(store: S): store is S & BatchAppendStore =>
  typeof (store as Partial<BatchAppendStore>).appendToStreams === 'function';

/**
 * A store that knows which streams hold a person's personal data, so that `forget` reads only
 * those (the SQLite adapter keeps such an index: src/store/person-index.ts).
 */
export interface PersonIndexStore {
  /**
   * The streams holding personal data of `personId`, in stream-id order; undefined when the store
   * has no index to answer from (the caller then scans the log).
   */
  streamsHoldingPerson(personId: string): Promise<string[] | undefined>;
}

export const hasPersonIndex = (store: EventStore): store is EventStore & PersonIndexStore =>
  typeof (store as Partial<PersonIndexStore>).streamsHoldingPerson === 'function';

export interface EventStore {
  /**
   * Appends events atomically at the expected revision.
   * Re-appending events whose ids are already stored, in the same order at the end of the same
   * stream, is idempotent: nothing is written and the original result is returned.
   * @throws ConcurrencyConflictError when the stream is not at `expectedRevision`.
   */
  appendToStream(
    streamId: string,
    events: readonly NewEvent[],
    options: AppendOptions,
  ): Promise<AppendResult>;
  /** Reads a stream forwards. A stream that does not exist reads as empty. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Reads every stream in global order. */
  readAll(options?: ReadAllOptions): AsyncIterable<RecordedEvent>;
  /**
   * Subscribes to every stream (or those with a prefix) from a checkpoint: catch-up, then `caughtUp`,
   * then live events, including those appended by another store instance or process.
   */
  subscribeToAll(options?: SubscribeToAllOptions): Subscription;
  /**
   * The global position of the last stored event (0 when empty), for adapters that know it without
   * reading the log (SQLite, memory); progress estimates only.
   */
  headPosition?(): Promise<number>;
  close(): Promise<void>;
}

/** The stream was not at the revision the writer expected: someone else wrote first. */
export class ConcurrencyConflictError extends Error {
  override readonly name = 'ConcurrencyConflictError';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    /** Revision of the stream's last event, or `'no-stream'`. */
    readonly actual: number | 'no-stream',
    options?: ErrorOptions,
  ) {
    super(
      `stream ${streamId}: expected revision ${String(expected)}, but the stream is at ${String(actual)}`,
      options,
    );
  }
}

/** A stored event could not be decoded. `reason` says why (default: 'the stored event could not be decoded'). */
export class EventDeserializationError extends Error {
  override readonly name = 'EventDeserializationError';
  constructor(
    readonly streamId: string,
    readonly revision: number,
    options?: ErrorOptions & { readonly reason?: string },
  ) {
    super(
      `stream ${streamId} revision ${revision}: ${options?.reason ?? 'the stored event could not be decoded'}`,
      options,
    );
  }
}

/**
 * Events were appended with ids already stored elsewhere, or only part of a batch was already stored.
 * The EventStoreDB adapter only sees the ids of the stream appended to: the server has no index of
 * event ids across streams, so an id reused in another stream is not detected there.
 */
export class DuplicateEventIdError extends Error {
  override readonly name = 'DuplicateEventIdError';
  constructor(
    readonly streamId: string,
    readonly eventId: string,
    options?: ErrorOptions,
  ) {
    super(`stream ${streamId}: event id ${eventId} is already stored at another place`, options);
  }
}

/** The stream id of a case. */
export const caseStreamId = (caseId: string): string => `case-${caseId}`;

/**
 * The store cannot be used: unknown kind, missing (for a command that only reads), not a database,
 * locked, read-only, unreachable. `store` is the store's display name, without credentials;
 * `hint` says what may help (e.g. `docker compose up`).
 */
export class StoreUnavailableError extends Error {
  override readonly name: string = 'StoreUnavailableError';
  constructor(
    readonly store: string,
    readonly reason: string,
    readonly hint?: string,
    options?: ErrorOptions,
  ) {
    super(`${store}: ${reason}${hint === undefined ? '' : ` (${hint})`}`, options);
  }
}
