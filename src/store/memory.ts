/**
 * In-memory event store, for tests and simulation. Events are deep-copied in and out
 * (`structuredClone`), so callers cannot mutate what is stored. Global positions start at 1,
 * as in the SQLite adapter: the event at position `p` is `log[p - 1]`.
 */
import { checkAppend, type StoredEventRef } from './expected-revision.ts';
import type {
  EventStore,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  SubscribeToAllOptions,
  Subscription,
} from './port.ts';
import type { SnapshotStore, StreamSnapshot } from './snapshots.ts';
import { createChangeSignal, createLogSubscription, type LogPage } from './subscription.ts';

/** Events a subscription delivers per read of the log. */
const PAGE_SIZE = 1000;

export const createInMemoryEventStore = (): EventStore & SnapshotStore => {
  const log: RecordedEvent[] = [];
  const snapshots = new Map<string, StreamSnapshot>();
  const streams = new Map<string, RecordedEvent[]>();
  const byId = new Map<string, StoredEventRef>();
  const appended = createChangeSignal();
  const subscriptions = new Set<Subscription>();

  return {
    // Everything runs synchronously inside the async function, so an append is atomic.
    async appendToStream(streamId, events, { expectedRevision }) {
      const stream = streams.get(streamId) ?? [];
      const replay = checkAppend(streamId, events, expectedRevision, stream.at(-1), (id) => byId.get(id));
      if (replay !== undefined) return replay;

      const created = new Date().toISOString();
      const recorded = events.map(({ id, type, data, metadata }, i): RecordedEvent => ({
        id,
        type,
        data: structuredClone(data),
        metadata: structuredClone(metadata),
        streamId,
        revision: stream.length + i,
        position: log.length + i + 1,
        created,
      }));
      for (const event of recorded) {
        log.push(event);
        stream.push(event);
        byId.set(event.id, event);
      }
      streams.set(streamId, stream);
      appended.notify();
      const last = stream.at(-1);
      return { nextExpectedRevision: last?.revision ?? -1, position: last?.position ?? -1 };
    },

    async readStream(
      streamId,
      { fromRevision = 0, maxCount = Number.POSITIVE_INFINITY }: ReadStreamOptions = {},
    ) {
      const stream = streams.get(streamId) ?? [];
      return stream
        .slice(Math.max(0, fromRevision), Math.max(0, fromRevision) + Math.max(0, maxCount))
        .map((event) => structuredClone(event));
    },

    async *readAll({
      after = 0,
      streamPrefix = '',
      maxCount = Number.POSITIVE_INFINITY,
    }: ReadAllOptions = {}) {
      let remaining = maxCount;
      // Indexing the live log lets events appended during the iteration be read too.
      for (let i = Math.max(0, Math.floor(after)); i < log.length && remaining > 0; i += 1) {
        const event = log[i];
        if (event === undefined || !event.streamId.startsWith(streamPrefix)) continue;
        remaining -= 1;
        yield structuredClone(event);
      }
    },

    readSnapshot: async (streamId) => snapshots.get(streamId),
    writeSnapshot: async (snapshot) => {
      snapshots.set(snapshot.streamId, { ...snapshot });
    },
    deleteSnapshots: async (streamIds) => streamIds.filter((id) => snapshots.delete(id)).length,

    subscribeToAll({ after = 0, streamPrefix = '' }: SubscribeToAllOptions = {}) {
      const read = (cursor: number): LogPage => {
        const events: RecordedEvent[] = [];
        let i = Math.max(0, Math.floor(cursor));
        for (; i < log.length && events.length < PAGE_SIZE; i += 1) {
          const event = log[i];
          if (event?.streamId.startsWith(streamPrefix)) events.push(structuredClone(event));
        }
        return { events, scannedTo: Math.max(cursor, i), more: i < log.length };
      };
      const subscription = createLogSubscription({
        after,
        read,
        signal: appended,
        onClose: () => subscriptions.delete(subscription),
      });
      subscriptions.add(subscription);
      return subscription;
    },

    async close() {
      await Promise.all([...subscriptions].map((subscription) => subscription.close()));
    },
  };
};
