/**
 * The EventStoreDB adapter: the one contract suite, run with the unmodified `@eventstore/db-client`
 * over real gRPC —
 * - against the protocol-level test server (test/support/esdb), a separate process, three times:
 *   appending through BatchAppend (what a real node advertises), through Append, and with the
 *   server checking event ids as a real node does;
 * - against a real EventStoreDB/KurrentDB when EVENTSTORE_CONNECTION_STRING is set (skipped, and said
 *   so, otherwise).
 * The test server refuses and records every call it does not implement: each run asserts there was none.
 */
import { randomUUID } from 'node:crypto';
import { binaryEvent, EventStoreDBClient, jsonEvent, WrongExpectedVersionError } from '@eventstore/db-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createEventStoreDbEventStore,
  PositionOutOfRangeError,
  SNAPSHOT_METADATA_EVERY,
} from '../../src/store/eventstoredb.ts';
import {
  ConcurrencyConflictError,
  DuplicateEventIdError,
  EventDeserializationError,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '../../src/store/port.ts';
import { countsSince, type ServedCounts } from '../support/esdb/counts.ts';
import { type EsdbTestServer, startEsdbTestServer } from '../support/esdb/launch.ts';
import type { SnapshotStore } from '../../src/store/snapshots.ts';
import { withEsdbTestServer } from '../support/esdb/with-test-server.ts';
import { eventStoreContract } from './contract.ts';
import { snapshotStoreContract } from './snapshot-contract.ts';

const LIMITS = { idsCheckedPerStreamOnly: true } as const;

const anEvent = (data: NewEvent['data'] = {}): NewEvent => ({
  id: randomUUID(),
  type: 'Happened',
  data: { on: '2024-01-15', ...data },
  metadata: { actor: 'president', source: { title: 'Délibération SAN-2022-019' } },
});

describe('EventStoreDB through the protocol-level test server, appending with BatchAppend', () => {
  const server = withEsdbTestServer();
  eventStoreContract(
    'EventStoreDB (test server, BatchAppend)',
    async () => ({ store: createEventStoreDbEventStore(server().connectionString) }),
    LIMITS,
  );
  snapshotStoreContract('EventStoreDB (test server)', async () => ({
    store: createEventStoreDbEventStore(server().connectionString),
  }));

  describe('what only this adapter does', () => {
    const opened: (EventStore | EventStoreDBClient)[] = [];
    const open = (): EventStore & SnapshotStore => {
      const store = createEventStoreDbEventStore(server().connectionString);
      opened.push(store);
      return store;
    };
    const rawClient = (): EventStoreDBClient => {
      const client = EventStoreDBClient.connectionString(server().connectionString);
      opened.push(client);
      return client;
    };
    afterAll(async () => {
      await Promise.all(
        opened.map((each) => (each instanceof EventStoreDBClient ? each.dispose() : each.close())),
      );
    });

    it('stores JSON events whose global position is the server commit position (= prepare position)', async () => {
      const stream = `case-${randomUUID()}`;
      const event = anEvent({ reference: 'SAN-2022-019' });
      const store = open();

      const result = await store.appendToStream(stream, [event, anEvent()], {
        expectedRevision: 'no-stream',
      });

      const raw = [];
      for await (const resolved of rawClient().readStream(stream)) raw.push(resolved.event);
      expect(raw.map((each) => each?.isJson)).toEqual([true, true]);
      expect(raw[0]?.data).toEqual(event.data);
      expect(raw[0]?.metadata).toEqual(event.metadata);
      const recorded = await store.readStream(stream);
      expect(recorded.map((each) => BigInt(each.position))).toEqual(
        raw.map((each) => each?.position?.commit),
      );
      expect(raw.map((each) => each?.position?.prepare)).toEqual(raw.map((each) => each?.position?.commit));
      // Byte offsets, not a count: the adapter must not assume dense positions.
      expect(recorded[0]?.position).toBeGreaterThan(1_000);
      expect((recorded[1]?.position ?? 0) - (recorded[0]?.position ?? 0)).toBeGreaterThan(1);
      expect(result.position).toBe(recorded[1]?.position);
    });

    it('reports the server refusing a concurrent writer as ConcurrencyConflictError', async () => {
      const stream = `case-${randomUUID()}`;
      await open().appendToStream(stream, [anEvent()], { expectedRevision: 'no-stream' });

      // Both writers read revision 0, then both append at it: the server accepts one.
      const outcomes = await Promise.allSettled([
        open().appendToStream(stream, [anEvent()], { expectedRevision: 0 }),
        open().appendToStream(stream, [anEvent()], { expectedRevision: 0 }),
      ]);

      const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      expect(refused).toHaveLength(1);
      const error: unknown = refused[0]?.reason;
      expect(error).toBeInstanceOf(ConcurrencyConflictError);
      expect(error).toMatchObject({ streamId: stream, expected: 0, actual: 1 });
      expect((error as Error).cause).toBeInstanceOf(WrongExpectedVersionError);
      expect(await open().readStream(stream)).toHaveLength(2);
    });

    it('reads an event that is not a JSON object as EventDeserializationError naming stream and revision', async () => {
      const stream = `case-${randomUUID()}`;
      const client = rawClient();
      await client.appendToStream(stream, jsonEvent({ type: 'Happened', data: { on: '2024-01-15' } }));
      await client.appendToStream(stream, binaryEvent({ type: 'Happened', data: Buffer.from([0xff, 0x00]) }));
      await client.appendToStream(stream, jsonEvent({ type: 'Happened', data: [1, 2, 3] }));
      const store = open();

      for (const [revision, why] of [
        [1, 'content type is not application/json'],
        [2, 'data is not a JSON object'],
      ] as const) {
        const error = await store
          .readStream(stream, { fromRevision: revision, maxCount: 1 })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(EventDeserializationError);
        expect(error).toMatchObject({ streamId: stream, revision });
        // The message says why, as the port's other adapters do.
        expect((error as Error).message).toContain(`stream ${stream} revision ${revision}: ${why}`);
      }
      const all: RecordedEvent[] = [];
      const reading = (async () => {
        for await (const event of store.readAll({ streamPrefix: stream })) all.push(event);
      })();
      await expect(reading).rejects.toMatchObject({
        name: 'EventDeserializationError',
        streamId: stream,
        revision: 1,
      });
      expect(all).toHaveLength(1);

      const subscription = store.subscribeToAll({ streamPrefix: stream });
      const messages = subscription[Symbol.asyncIterator]();
      expect((await messages.next()).value).toMatchObject({ kind: 'event' });
      await expect(messages.next()).rejects.toMatchObject({ name: 'EventDeserializationError', revision: 1 });
      await subscription.close();
    });

    it('delivers a catch-up longer than it buffers, in order, then caughtUp, then live events', async () => {
      const prefix = `case-${randomUUID()}-`;
      const store = open();
      const stored = Array.from({ length: 2_600 }, (_, n) => anEvent({ n }));
      await store.appendToStream(`${prefix}long`, stored, { expectedRevision: 'no-stream' });
      const subscription = store.subscribeToAll({ streamPrefix: prefix });
      const received: number[] = [];
      let caughtUpAt = -1;

      for await (const message of subscription) {
        if (message.kind === 'caughtUp') {
          caughtUpAt = received.length;
          await store.appendToStream(`${prefix}live`, [anEvent({ n: -1 })], {
            expectedRevision: 'no-stream',
          });
          continue;
        }
        // A slow reader: the subscription must hold back rather than reorder or drop.
        if (received.length % 500 === 0) await new Promise((resolve) => setTimeout(resolve, 20));
        received.push(message.event.data.n as number);
        if (message.event.data.n === -1) break;
      }

      expect(caughtUpAt).toBe(stored.length);
      expect(received).toEqual([...stored.map((_, n) => n), -1]);
    });

    describe('reads per append, counted by the test server', () => {
      /** What the server served while `act` ran (nothing else talks to it meanwhile). */
      const served = async <T>(act: () => Promise<T>): Promise<{ value: T; counts: ServedCounts }> => {
        const before = await server().counts();
        const value = await act();
        return { value, counts: countsSince(before, await server().counts()) };
      };
      const none = { streamReads: 0, allReads: 0, subscriptions: 0, wrongExpectedVersions: 0 };
      /** A snapshot of `stream` at `revision` (a new event id each time). */
      const aSnapshot = (stream: string, revision: number) => ({
        streamId: stream,
        revision,
        eventId: randomUUID(),
        version: 'v',
        lastOn: '2024-01-15',
        head: null,
        state: '{}',
      });

      it('appends at the revision the writer expects without reading the stream: 0 reads per append', async () => {
        const stream = `case-${randomUUID()}`;
        const store = open();
        await store.readStream(stream); // connected before counting

        const { value: results, counts } = await served(async () => {
          const results = [
            await store.appendToStream(stream, [anEvent()], { expectedRevision: 'no-stream' }),
          ];
          for (let revision = 0; revision < 20; revision += 2)
            results.push(
              await store.appendToStream(stream, [anEvent(), anEvent()], { expectedRevision: revision }),
            );
          return results;
        });

        expect(counts).toEqual({ ...none, appends: 11, appendedEvents: 21 });
        // What each append returned is where its last event sits, as read back afterwards.
        const stored = await store.readStream(stream);
        expect(results).toEqual(
          [0, ...Array.from({ length: 10 }, (_, i) => 2 * i + 2)].map((revision) => ({
            nextExpectedRevision: revision,
            position: stored[revision]?.position,
          })),
        );
      });

      it('keeps a snapshot in the stream cnil-snapshot-<stream>, whose server keeps only the last one: one read to load it, no read to write it', async () => {
        const stream = `case-${randomUUID()}`;
        const store = open();
        await store.readStream(stream); // connected before counting
        const snapshot = (revision: number) => aSnapshot(stream, revision);

        const first = await served(() => store.writeSnapshot(snapshot(499)));
        // The first snapshot of a stream also sets its $maxCount.
        expect(first.counts).toEqual({ ...none, appends: 2, appendedEvents: 2 });
        const later = snapshot(999);
        const second = await served(() => store.writeSnapshot(later));
        expect(second.counts).toEqual({ ...none, appends: 1, appendedEvents: 1 });
        const read = await served(() => store.readSnapshot(stream));
        expect(read.counts).toEqual({ ...none, streamReads: 1, appends: 0, appendedEvents: 0 });
        expect(read.value).toEqual(later);

        const client = rawClient();
        const { metadata } = await client.getStreamMetadata(`cnil-snapshot-${stream}`);
        expect(metadata?.maxCount).toBe(1);
        // Nothing of the snapshot reaches the case's stream.
        expect(await store.readStream(stream)).toEqual([]);
      });

      it('given a snapshot stream whose $maxCount was never set (its writer stopped after the first snapshot), when snapshots go on, then the 50th sets it again', async () => {
        const stream = `case-${randomUUID()}`;
        const snapshots = `cnil-snapshot-${stream}`;
        const store = open();
        const client = rawClient();
        const snapshot = (revision: number) => aSnapshot(stream, revision);
        await client.appendToStream(snapshots, jsonEvent({ type: 'StreamSnapshot', data: snapshot(99) }));
        const maxCount = async () => (await client.getStreamMetadata(snapshots)).metadata?.maxCount;
        for (let k = 1; k < Number(SNAPSHOT_METADATA_EVERY); k++)
          await store.writeSnapshot(snapshot(100 * k + 99));
        expect(await maxCount()).toBeUndefined();
        const fiftieth = snapshot(5_099);
        const { counts } = await served(() => store.writeSnapshot(fiftieth));
        // The snapshot and the stream's metadata.
        expect(counts).toEqual({ ...none, appends: 2, appendedEvents: 2 });
        expect(await maxCount()).toBe(1);
        expect(await store.readSnapshot(stream)).toEqual(fiftieth);
      });

      it('reads a snapshot event that is not a snapshot (damaged) as no snapshot', async () => {
        const stream = `case-${randomUUID()}`;
        const store = open();
        const client = rawClient();
        await client.appendToStream(
          `cnil-snapshot-${stream}`,
          jsonEvent({ type: 'StreamSnapshot', data: { revision: 'twelve', state: '{}' } }),
        );
        expect(await store.readSnapshot(stream)).toBeUndefined();
        await client.appendToStream(
          `cnil-snapshot-${stream}`,
          binaryEvent({ type: 'StreamSnapshot', data: Buffer.from('not json') }),
        );
        expect(await store.readSnapshot(stream)).toBeUndefined();
      });

      it('delivers no snapshot to a subscription to every stream', async () => {
        const stream = `case-${randomUUID()}`;
        const store = open();
        const { position } = await store.appendToStream(stream, [anEvent()], {
          expectedRevision: 'no-stream',
        });
        await store.writeSnapshot(aSnapshot(stream, 0));
        await store.appendToStream(stream, [anEvent()], { expectedRevision: 0 });
        const subscription = store.subscribeToAll({ after: position });
        const received: string[] = [];
        try {
          for await (const message of subscription) {
            if (message.kind === 'caughtUp') break;
            received.push(message.event.streamId);
          }
        } finally {
          await subscription.close();
        }
        expect(received.filter((id) => id.includes(stream))).toEqual([stream]);
      });

      it('reads the stream once after a refused revision, and tells a retry (the original result, nothing written) from a conflict', async () => {
        const stream = `case-${randomUUID()}`;
        const store = open();
        const batch = [anEvent(), anEvent()];
        const original = await store.appendToStream(stream, batch, { expectedRevision: 'no-stream' });

        const retry = await served(() =>
          store.appendToStream(stream, batch, { expectedRevision: 'no-stream' }),
        );
        expect(retry.value).toEqual(original);
        expect(retry.counts).toEqual({
          ...none,
          streamReads: 1,
          wrongExpectedVersions: 1,
          appends: 1,
          appendedEvents: 0,
        });

        const other = [anEvent()];
        const conflict = await served(() =>
          store.appendToStream(stream, other, { expectedRevision: 'no-stream' }).catch((e: unknown) => e),
        );
        expect(conflict.value).toBeInstanceOf(ConcurrencyConflictError);
        expect(conflict.value).toMatchObject({ streamId: stream, expected: 'no-stream', actual: 1 });
        expect((conflict.value as Error).cause).toBeInstanceOf(WrongExpectedVersionError);
        expect(conflict.counts).toEqual({
          ...none,
          streamReads: 1,
          wrongExpectedVersions: 1,
          appends: 1,
          appendedEvents: 0,
        });

        expect((await store.readStream(stream)).map((event) => event.id)).toEqual(
          batch.map((event) => event.id),
        );
      });

      it('refuses, after a refused revision, a batch of which only part is stored', async () => {
        const stream = `case-${randomUUID()}`;
        const store = open();
        const [stored, fresh] = [anEvent(), anEvent()];
        await store.appendToStream(stream, [stored], { expectedRevision: 'no-stream' });

        const error = await store
          .appendToStream(stream, [stored, fresh], { expectedRevision: 'no-stream' })
          .catch((e: unknown) => e);

        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect(error).toMatchObject({ streamId: stream, eventId: stored.id });
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it('reads the stream first for `any` and for an empty batch, which have no revision to refuse', async () => {
        const stream = `case-${randomUUID()}`;
        const store = open();
        await store.appendToStream(stream, [anEvent()], { expectedRevision: 'no-stream' });

        const any = await served(() =>
          store.appendToStream(stream, [anEvent()], { expectedRevision: 'any' }),
        );
        const empty = await served(() => store.appendToStream(stream, [], { expectedRevision: 1 }));

        expect(any.counts).toEqual({ ...none, streamReads: 1, appends: 1, appendedEvents: 1 });
        expect(empty.value.nextExpectedRevision).toBe(1);
        expect(empty.counts).toEqual({ ...none, streamReads: 1, appends: 0, appendedEvents: 0 });
      });

      it('writes, as the server does, an id stored earlier in the stream when appended at the current revision (the writer read that revision, so it has seen the ids)', async () => {
        const stream = `case-${randomUUID()}`;
        const store = open();
        const first = anEvent();
        await store.appendToStream(stream, [first, anEvent()], { expectedRevision: 'no-stream' });

        await store.appendToStream(stream, [first], { expectedRevision: 1 });

        expect((await store.readStream(stream)).map((event) => event.id)).toEqual([
          first.id,
          expect.any(String),
          first.id,
        ]);
      });
    });

    it('connects through gossip when the connection string names several hosts', async () => {
      const { port } = server();
      const store = createEventStoreDbEventStore(`esdb://127.0.0.1:${port},localhost:${port}?tls=false`);
      opened.push(store);
      const stream = `case-${randomUUID()}`;

      await store.appendToStream(stream, [anEvent()], { expectedRevision: 'no-stream' });

      expect(await open().readStream(stream)).toHaveLength(1);
    });
  });
});

describe('EventStoreDB through the protocol-level test server, appending with Append', () => {
  const server = withEsdbTestServer({ batchAppend: false });
  eventStoreContract(
    'EventStoreDB (test server, Append)',
    async () => ({ store: createEventStoreDbEventStore(server().connectionString) }),
    LIMITS,
  );
});

describe('EventStoreDB through the protocol-level test server checking event ids as a real node does', () => {
  const server = withEsdbTestServer({ idempotentAppends: true });
  eventStoreContract(
    'EventStoreDB (test server, ids checked by the server)',
    async () => ({ store: createEventStoreDbEventStore(server().connectionString) }),
    LIMITS,
  );

  it('returns the original result of a retry the server answers itself, without reading the stream', async () => {
    const store = createEventStoreDbEventStore(server().connectionString);
    try {
      const stream = `case-${randomUUID()}`;
      await store.appendToStream(stream, [anEvent()], { expectedRevision: 'no-stream' });
      const batch = [anEvent(), anEvent()];
      const original = await store.appendToStream(stream, batch, { expectedRevision: 0 });
      await store.appendToStream(stream, [anEvent()], { expectedRevision: 2 });
      const before = await server().counts();

      const retried = await store.appendToStream(stream, batch, { expectedRevision: 0 });

      expect(retried).toEqual(original);
      expect(countsSince(before, await server().counts())).toMatchObject({
        streamReads: 0,
        appends: 1,
        wrongExpectedVersions: 0,
        appendedEvents: 0,
      });
      expect(await store.readStream(stream)).toHaveLength(4);
    } finally {
      await store.close();
    }
  });
});

describe('EventStoreDB positions near 2^53 (test server whose log starts at 2^53 - 200)', () => {
  let server: EsdbTestServer;
  beforeAll(async () => {
    server = await startEsdbTestServer({ firstPosition: 2n ** 53n - 200n });
  });
  afterAll(() => server.stop());

  it('refuses a commit position beyond Number.MAX_SAFE_INTEGER instead of rounding it', async () => {
    const store = createEventStoreDbEventStore(server.connectionString);
    const stream = `case-${randomUUID()}`;
    try {
      // The first record is ~330 bytes long: the second one starts beyond 2^53 - 1.
      const first = await store.appendToStream(stream, [anEvent({ padding: 'x'.repeat(200) })], {
        expectedRevision: 'no-stream',
      });
      expect(first.position).toBe(2 ** 53 - 200);

      const error = await store
        .appendToStream(stream, [anEvent()], { expectedRevision: 0 })
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(PositionOutOfRangeError);
      expect((error as PositionOutOfRangeError).commitPosition).toBeGreaterThan(
        BigInt(Number.MAX_SAFE_INTEGER),
      );
      await expect(store.readStream(stream)).rejects.toThrow('beyond Number.MAX_SAFE_INTEGER');
    } finally {
      await store.close();
    }
  });

  it('records a call it does not implement, so the run that made it fails', async () => {
    const client = EventStoreDBClient.connectionString(server.connectionString);
    try {
      await expect(client.deleteStream(`case-${randomUUID()}`)).rejects.toThrow();
    } finally {
      await client.dispose();
    }
    // The record travels on the server's stdout, which may arrive after the gRPC answer.
    await vi.waitFor(() =>
      expect(server.unimplemented).toEqual(['/event_store.client.streams.Streams/Delete']),
    );
  });
});

const REAL = process.env.EVENTSTORE_CONNECTION_STRING;
if (REAL === undefined || REAL === '') {
  console.info(
    'EventStoreDB contract against a real server: SKIPPED — set EVENTSTORE_CONNECTION_STRING ' +
      '(e.g. esdb://localhost:2113?tls=false after `docker compose up -d --wait`) to run it.',
  );
}
describe.skipIf(REAL === undefined || REAL === '')(
  'EventStoreDB against a real server (EVENTSTORE_CONNECTION_STRING)',
  () => {
    eventStoreContract(
      'EventStoreDB (real server)',
      async () => ({ store: createEventStoreDbEventStore(REAL ?? '') }),
      LIMITS,
    );
    snapshotStoreContract('EventStoreDB (real server)', async () => ({
      store: createEventStoreDbEventStore(REAL ?? ''),
    }));
  },
);
