/**
 * The event-store contract: every adapter runs this one suite.
 *
 * Each test writes to streams of its own (a prefix unique to the run and the test), and reads the log
 * through that prefix or after a position it wrote: the suite passes on a store that already holds
 * events, such as a real EventStoreDB server.
 *
 * @example
 * eventStoreContract('in-memory', async () => ({ store: createInMemoryEventStore() }));
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConcurrencyConflictError,
  DuplicateEventIdError,
  type EventStore,
  type JsonObject,
  type NewEvent,
  type ReadAllOptions,
  type RecordedEvent,
  type SubscriptionMessage,
} from '../../src/store/port.ts';

export interface ContractSubject {
  store: EventStore;
  cleanup?: () => Promise<void>;
}

/** What an adapter cannot do, stated so the suite checks the documented behaviour instead. */
export interface ContractLimits {
  /**
   * The store only knows the ids of the stream appended to (EventStoreDB has no index of event ids
   * across streams), so it cannot refuse an id already stored in another stream.
   */
  readonly idsCheckedPerStreamOnly?: boolean;
}

let nextN = 1;
/** An event with a fresh random id; `n` goes into its data to tell events apart. */
const anEvent = (data: JsonObject = {}, type = 'Happened'): NewEvent => {
  const n = nextN++;
  return { id: randomUUID(), type, data: { n, ...data }, metadata: { causationId: randomUUID() } };
};
const events = (count: number): NewEvent[] => Array.from({ length: count }, () => anEvent());

const collect = async (iterable: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> => {
  const all: RecordedEvent[] = [];
  for await (const event of iterable) all.push(event);
  return all;
};

/** What a reader sees of an event, without the store-assigned fields. */
const written = ({ id, type, data, metadata }: NewEvent): NewEvent => ({ id, type, data, metadata });

/** The next message of a subscription; fails after `ms` instead of hanging the suite. */
const nextMessage = async (
  messages: AsyncIterator<SubscriptionMessage>,
  ms = 5_000,
): Promise<IteratorResult<SubscriptionMessage>> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no subscription message within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([messages.next(), timeout]);
  } finally {
    clearTimeout(timer);
  }
};

/** The next `count` events of a subscription (failing on anything else). */
const nextEvents = async (
  messages: AsyncIterator<SubscriptionMessage>,
  count: number,
): Promise<RecordedEvent[]> => {
  const received: RecordedEvent[] = [];
  while (received.length < count) {
    const result = await nextMessage(messages);
    if (result.done === true) throw new Error(`the subscription ended after ${received.length} events`);
    if (result.value.kind !== 'event') throw new Error(`expected an event, got ${result.value.kind}`);
    received.push(result.value.event);
  }
  return received;
};

/** The events of the catch-up, and the caughtUp position that ends it. */
const catchUp = async (
  messages: AsyncIterator<SubscriptionMessage>,
): Promise<{ events: RecordedEvent[]; position: number }> => {
  const received: RecordedEvent[] = [];
  for (;;) {
    const result = await nextMessage(messages);
    if (result.done === true) throw new Error('the subscription ended before catching up');
    if (result.value.kind === 'caughtUp') return { events: received, position: result.value.position };
    received.push(result.value.event);
  }
};

let nextTest = 1;
const RUN = randomUUID().slice(0, 8);

export const eventStoreContract = (
  name: string,
  create: () => Promise<ContractSubject>,
  limits: ContractLimits = {},
): void => {
  describe(`${name} event store contract`, () => {
    let subject: ContractSubject;
    let store: EventStore;
    /** The prefix of every stream this test writes. */
    let p = '';
    /** A stream of this test. */
    const sid = (name: string): string => `${p}${name}`;
    /** Reads this test's streams (those under `p`, narrowed by `streamPrefix`). */
    const readAll = (options: ReadAllOptions = {}) =>
      collect(store.readAll({ ...options, streamPrefix: sid(options.streamPrefix ?? '') }));
    const rejection = async (promise: Promise<unknown>): Promise<unknown> =>
      promise.then(
        () => expect.fail('expected the promise to reject'),
        (error: unknown) => error,
      );

    beforeEach(async () => {
      p = `t${RUN}-${nextTest++}-`;
      subject = await create();
      store = subject.store;
    });
    afterEach(async () => {
      await store.close();
      await subject.cleanup?.();
    });

    describe('appending', () => {
      it('starts a new stream at revision 0 when appending with no-stream', async () => {
        const [first, second] = events(2);
        if (!first || !second) throw new Error('two events expected');
        const result = await store.appendToStream(sid('case-1'), [first, second], {
          expectedRevision: 'no-stream',
        });

        expect(result.nextExpectedRevision).toBe(1);
        const stored = await store.readStream(sid('case-1'));
        expect(stored.map(written)).toEqual([first, second]);
        expect(stored.map((event) => event.revision)).toEqual([0, 1]);
        expect(stored.map((event) => event.streamId)).toEqual([sid('case-1'), sid('case-1')]);
        expect(result.position).toBe(stored[1]?.position);
      });

      it('refuses no-stream on an existing stream with ConcurrencyConflictError', async () => {
        await store.appendToStream(sid('case-1'), events(1), { expectedRevision: 'no-stream' });

        const error = await rejection(
          store.appendToStream(sid('case-1'), events(1), { expectedRevision: 'no-stream' }),
        );

        expect(error).toBeInstanceOf(ConcurrencyConflictError);
        expect(error).toMatchObject({ streamId: sid('case-1'), expected: 'no-stream', actual: 0 });
        expect(await store.readStream(sid('case-1'))).toHaveLength(1);
      });

      it('appends at the exact revision of the last event', async () => {
        await store.appendToStream(sid('case-1'), events(2), { expectedRevision: 'no-stream' });

        const result = await store.appendToStream(sid('case-1'), events(1), { expectedRevision: 1 });

        expect(result.nextExpectedRevision).toBe(2);
        expect(await store.readStream(sid('case-1'))).toHaveLength(3);
      });

      it('refuses an append at a stale revision with ConcurrencyConflictError', async () => {
        await store.appendToStream(sid('case-1'), events(3), { expectedRevision: 'no-stream' });

        const error = await rejection(
          store.appendToStream(sid('case-1'), events(1), { expectedRevision: 1 }),
        );

        expect(error).toBeInstanceOf(ConcurrencyConflictError);
        expect(error).toMatchObject({
          name: 'ConcurrencyConflictError',
          streamId: sid('case-1'),
          expected: 1,
          actual: 2,
        });
        expect(await store.readStream(sid('case-1'))).toHaveLength(3);
      });

      it('refuses an append at a revision ahead of the stream', async () => {
        await store.appendToStream(sid('case-1'), events(1), { expectedRevision: 'no-stream' });

        const error = await rejection(
          store.appendToStream(sid('case-1'), events(1), { expectedRevision: 5 }),
        );

        expect(error).toMatchObject({ name: 'ConcurrencyConflictError', expected: 5, actual: 0 });
      });

      it('refuses an exact revision on a missing stream, reporting it as no-stream', async () => {
        const error = await rejection(
          store.appendToStream(sid('case-1'), events(1), { expectedRevision: 0 }),
        );

        expect(error).toBeInstanceOf(ConcurrencyConflictError);
        expect(error).toMatchObject({ streamId: sid('case-1'), expected: 0, actual: 'no-stream' });
        expect(await store.readStream(sid('case-1'))).toEqual([]);
      });

      it('appends with any to a new stream and to an existing one', async () => {
        const created = await store.appendToStream(sid('case-1'), events(1), { expectedRevision: 'any' });
        const extended = await store.appendToStream(sid('case-1'), events(2), { expectedRevision: 'any' });

        expect(created.nextExpectedRevision).toBe(0);
        expect(extended.nextExpectedRevision).toBe(2);
      });

      it('numbers revisions from 0, contiguously across batches', async () => {
        await store.appendToStream(sid('case-1'), events(2), { expectedRevision: 'no-stream' });
        await store.appendToStream(sid('case-1'), events(1), { expectedRevision: 1 });
        await store.appendToStream(sid('case-1'), events(3), { expectedRevision: 'any' });

        const revisions = (await store.readStream(sid('case-1'))).map((event) => event.revision);
        expect(revisions).toEqual([0, 1, 2, 3, 4, 5]);
      });

      it('writes none of the events of a conflicting batch', async () => {
        await store.appendToStream(sid('case-1'), events(1), { expectedRevision: 'no-stream' });
        const before = await readAll();

        await expect(
          store.appendToStream(sid('case-1'), events(3), { expectedRevision: 'no-stream' }),
        ).rejects.toThrow(ConcurrencyConflictError);

        expect(await readAll()).toEqual(before);
      });

      it('refuses a batch that holds the same id twice, and writes nothing', async () => {
        const event = anEvent();

        const error = await rejection(
          store.appendToStream(sid('case-1'), [event, anEvent(), { ...event, type: 'Other' }], {
            expectedRevision: 'no-stream',
          }),
        );

        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect(error).toMatchObject({ streamId: sid('case-1'), eventId: event.id });
        expect(await readAll()).toEqual([]);
      });

      it('stamps the events of a batch with the ISO time of the commit', async () => {
        const before = Date.now();
        await store.appendToStream(sid('case-1'), events(2), { expectedRevision: 'no-stream' });
        const after = Date.now();

        const stored = await store.readStream(sid('case-1'));
        const [first, second] = stored.map((event) => Date.parse(event.created));
        expect(stored[0]?.created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
        // EventStoreDB stamps each record as it writes it: the times of one batch may differ slightly.
        expect(first).toBeGreaterThanOrEqual(before);
        expect(second).toBeGreaterThanOrEqual(first ?? Number.POSITIVE_INFINITY);
        expect(second).toBeLessThanOrEqual(after);
      });

      it('appends nothing for an empty batch, but still checks the expected revision', async () => {
        const missing = await store.appendToStream(sid('case-1'), [], { expectedRevision: 'no-stream' });
        expect(missing).toEqual({ nextExpectedRevision: -1, position: -1 });
        const head = await store.appendToStream(sid('case-1'), events(2), { expectedRevision: 'no-stream' });

        expect(await store.appendToStream(sid('case-1'), [], { expectedRevision: 1 })).toEqual(head);
        await expect(store.appendToStream(sid('case-1'), [], { expectedRevision: 0 })).rejects.toThrow(
          ConcurrencyConflictError,
        );
        expect(await readAll()).toHaveLength(2);
      });
    });

    describe('idempotent appends', () => {
      it('returns the original result for a re-append of the same ids, and writes nothing', async () => {
        const batch = events(2);
        const original = await store.appendToStream(sid('case-1'), batch, { expectedRevision: 'no-stream' });

        const retried = await store.appendToStream(sid('case-1'), batch, { expectedRevision: 'no-stream' });

        expect(retried).toEqual(original);
        expect(await readAll()).toHaveLength(2);
      });

      it('recognises a retry whatever its expected revision, even after later appends', async () => {
        await store.appendToStream(sid('case-1'), events(1), { expectedRevision: 'no-stream' });
        const batch = events(2);
        const original = await store.appendToStream(sid('case-1'), batch, { expectedRevision: 0 });
        await store.appendToStream(sid('case-1'), events(1), { expectedRevision: 2 });
        await store.appendToStream(sid('case-2'), events(1), { expectedRevision: 'no-stream' });
        const before = await readAll();

        expect(await store.appendToStream(sid('case-1'), batch, { expectedRevision: 0 })).toEqual(original);
        expect(await store.appendToStream(sid('case-1'), batch, { expectedRevision: 'any' })).toEqual(
          original,
        );
        expect(await store.appendToStream(sid('case-1'), batch, { expectedRevision: 'no-stream' })).toEqual(
          original,
        );
        expect(await readAll()).toEqual(before);
      });

      it('refuses a batch of which only part is already stored, and writes nothing', async () => {
        const [stored, fresh] = events(2);
        if (!stored || !fresh) throw new Error('two events expected');
        await store.appendToStream(sid('case-1'), [stored], { expectedRevision: 'no-stream' });

        const error = await rejection(
          store.appendToStream(sid('case-1'), [stored, fresh], { expectedRevision: 'any' }),
        );

        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect(error).toMatchObject({ streamId: sid('case-1'), eventId: stored.id });
        expect(await readAll()).toHaveLength(1);
      });

      if (limits.idsCheckedPerStreamOnly) {
        it('does not see ids stored in another stream (ids are checked per stream only)', async () => {
          const event = anEvent();
          await store.appendToStream(sid('case-1'), [event], { expectedRevision: 'no-stream' });

          await store.appendToStream(sid('case-2'), [event], { expectedRevision: 'no-stream' });

          expect((await store.readStream(sid('case-2'))).map(written)).toEqual([event]);
        });
      } else {
        it('refuses ids already stored in another stream', async () => {
          const event = anEvent();
          await store.appendToStream(sid('case-1'), [event], { expectedRevision: 'no-stream' });

          const error = await rejection(
            store.appendToStream(sid('case-2'), [event], { expectedRevision: 'no-stream' }),
          );

          expect(error).toBeInstanceOf(DuplicateEventIdError);
          expect(error).toMatchObject({ streamId: sid('case-2'), eventId: event.id });
          expect(await store.readStream(sid('case-2'))).toEqual([]);
        });
      }

      it('refuses stored ids in another order', async () => {
        const [first, second] = events(2);
        if (!first || !second) throw new Error('two events expected');
        await store.appendToStream(sid('case-1'), [first, second], { expectedRevision: 'no-stream' });

        await expect(
          store.appendToStream(sid('case-1'), [second, first], { expectedRevision: 'any' }),
        ).rejects.toBeInstanceOf(DuplicateEventIdError);
        expect(await readAll()).toHaveLength(2);
      });

      it('refuses stored ids that were not consecutive', async () => {
        const [first, middle, last] = events(3);
        if (!first || !middle || !last) throw new Error('three events expected');
        await store.appendToStream(sid('case-1'), [first, middle, last], { expectedRevision: 'no-stream' });

        await expect(
          store.appendToStream(sid('case-1'), [first, last], { expectedRevision: 'any' }),
        ).rejects.toBeInstanceOf(DuplicateEventIdError);
      });
    });

    describe('reading a stream', () => {
      it('reads a missing stream as empty', async () => {
        expect(await store.readStream(sid('case-missing'))).toEqual([]);
      });

      it('reads from a revision, at most maxCount events', async () => {
        await store.appendToStream(sid('case-1'), events(5), { expectedRevision: 'no-stream' });

        const revisions = async (options: { fromRevision?: number; maxCount?: number }) =>
          (await store.readStream(sid('case-1'), options)).map((event) => event.revision);

        expect(await revisions({ fromRevision: 2 })).toEqual([2, 3, 4]);
        expect(await revisions({ maxCount: 2 })).toEqual([0, 1]);
        expect(await revisions({ fromRevision: 3, maxCount: 10 })).toEqual([3, 4]);
        expect(await revisions({ fromRevision: 1, maxCount: 0 })).toEqual([]);
        expect(await revisions({ fromRevision: 9 })).toEqual([]);
        expect(await revisions({ maxCount: Number.POSITIVE_INFINITY })).toEqual([0, 1, 2, 3, 4]);
      });

      it('reads only its own stream', async () => {
        await store.appendToStream(sid('case-1'), events(2), { expectedRevision: 'no-stream' });
        await store.appendToStream(sid('case-10'), events(1), { expectedRevision: 'no-stream' });

        expect(await store.readStream(sid('case-1'))).toHaveLength(2);
      });
    });

    describe('reading all streams', () => {
      it('reads every stream in global commit order, with strictly increasing positions', async () => {
        const a = events(2);
        const b = events(1);
        const c = events(2);
        await store.appendToStream(sid('case-a'), a, { expectedRevision: 'no-stream' });
        await store.appendToStream(sid('case-b'), b, { expectedRevision: 'no-stream' });
        await store.appendToStream(sid('case-a'), c, { expectedRevision: 1 });

        const all = await readAll();

        expect(all.map(written)).toEqual([...a, ...b, ...c]);
        expect(all.map((event) => [event.streamId, event.revision])).toEqual([
          [sid('case-a'), 0],
          [sid('case-a'), 1],
          [sid('case-b'), 0],
          [sid('case-a'), 2],
          [sid('case-a'), 3],
        ]);
        const positions = all.map((event) => event.position);
        positions.slice(1).forEach((position, i) => {
          expect(position).toBeGreaterThan(positions[i] ?? Number.POSITIVE_INFINITY);
        });
      });

      it('reads every stream without a prefix, after a checkpoint', async () => {
        const start = await store.appendToStream(sid('start'), events(1), { expectedRevision: 'no-stream' });
        const a = events(1);
        const b = events(2);
        await store.appendToStream(sid('case-a'), a, { expectedRevision: 'no-stream' });
        await store.appendToStream(`${sid('other')}`, b, { expectedRevision: 'no-stream' });

        const all = await collect(store.readAll({ after: start.position }));

        // Another writer may share the store (a real server): only this test's streams are compared.
        expect(all.filter((event) => event.streamId.startsWith(p)).map(written)).toEqual([...a, ...b]);
      });

      it('returns the position of the last appended event, as read back', async () => {
        const result = await store.appendToStream(sid('case-1'), events(3), {
          expectedRevision: 'no-stream',
        });

        expect((await readAll()).at(-1)?.position).toBe(result.position);
      });

      it('resumes strictly after a checkpoint position', async () => {
        await store.appendToStream(sid('case-1'), events(3), { expectedRevision: 'no-stream' });
        const checkpoint = await store.appendToStream(sid('case-2'), events(1), {
          expectedRevision: 'no-stream',
        });
        const later = events(2);
        await store.appendToStream(sid('case-1'), later, { expectedRevision: 2 });

        const resumed = await readAll({ after: checkpoint.position });

        expect(resumed.map(written)).toEqual(later);
        expect(await readAll({ after: resumed.at(-1)?.position ?? 0 })).toEqual([]);
      });

      it('filters by a literal stream prefix, where _ and % are no wildcards', async () => {
        await store.appendToStream(sid('case_1'), events(1), { expectedRevision: 'no-stream' });
        await store.appendToStream(sid('caseX1'), events(1), { expectedRevision: 'no-stream' });
        await store.appendToStream(sid('case%2'), events(1), { expectedRevision: 'no-stream' });
        await store.appendToStream(sid('case_2'), events(1), { expectedRevision: 'no-stream' });
        await store.appendToStream(sid('other-case_3'), events(1), { expectedRevision: 'no-stream' });

        const streams = async (streamPrefix: string) =>
          (await readAll({ streamPrefix })).map((event) => event.streamId.slice(p.length));

        expect(await streams('case_')).toEqual(['case_1', 'case_2']);
        expect(await streams('case%')).toEqual(['case%2']);
        expect(await streams('case')).toEqual(['case_1', 'caseX1', 'case%2', 'case_2']);
        expect(await streams('nothing')).toEqual([]);
      });

      it('reads at most maxCount events, combined with a checkpoint and a prefix', async () => {
        await store.appendToStream(sid('case-1'), events(3), { expectedRevision: 'no-stream' });
        await store.appendToStream(sid('audit-1'), events(2), { expectedRevision: 'no-stream' });
        await store.appendToStream(sid('case-2'), events(3), { expectedRevision: 'no-stream' });
        const all = await readAll();

        expect(await readAll({ maxCount: 2 })).toEqual(all.slice(0, 2));
        expect(await readAll({ maxCount: 0 })).toEqual([]);
        const cases = await readAll({ after: all[1]?.position ?? 0, streamPrefix: 'case-', maxCount: 3 });
        expect(cases.map((event) => [event.streamId, event.revision])).toEqual([
          [sid('case-1'), 2],
          [sid('case-2'), 0],
          [sid('case-2'), 1],
        ]);
      });

      it('reads a long log completely and in order', async () => {
        const count = 2_345;
        await store.appendToStream(sid('case-long'), events(count), { expectedRevision: 'no-stream' });
        await store.appendToStream(sid('case-other'), events(1), { expectedRevision: 'no-stream' });

        const long = await readAll({ streamPrefix: 'case-long' });

        expect(long).toHaveLength(count);
        expect(long.every((event, i) => event.revision === i)).toBe(true);
        expect(await readAll({ maxCount: 1_500 })).toHaveLength(1_500);
      });
    });

    describe('subscribing to all streams', () => {
      it('delivers the stored events, then caughtUp, then each event as it is appended', async () => {
        const a = events(2);
        const b = events(1);
        await store.appendToStream(sid('case-a'), a, { expectedRevision: 'no-stream' });
        const last = await store.appendToStream(sid('case-b'), b, { expectedRevision: 'no-stream' });
        const subscription = store.subscribeToAll({ streamPrefix: p });
        const messages = subscription[Symbol.asyncIterator]();

        const caughtUp = await catchUp(messages);

        expect(caughtUp.events.map(written)).toEqual([...a, ...b]);
        expect(caughtUp.events.map((event) => [event.streamId, event.revision])).toEqual([
          [sid('case-a'), 0],
          [sid('case-a'), 1],
          [sid('case-b'), 0],
        ]);
        expect(caughtUp.events.at(-1)?.position).toBe(last.position);
        expect(caughtUp.position).toBeGreaterThanOrEqual(last.position);

        const live = events(2);
        const appended = await store.appendToStream(sid('case-a'), live, { expectedRevision: 1 });
        const received = await nextEvents(messages, 2);

        expect(received.map(written)).toEqual(live);
        expect(received.map((event) => [event.streamId, event.revision])).toEqual([
          [sid('case-a'), 2],
          [sid('case-a'), 3],
        ]);
        expect(received.at(-1)?.position).toBe(appended.position);
        expect(await store.readStream(sid('case-a'), { fromRevision: 2 })).toEqual(received);
        await subscription.close();
      });

      it('reports caughtUp at once on streams with no event yet', async () => {
        const subscription = store.subscribeToAll({ streamPrefix: sid('nothing-') });
        const messages = subscription[Symbol.asyncIterator]();

        expect((await catchUp(messages)).events).toEqual([]);

        const first = events(1);
        await store.appendToStream(sid('nothing-1'), first, { expectedRevision: 'no-stream' });
        expect((await nextEvents(messages, 1)).map(written)).toEqual(first);
        await subscription.close();
      });

      it('delivers only the streams with the prefix, in the catch-up and live', async () => {
        const stored = events(1);
        await store.appendToStream(sid('case-1'), stored, { expectedRevision: 'no-stream' });
        await store.appendToStream(sid('audit-1'), events(2), { expectedRevision: 'no-stream' });
        const subscription = store.subscribeToAll({ streamPrefix: sid('case-') });
        const messages = subscription[Symbol.asyncIterator]();

        expect((await catchUp(messages)).events.map(written)).toEqual(stored);

        await store.appendToStream(sid('audit-1'), events(1), { expectedRevision: 1 });
        const live = events(1);
        await store.appendToStream(sid('case-2'), live, { expectedRevision: 'no-stream' });
        expect((await nextEvents(messages, 1)).map(written)).toEqual(live);
        await subscription.close();
      });

      it('delivers every stream after the checkpoint when given no prefix', async () => {
        const start = await store.appendToStream(sid('start'), events(1), { expectedRevision: 'no-stream' });
        const stored = events(2);
        await store.appendToStream(sid('case-1'), stored, { expectedRevision: 'no-stream' });
        const subscription = store.subscribeToAll({ after: start.position });
        const messages = subscription[Symbol.asyncIterator]();

        const caughtUp = await catchUp(messages);
        const live = events(1);
        await store.appendToStream(sid('audit-1'), live, { expectedRevision: 'no-stream' });
        // Another writer may share the store (a real server): wait for this test's live event.
        let received: RecordedEvent | undefined;
        while (received?.streamId !== sid('audit-1')) [received] = await nextEvents(messages, 1);

        const ours = caughtUp.events.filter((event) => event.streamId.startsWith(p));
        expect(ours.map(written)).toEqual(stored);
        expect(written(received)).toEqual(live[0]);
        await subscription.close();
      });

      it('resumes strictly after a checkpoint: an event position, or the caughtUp position', async () => {
        const [first, ...rest] = events(3);
        if (!first) throw new Error('three events expected');
        const checkpoint = await store.appendToStream(sid('case-1'), [first], {
          expectedRevision: 'no-stream',
        });
        await store.appendToStream(sid('case-1'), rest, { expectedRevision: 0 });

        const resumed = store.subscribeToAll({ after: checkpoint.position, streamPrefix: p });
        const caughtUp = await catchUp(resumed[Symbol.asyncIterator]());
        await resumed.close();
        expect(caughtUp.events.map(written)).toEqual(rest);

        const later = events(2);
        await store.appendToStream(sid('case-2'), later, { expectedRevision: 'no-stream' });
        const again = store.subscribeToAll({ after: caughtUp.position, streamPrefix: p });
        expect((await catchUp(again[Symbol.asyncIterator]())).events.map(written)).toEqual(later);
        await again.close();
      });

      it('ends the iteration when closed, also while waiting for an event', async () => {
        await store.appendToStream(sid('case-1'), events(1), { expectedRevision: 'no-stream' });
        const subscription = store.subscribeToAll({ streamPrefix: p });
        const messages = subscription[Symbol.asyncIterator]();
        await catchUp(messages);
        const waiting = messages.next();

        await subscription.close();

        expect(await waiting).toEqual({ done: true, value: undefined });
        await store.appendToStream(sid('case-1'), events(1), { expectedRevision: 0 });
        expect(await nextMessage(messages)).toEqual({ done: true, value: undefined });
      });

      it('ends a for-await loop on close, and delivers nothing after it', async () => {
        const received: SubscriptionMessage[] = [];
        const subscription = store.subscribeToAll({ streamPrefix: p });
        let caughtUp: () => void = () => undefined;
        const isCaughtUp = new Promise<void>((resolve) => {
          caughtUp = resolve;
        });
        const loop = (async () => {
          for await (const message of subscription) {
            received.push(message);
            if (message.kind === 'caughtUp') caughtUp();
          }
        })();
        await isCaughtUp;

        await subscription.close();
        await loop;
        await store.appendToStream(sid('case-1'), events(1), { expectedRevision: 'no-stream' });

        expect(received).toEqual([{ kind: 'caughtUp', position: expect.any(Number) }]);
      });

      it('ends its subscriptions when the store is closed', async () => {
        const subscription = store.subscribeToAll({ streamPrefix: p });
        const messages = subscription[Symbol.asyncIterator]();
        await catchUp(messages);
        const waiting = messages.next();

        await store.close();

        expect(await waiting).toEqual({ done: true, value: undefined });
      });
    });

    describe('isolation', () => {
      it('keeps stored events immune to changes made through appended or returned objects', async () => {
        const event = anEvent({ nested: { list: [1, 2] } });
        const copy = structuredClone(event);
        await store.appendToStream(sid('case-1'), [event], { expectedRevision: 'no-stream' });

        (event.data as { nested: { list: number[] } }).nested.list.push(3);
        const [read] = await store.readStream(sid('case-1'));
        if (read === undefined) throw new Error('the event should be stored');
        (read.data as { nested: { list: number[] } }).nested.list.push(4);
        (read.metadata as JsonObject).causationId = 'tampered';
        for await (const each of store.readAll({ streamPrefix: p })) (each.data as JsonObject).n = -1;

        expect((await store.readStream(sid('case-1'))).map(written)).toEqual([copy]);
      });
    });

    describe('data round-trip', () => {
      it('round-trips unicode, nested objects and integers up to 2^53-1 exactly', async () => {
        const data: JsonObject = {
          text: 'Décision n° 2022-001 — « Clearview AI » 🚫👁️ 中文 עברית \u0000 "quotes" \\ \n',
          nested: { a: { b: { c: [1, [2, [3, { d: null }]]] } }, empty: {}, none: [] },
          max: Number.MAX_SAFE_INTEGER,
          min: Number.MIN_SAFE_INTEGER,
          fine: 20_000_000,
          ratio: 0.1,
          tiny: 5e-324,
          flags: [true, false, null],
        };
        const event = anEvent(data, 'Déclaré_🚀');
        await store.appendToStream(sid('case-ü_1'), [event], { expectedRevision: 'no-stream' });

        const [read] = await store.readStream(sid('case-ü_1'));
        expect(read && written(read)).toStrictEqual(event);
        expect(read?.data.max).toBe(2 ** 53 - 1);
        expect((await readAll({ streamPrefix: 'case-ü' })).map(written)).toStrictEqual([event]);
      });
    });
  });
};
