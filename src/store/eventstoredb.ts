/**
 * EventStoreDB / KurrentDB adapter, through `@eventstore/db-client` (the only file that imports it:
 * moving to `@kurrent/kurrentdb-client` is a change to this file).
 *
 * Mapping to the port:
 * - **Events** are JSON events: `data` and `metadata` are stored as JSON (`content-type:
 *   application/json`), so the legal date `on` (in data), `source` and `actor` (in metadata) are
 *   readable in the KurrentDB UI. A stored event that is not a JSON object (binary, malformed JSON,
 *   an array) reads as `EventDeserializationError` naming its stream and revision.
 * - **Global positions** are the server's commit positions, as numbers. For every event appended by a
 *   current server the commit position equals the prepare position (the event's byte offset in the
 *   transaction log: sparse, but strictly increasing in commit order), so a port position `n` maps
 *   back to the `$all` position `{ commit: n, prepare: n }` — a checkpoint round-trips. A position
 *   beyond `Number.MAX_SAFE_INTEGER` (a log of 8 PiB) is refused with `PositionOutOfRangeError`
 *   rather than rounded. No event sits at position 0 (the log starts with an epoch record), so
 *   `after: 0` means "from the start".
 * - **Streams whose name starts with `$`** are the server's own (`$$settings`, `$stats-…`): `readAll`
 *   and `subscribeToAll` without a prefix skip them.
 * - **Appends** send the caller's expected revision and nothing else: no read on the way (0 reads
 *   per append), the position returned is the one the server's answer carries (the last event's
 *   commit position). Retries are recognised by event id, and the stream is read only when the
 *   server refuses the revision (`WrongExpectedVersion`): if the batch's ids are already stored
 *   there, consecutively, the append was a retry and returns the original result (nothing written);
 *   otherwise it is a real conflict (`ConcurrencyConflictError`) or a misplaced id
 *   (`DuplicateEventIdError`), by the shared rules of `checkAppend`. Ids are only those of *this*
 *   stream (the server has no index of ids across streams), and an append at the stream's current
 *   revision is written without looking at ids, as the server itself does: the writer that read
 *   that revision has seen the stream's ids. `'any'` (no revision to check, used by no command) and
 *   an empty batch still read the stream first.
 * - **Reads**: a missing stream reads as empty. The 6.2.1 client's `readAll` sends no filter, so
 *   `readAll` filters the prefix here, page by page; `subscribeToAll` uses the server-side
 *   stream-name prefix filter.
 * - **Snapshots** (src/store/snapshots.ts, derived data the case service keeps of long cases) live in
 *   a stream of their own beside each case, `cnil-snapshot-<stream>`: the snapshot is its last event
 *   (`StreamSnapshot`, read backwards, one event), and the stream's `$maxCount` of 1 (set with the
 *   first snapshot, and again every {@link SNAPSHOT_METADATA_EVERY}) lets the server scavenge the
 *   older ones. Dropping a snapshot appends `StreamSnapshotDropped`. Like the `$` streams,
 *   these streams are hidden from `readAll` and `subscribeToAll` without a prefix, and no case prefix
 *   matches them: they are not events of the procedure.
 * - **Subscriptions** rely on the server's `caughtUp` message (KurrentDB sends it; a server too old
 *   to send it would never report `caughtUp`). The `caughtUp` position is the last event delivered,
 *   or `after` when there was none.
 */
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  jsonEvent,
  START,
  StreamNotFoundError,
  streamNameFilter,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendExpectedRevision,
  type Position,
  type ResolvedEvent,
} from '@eventstore/db-client';
import { checkAppend, checkExpectedRevision, type StoredEventRef } from './expected-revision.ts';
import {
  type AppendResult,
  ConcurrencyConflictError,
  DuplicateEventIdError,
  EventDeserializationError,
  type EventStore,
  type ExpectedRevision,
  type JsonObject,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeToAllOptions,
  type Subscription,
  type SubscriptionMessage,
} from './port.ts';
import type { SnapshotStore, StreamSnapshot } from './snapshots.ts';
import { createAsyncQueue } from './async-queue.ts';

/** Events read from `$all` per request. */
const PAGE_SIZE = 500;
/** Events a subscription holds ahead of its reader before it stops reading from the client. */
const QUEUE_LIMIT = 1_000;

/** A commit position the port cannot represent exactly as a number. */
export class PositionOutOfRangeError extends Error {
  override readonly name = 'PositionOutOfRangeError';
  constructor(
    readonly commitPosition: bigint,
    options?: ErrorOptions,
  ) {
    super(
      `EventStoreDB commit position ${commitPosition} is beyond Number.MAX_SAFE_INTEGER: ` +
        'the port cannot represent it exactly',
      options,
    );
  }
}

/** The server answered something the protocol does not allow (a bug in the server or the client). */
export class UnexpectedServerResponseError extends Error {
  override readonly name = 'UnexpectedServerResponseError';
  constructor(
    readonly streamId: string,
    readonly detail: string,
    options?: ErrorOptions,
  ) {
    super(`EventStoreDB, stream ${streamId}: ${detail}`, options);
  }
}

/** The port's position for a server commit position. */
export const toPortPosition = (commit: bigint): number => {
  if (commit < 0n || commit > BigInt(Number.MAX_SAFE_INTEGER)) throw new PositionOutOfRangeError(commit);
  return Number(commit);
};

/** The `$all` position of a port position (commit = prepare for every event of a current server). */
export const toServerPosition = (position: number): Position => {
  if (!Number.isSafeInteger(position) || position < 0) {
    throw new RangeError(`position ${position} is not a global position (an integer ≥ 0)`);
  }
  return { commit: BigInt(position), prepare: BigInt(position) };
};

const toServerRevision = (expected: ExpectedRevision): AppendExpectedRevision => {
  if (expected === 'any') return 'any';
  if (expected === 'no-stream') return 'no_stream';
  return BigInt(expected);
};

/** The revision a `WrongExpectedVersionError` says the stream is at. */
const actualOf = (error: WrongExpectedVersionError): number | 'no-stream' =>
  typeof error.actualVersion === 'bigint' ? Number(error.actualVersion) : 'no-stream';

/** What needs no read: an expected revision that is a revision, ids unique inside the batch. */
const checkBatch = (streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): void => {
  // The stream's state does not matter here: only the revision's form is checked.
  if (typeof expected === 'number') checkExpectedRevision(streamId, expected, expected);
  const ids = new Set<string>();
  for (const { id } of events) {
    if (ids.has(id)) throw new DuplicateEventIdError(streamId, id);
    ids.add(id);
  }
};

type Recorded = NonNullable<ResolvedEvent['event']>;

const isJsonObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' &&
  value !== null &&
  (Object.getPrototypeOf(value) === Object.prototype || Object.getPrototypeOf(value) === null);

/** Where an event sits, without decoding its payload (what idempotent appends compare). */
const refOf = (event: Recorded): StoredEventRef & { readonly id: string } => ({
  id: event.id,
  streamId: event.streamId,
  revision: Number(event.revision),
  position: event.position === undefined ? -1 : toPortPosition(event.position.commit),
});

/** Decodes a server event into the port's shape, or fails naming its stream and revision. */
const decode = (resolved: ResolvedEvent | AllStreamResolvedEvent): RecordedEvent => {
  const event = resolved.event;
  // Links are not resolved (resolveLinkTos is off), so every read answer carries its event.
  if (event === undefined) {
    throw new UnexpectedServerResponseError(resolved.link?.streamId ?? '?', 'an answer without its event');
  }
  const revision = Number(event.revision);
  const fail = (reason: string): never => {
    throw new EventDeserializationError(event.streamId, revision, { reason, cause: new Error(reason) });
  };
  if (!event.isJson) return fail(`content type is not application/json (event ${event.id})`);
  if (!isJsonObject(event.data)) return fail(`data is not a JSON object (event ${event.id})`);
  const metadata = event.metadata ?? {};
  if (!isJsonObject(metadata)) return fail(`metadata is not a JSON object (event ${event.id})`);
  if (event.position === undefined) return fail(`the server sent no position (event ${event.id})`);
  return {
    id: event.id,
    type: event.type,
    data: event.data,
    metadata,
    streamId: event.streamId,
    revision,
    position: toPortPosition(event.position.commit),
    created: event.created.toISOString(),
  };
};

/** The prefix of the streams that hold snapshots: `cnil-snapshot-<stream>`. */
export const SNAPSHOT_STREAM_PREFIX = 'cnil-snapshot-';
/** The type of a snapshot event, and of the event that drops the snapshot before it. */
const SNAPSHOT_TYPE = 'StreamSnapshot';
const DROPPED_TYPE = 'StreamSnapshotDropped';
/**
 * A snapshot stream's `$maxCount` is set with its first snapshot and again with every 50th: a
 * stream whose first write lost its metadata (the writer stopped in between) keeps at most 50 old
 * snapshots until the server's next scavenge, and the metadata costs one write per 50 snapshots.
 */
export const SNAPSHOT_METADATA_EVERY = 50n;

const snapshotStreamOf = (streamId: string): string => `${SNAPSHOT_STREAM_PREFIX}${streamId}`;

/**
 * Server streams (`$$settings`, `$stats-…`) and snapshot streams only match a prefix that names
 * them: they are not events of the procedure.
 */
const matches = (streamId: string, prefix: string): boolean =>
  streamId.startsWith(prefix) &&
  (prefix.startsWith('$') || !streamId.startsWith('$')) &&
  (prefix.startsWith(SNAPSHOT_STREAM_PREFIX) || !streamId.startsWith(SNAPSHOT_STREAM_PREFIX));

/** `subscribeToAll` without a prefix: every stream but the server's and the snapshots'. */
const UNPREFIXED_STREAMS = `^(?!\\$|${SNAPSHOT_STREAM_PREFIX})`;

/** The snapshot a stored `StreamSnapshot` event holds, or undefined when it is not one (damaged). */
const snapshotOf = (streamId: string, data: unknown): StreamSnapshot | undefined => {
  if (!isJsonObject(data)) return undefined;
  const { revision, eventId, version, lastOn, head, state } = data;
  if (
    typeof revision !== 'number' ||
    !Number.isSafeInteger(revision) ||
    revision < 0 ||
    typeof eventId !== 'string' ||
    typeof version !== 'string' ||
    typeof lastOn !== 'string' ||
    (head !== null && typeof head !== 'string') ||
    typeof state !== 'string'
  )
    return undefined;
  return { streamId, revision, eventId, version, lastOn, head, state };
};

/** A subscription over the client's stream: events and `caughtUp` queued in the order received. */
const wrapSubscription = (
  stream: AllStreamSubscription,
  after: number,
  onClose: (subscription: Subscription) => void,
): Subscription => {
  let lastPosition = after;
  /**
   * Moves the events the client has decoded into the queue, in order. It stops once the queue has
   * no room unless `all`: what stays in the client's stream holds back the server (HTTP/2 flow
   * control), and the queue asks again when its reader has emptied it by half.
   */
  const drain = (all = false): void => {
    while (all || queue.room) {
      const resolved = stream.read() as AllStreamResolvedEvent | null;
      if (resolved === null) break;
      if (queue.closed) continue;
      try {
        const event = decode(resolved);
        lastPosition = event.position;
        queue.push({ kind: 'event', event });
      } catch (error) {
        queue.fail(error);
      }
    }
  };
  const queue = createAsyncQueue<SubscriptionMessage>({ highWater: QUEUE_LIMIT, onLow: () => drain() });
  stream.on('readable', () => drain());
  // The client emits `caughtUp` while handling the server's message, after pushing every event
  // before it: draining them all first keeps the order.
  stream.on('caughtUp', () => {
    drain(true);
    queue.push({ kind: 'caughtUp', position: lastPosition });
  });
  stream.on('error', (error: Error) => queue.fail(error));
  stream.on('end', () => queue.end());

  let iterator: AsyncGenerator<SubscriptionMessage> | undefined;
  const subscription: Subscription = {
    async close() {
      if (queue.closed) return;
      queue.close();
      onClose(subscription);
      await stream.unsubscribe();
      stream.destroy();
    },
    // One iteration per subscription: iterating again continues the same one.
    [Symbol.asyncIterator]() {
      iterator ??= (async function* () {
        try {
          yield* queue;
        } finally {
          await subscription.close();
        }
      })();
      return iterator;
    },
  };
  return subscription;
};

/**
 * Opens a store on an EventStoreDB/KurrentDB server (the client connects lazily, at the first call).
 * @example createEventStoreDbEventStore('esdb://localhost:2113?tls=false')
 */
export const createEventStoreDbEventStore = (connectionString: string): EventStore & SnapshotStore => {
  const client = EventStoreDBClient.connectionString(connectionString);
  const subscriptions = new Set<Subscription>();

  /**
   * The raw events of a stream (payloads not decoded); a missing stream is empty. The read is always
   * consumed to its end before anything is decoded: the client's `dispose()` waits for every stream
   * it opened to finish, and an abandoned one never does.
   */
  const readRaw = async (
    streamId: string,
    fromRevision: number | typeof END,
    maxCount: number,
    direction: typeof FORWARDS | typeof BACKWARDS = FORWARDS,
  ): Promise<ResolvedEvent[]> => {
    const events: ResolvedEvent[] = [];
    try {
      const read = client.readStream(streamId, {
        fromRevision: fromRevision === END ? END : BigInt(fromRevision),
        maxCount,
        direction,
      });
      for await (const resolved of read) events.push(resolved);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  };

  /** The stream's last event and where each of its ids is stored (one read of the whole stream). */
  const storedIds = async (
    streamId: string,
  ): Promise<[StoredEventRef | undefined, (id: string) => StoredEventRef | undefined]> => {
    const byId = new Map<string, StoredEventRef>();
    let head: StoredEventRef | undefined;
    for (const { event } of await readRaw(streamId, 0, Number.MAX_SAFE_INTEGER)) {
      if (event === undefined) continue;
      const ref = refOf(event);
      byId.set(ref.id, ref);
      head = ref;
    }
    return [head, (id) => byId.get(id)];
  };

  /**
   * Appends at the expected revision; the result is the server's answer. Only a server that
   * answers without a position (none does for a write; an old one for an idempotent retry) costs a
   * read of the last event.
   */
  const append = async (
    streamId: string,
    events: readonly NewEvent[],
    expectedRevision: ExpectedRevision,
  ): Promise<AppendResult> => {
    const result = await client.appendToStream(
      streamId,
      events.map(({ id, type, data, metadata }) => jsonEvent({ id, type, data, metadata })),
      { expectedRevision: toServerRevision(expectedRevision) },
    );
    const nextExpectedRevision = Number(result.nextExpectedRevision);
    if (result.position !== undefined && result.position.commit >= 0n)
      return { nextExpectedRevision, position: toPortPosition(result.position.commit) };
    const [last] = await readRaw(streamId, nextExpectedRevision, 1);
    const position = last?.event === undefined ? undefined : refOf(last.event).position;
    if (position === undefined || position < 0) {
      throw new UnexpectedServerResponseError(
        streamId,
        `the appended event at revision ${nextExpectedRevision} could not be read back`,
      );
    }
    return { nextExpectedRevision, position };
  };

  /** The last event of a stream (one backwards read), or undefined when it has none. */
  const lastEventOf = async (streamId: string): Promise<Recorded | undefined> =>
    (await readRaw(streamId, END, 1, BACKWARDS))[0]?.event;

  return {
    async appendToStream(streamId, events, { expectedRevision }) {
      checkBatch(streamId, events, expectedRevision);
      // Without a revision to check (or anything to write), only the stream tells a retry apart.
      if (expectedRevision === 'any' || events.length === 0) {
        const replay = checkAppend(streamId, events, expectedRevision, ...(await storedIds(streamId)));
        if (replay !== undefined) return replay;
        return append(streamId, events, expectedRevision);
      }
      try {
        return await append(streamId, events, expectedRevision);
      } catch (error) {
        if (!(error instanceof WrongExpectedVersionError)) throw error;
        // A conflict, or a retry of events already stored: only now is the stream read.
        try {
          const replay = checkAppend(streamId, events, expectedRevision, ...(await storedIds(streamId)));
          if (replay !== undefined) return replay;
        } catch (refusal) {
          if (!(refusal instanceof ConcurrencyConflictError)) throw refusal;
          throw new ConcurrencyConflictError(streamId, expectedRevision, refusal.actual, { cause: error });
        }
        // The stream now accepts what the server refused: it was deleted meanwhile. Report the refusal.
        throw new ConcurrencyConflictError(streamId, expectedRevision, actualOf(error), { cause: error });
      }
    },

    async readStream(
      streamId,
      { fromRevision = 0, maxCount = Number.POSITIVE_INFINITY }: ReadStreamOptions = {},
    ) {
      const count = Math.min(Math.floor(maxCount), Number.MAX_SAFE_INTEGER);
      if (!(count > 0)) return [];
      return (await readRaw(streamId, Math.max(0, Math.floor(fromRevision)), count)).map(decode);
    },

    async *readAll({
      after = 0,
      streamPrefix = '',
      maxCount = Number.POSITIVE_INFINITY,
    }: ReadAllOptions = {}) {
      let remaining = maxCount;
      let cursor = Math.max(0, Math.floor(after));
      while (remaining > 0) {
        // A page is read whole before anything is yielded: no server call stays open meanwhile.
        const page: AllStreamResolvedEvent[] = [];
        const read = client.readAll({
          fromPosition: cursor > 0 ? toServerPosition(cursor) : START,
          maxCount: PAGE_SIZE,
          direction: FORWARDS,
        });
        for await (const resolved of read) page.push(resolved);
        for (const resolved of page) {
          const commit = resolved.event?.position?.commit ?? resolved.commitPosition;
          if (commit === undefined) continue;
          const position = toPortPosition(commit);
          // Reading from a position includes the event at it: skip what was already read.
          if (position <= cursor) continue;
          cursor = position;
          if (resolved.event === undefined || !matches(resolved.event.streamId, streamPrefix)) continue;
          yield decode(resolved);
          remaining -= 1;
          if (remaining <= 0) return;
        }
        if (page.length < PAGE_SIZE) return;
      }
    },

    async readSnapshot(streamId) {
      const last = await lastEventOf(snapshotStreamOf(streamId));
      if (last?.type !== SNAPSHOT_TYPE || !last.isJson) return undefined;
      return snapshotOf(streamId, last.data);
    },

    async writeSnapshot({ streamId, revision, eventId, version, lastOn, head, state }) {
      const stream = snapshotStreamOf(streamId);
      const result = await client.appendToStream(
        stream,
        jsonEvent({ type: SNAPSHOT_TYPE, data: { revision, eventId, version, lastOn, head, state } }),
        { expectedRevision: 'any' },
      );
      // From the stream's first snapshot, the server keeps only the last one; set again every
      // SNAPSHOT_METADATA_EVERY snapshots, in case a writer stopped between its first and the metadata.
      if (result.nextExpectedRevision % SNAPSHOT_METADATA_EVERY === 0n)
        await client.setStreamMetadata(stream, { maxCount: 1 });
    },

    async deleteSnapshots(streamIds) {
      let dropped = 0;
      for (const streamId of streamIds) {
        const stream = snapshotStreamOf(streamId);
        if ((await lastEventOf(stream))?.type !== SNAPSHOT_TYPE) continue;
        await client.appendToStream(stream, jsonEvent({ type: DROPPED_TYPE, data: {} }), {
          expectedRevision: 'any',
        });
        dropped += 1;
      }
      return dropped;
    },

    subscribeToAll({ after = 0, streamPrefix = '' }: SubscribeToAllOptions = {}) {
      const from = Math.max(0, Math.floor(after));
      const filter =
        streamPrefix === ''
          ? streamNameFilter({ regex: UNPREFIXED_STREAMS })
          : streamNameFilter({ prefixes: [streamPrefix] });
      const stream = client.subscribeToAll({
        fromPosition: from > 0 ? toServerPosition(from) : START,
        filter,
      });
      const subscription = wrapSubscription(stream, from, (closed) => subscriptions.delete(closed));
      subscriptions.add(subscription);
      return subscription;
    },

    async close() {
      await Promise.all([...subscriptions].map((subscription) => subscription.close()));
      await client.dispose();
    },
  };
};
