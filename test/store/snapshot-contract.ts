/**
 * The snapshot contract (src/store/snapshots.ts): every store that keeps snapshots runs this one
 * suite — in memory, SQLite, EventStoreDB (test server, and a real server when one is given).
 *
 * A snapshot is derived data beside a stream: one per stream, the last written replaces the one
 * before, dropping it leaves none, and it is never an event (no read of the log returns it). Each
 * test uses streams of its own, so the suite passes on a server that already holds data.
 *
 * @example
 * snapshotStoreContract('in-memory', async () => ({ store: createInMemoryEventStore() }));
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventStore, NewEvent, RecordedEvent } from '../../src/store/port.ts';
import type { SnapshotStore, StreamSnapshot } from '../../src/store/snapshots.ts';

export interface SnapshotContractSubject {
  store: EventStore & SnapshotStore;
  cleanup?: () => Promise<void>;
}

const RUN = randomUUID().slice(0, 8);
let nextTest = 1;

/** A snapshot of `streamId` taken after `revision`; `state` tells snapshots apart. */
const aSnapshot = (
  streamId: string,
  revision: number,
  state: string,
  head: string | null = null,
): StreamSnapshot => ({
  streamId,
  revision,
  eventId: randomUUID(),
  version: 'fingerprint-of-the-statechart',
  lastOn: '2024-03-01',
  head,
  state: JSON.stringify({ value: 'open', context: { note: state } }),
});

const anEvent = (n: number): NewEvent => ({ id: randomUUID(), type: 'Happened', data: { n }, metadata: {} });

const collect = async (iterable: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> => {
  const all: RecordedEvent[] = [];
  for await (const event of iterable) all.push(event);
  return all;
};

export const snapshotStoreContract = (name: string, create: () => Promise<SnapshotContractSubject>): void => {
  describe(`${name} snapshot contract`, () => {
    let subject: SnapshotContractSubject;
    let store: EventStore & SnapshotStore;
    let p = '';
    /** A case stream of this test. */
    const sid = (name: string): string => `${p}case-${name}`;

    beforeEach(async () => {
      p = `s${RUN}-${nextTest++}-`;
      subject = await create();
      store = subject.store;
    });
    afterEach(async () => {
      await store.close();
      await subject.cleanup?.();
    });

    it('given a stream without a snapshot, then it reads none and dropping it drops none', async () => {
      expect(await store.readSnapshot(sid('a'))).toBeUndefined();
      expect(await store.deleteSnapshots([sid('a')])).toBe(0);
    });

    it('given a snapshot written, then it reads back field for field, with or without a chain head', async () => {
      const plain = aSnapshot(sid('a'), 41, 'plain');
      const chained = aSnapshot(sid('b'), 0, 'chained', 'a'.repeat(64));
      await store.writeSnapshot(plain);
      await store.writeSnapshot(chained);
      expect(await store.readSnapshot(sid('a'))).toEqual(plain);
      expect(await store.readSnapshot(sid('b'))).toEqual(chained);
    });

    it('given a snapshot, when another is written for the stream, then the later one replaces it', async () => {
      await store.writeSnapshot(aSnapshot(sid('a'), 199, 'first'));
      const later = aSnapshot(sid('a'), 399, 'second');
      await store.writeSnapshot(later);
      expect(await store.readSnapshot(sid('a'))).toEqual(later);
    });

    it('given snapshots of two streams of three, when the three are dropped, then two are counted and none is left; a new one can be written', async () => {
      await store.writeSnapshot(aSnapshot(sid('a'), 9, 'a'));
      await store.writeSnapshot(aSnapshot(sid('b'), 9, 'b'));
      expect(await store.deleteSnapshots([sid('a'), sid('b'), sid('c')])).toBe(2);
      for (const stream of ['a', 'b', 'c']) expect(await store.readSnapshot(sid(stream))).toBeUndefined();
      expect(await store.deleteSnapshots([sid('a')])).toBe(0);
      const again = aSnapshot(sid('a'), 19, 'again');
      await store.writeSnapshot(again);
      expect(await store.readSnapshot(sid('a'))).toEqual(again);
    });

    it('given a stream with events and a snapshot, then no read of the log returns the snapshot: it is not an event', async () => {
      const first = await store.appendToStream(sid('a'), [anEvent(1)], { expectedRevision: 'no-stream' });
      await store.writeSnapshot(aSnapshot(sid('a'), 0, 'a'));
      await store.appendToStream(sid('a'), [anEvent(2)], { expectedRevision: 0 });
      expect((await store.readStream(sid('a'))).map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }]);
      const ofThisTest = (events: RecordedEvent[]) => events.filter((e) => e.streamId.includes(p));
      const unprefixed = ofThisTest(await collect(store.readAll({ after: first.position })));
      expect(unprefixed.map((e) => [e.streamId, e.data])).toEqual([[sid('a'), { n: 2 }]]);
      const prefixed = await collect(store.readAll({ streamPrefix: p }));
      expect(prefixed.map((e) => e.data)).toEqual([{ n: 1 }, { n: 2 }]);
    });
  });
};
