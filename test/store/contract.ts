/**
 * The event-store contract: every adapter runs this one suite.
 *
 * @example
 * eventStoreContract('in-memory', async () => ({ store: createInMemoryEventStore() }));
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConcurrencyConflictError,
  DuplicateEventIdError,
  type EventStore,
  type JsonObject,
  type NewEvent,
  type ReadAllOptions,
  type RecordedEvent,
} from '../../src/store/port.ts';

export interface ContractSubject {
  store: EventStore;
  cleanup?: () => Promise<void>;
}

/** A deterministic UUID (v4 layout) numbered `n`. */
const uuid = (n: number): string => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

let nextId = 1;
/** An event with a fresh deterministic id; `n` also goes into its data to tell events apart. */
const anEvent = (data: JsonObject = {}, type = 'Happened'): NewEvent => {
  const n = nextId++;
  return { id: uuid(n), type, data: { n, ...data }, metadata: { causationId: uuid(n) } };
};
const events = (count: number): NewEvent[] => Array.from({ length: count }, () => anEvent());

const collect = async (iterable: AsyncIterable<RecordedEvent>): Promise<RecordedEvent[]> => {
  const all: RecordedEvent[] = [];
  for await (const event of iterable) all.push(event);
  return all;
};

/** What a reader sees of an event, without the store-assigned fields. */
const written = ({ id, type, data, metadata }: NewEvent): NewEvent => ({ id, type, data, metadata });

export const eventStoreContract = (name: string, create: () => Promise<ContractSubject>): void => {
  describe(`${name} event store contract`, () => {
    let subject: ContractSubject;
    let store: EventStore;
    const readAll = (options?: ReadAllOptions) => collect(store.readAll(options));
    const rejection = async (promise: Promise<unknown>): Promise<unknown> =>
      promise.then(
        () => expect.fail('expected the promise to reject'),
        (error: unknown) => error,
      );

    beforeEach(async () => {
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
        const result = await store.appendToStream('case-1', [first, second], {
          expectedRevision: 'no-stream',
        });

        expect(result.nextExpectedRevision).toBe(1);
        const stored = await store.readStream('case-1');
        expect(stored.map(written)).toEqual([first, second]);
        expect(stored.map((event) => event.revision)).toEqual([0, 1]);
        expect(stored.map((event) => event.streamId)).toEqual(['case-1', 'case-1']);
        expect(result.position).toBe(stored[1]?.position);
      });

      it('refuses no-stream on an existing stream with ConcurrencyConflictError', async () => {
        await store.appendToStream('case-1', events(1), { expectedRevision: 'no-stream' });

        const error = await rejection(
          store.appendToStream('case-1', events(1), { expectedRevision: 'no-stream' }),
        );

        expect(error).toBeInstanceOf(ConcurrencyConflictError);
        expect(error).toMatchObject({ streamId: 'case-1', expected: 'no-stream', actual: 0 });
        expect(await store.readStream('case-1')).toHaveLength(1);
      });

      it('appends at the exact revision of the last event', async () => {
        await store.appendToStream('case-1', events(2), { expectedRevision: 'no-stream' });

        const result = await store.appendToStream('case-1', events(1), { expectedRevision: 1 });

        expect(result.nextExpectedRevision).toBe(2);
        expect(await store.readStream('case-1')).toHaveLength(3);
      });

      it('refuses an append at a stale revision with ConcurrencyConflictError', async () => {
        await store.appendToStream('case-1', events(3), { expectedRevision: 'no-stream' });

        const error = await rejection(store.appendToStream('case-1', events(1), { expectedRevision: 1 }));

        expect(error).toBeInstanceOf(ConcurrencyConflictError);
        expect(error).toMatchObject({
          name: 'ConcurrencyConflictError',
          streamId: 'case-1',
          expected: 1,
          actual: 2,
        });
        expect(await store.readStream('case-1')).toHaveLength(3);
      });

      it('refuses an append at a revision ahead of the stream', async () => {
        await store.appendToStream('case-1', events(1), { expectedRevision: 'no-stream' });

        const error = await rejection(store.appendToStream('case-1', events(1), { expectedRevision: 5 }));

        expect(error).toMatchObject({ name: 'ConcurrencyConflictError', expected: 5, actual: 0 });
      });

      it('refuses an exact revision on a missing stream, reporting it as no-stream', async () => {
        const error = await rejection(store.appendToStream('case-1', events(1), { expectedRevision: 0 }));

        expect(error).toBeInstanceOf(ConcurrencyConflictError);
        expect(error).toMatchObject({ streamId: 'case-1', expected: 0, actual: 'no-stream' });
        expect(await store.readStream('case-1')).toEqual([]);
      });

      it('appends with any to a new stream and to an existing one', async () => {
        const created = await store.appendToStream('case-1', events(1), { expectedRevision: 'any' });
        const extended = await store.appendToStream('case-1', events(2), { expectedRevision: 'any' });

        expect(created.nextExpectedRevision).toBe(0);
        expect(extended.nextExpectedRevision).toBe(2);
      });

      it('numbers revisions from 0, contiguously across batches', async () => {
        await store.appendToStream('case-1', events(2), { expectedRevision: 'no-stream' });
        await store.appendToStream('case-1', events(1), { expectedRevision: 1 });
        await store.appendToStream('case-1', events(3), { expectedRevision: 'any' });

        const revisions = (await store.readStream('case-1')).map((event) => event.revision);
        expect(revisions).toEqual([0, 1, 2, 3, 4, 5]);
      });

      it('writes none of the events of a conflicting batch', async () => {
        await store.appendToStream('case-1', events(1), { expectedRevision: 'no-stream' });
        const before = await readAll();

        await expect(
          store.appendToStream('case-1', events(3), { expectedRevision: 'no-stream' }),
        ).rejects.toThrow(ConcurrencyConflictError);

        expect(await readAll()).toEqual(before);
      });

      it('refuses a batch that holds the same id twice, and writes nothing', async () => {
        const event = anEvent();

        const error = await rejection(
          store.appendToStream('case-1', [event, anEvent(), { ...event, type: 'Other' }], {
            expectedRevision: 'no-stream',
          }),
        );

        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect(error).toMatchObject({ streamId: 'case-1', eventId: event.id });
        expect(await readAll()).toEqual([]);
      });

      it('stamps the events of a batch with one ISO timestamp of the commit', async () => {
        const before = Date.now();
        await store.appendToStream('case-1', events(2), { expectedRevision: 'no-stream' });
        const after = Date.now();

        const stored = await store.readStream('case-1');
        const [first, second] = stored.map((event) => event.created);
        expect(first).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
        expect(second).toBe(first);
        expect(Date.parse(first ?? '')).toBeGreaterThanOrEqual(before);
        expect(Date.parse(first ?? '')).toBeLessThanOrEqual(after);
      });

      it('appends nothing for an empty batch, but still checks the expected revision', async () => {
        const missing = await store.appendToStream('case-1', [], { expectedRevision: 'no-stream' });
        expect(missing).toEqual({ nextExpectedRevision: -1, position: -1 });
        const head = await store.appendToStream('case-1', events(2), { expectedRevision: 'no-stream' });

        expect(await store.appendToStream('case-1', [], { expectedRevision: 1 })).toEqual(head);
        await expect(store.appendToStream('case-1', [], { expectedRevision: 0 })).rejects.toThrow(
          ConcurrencyConflictError,
        );
        expect(await readAll()).toHaveLength(2);
      });
    });

    describe('idempotent appends', () => {
      it('returns the original result for a re-append of the same ids, and writes nothing', async () => {
        const batch = events(2);
        const original = await store.appendToStream('case-1', batch, { expectedRevision: 'no-stream' });

        const retried = await store.appendToStream('case-1', batch, { expectedRevision: 'no-stream' });

        expect(retried).toEqual(original);
        expect(await readAll()).toHaveLength(2);
      });

      it('recognises a retry whatever its expected revision, even after later appends', async () => {
        await store.appendToStream('case-1', events(1), { expectedRevision: 'no-stream' });
        const batch = events(2);
        const original = await store.appendToStream('case-1', batch, { expectedRevision: 0 });
        await store.appendToStream('case-1', events(1), { expectedRevision: 2 });
        await store.appendToStream('case-2', events(1), { expectedRevision: 'no-stream' });
        const before = await readAll();

        expect(await store.appendToStream('case-1', batch, { expectedRevision: 0 })).toEqual(original);
        expect(await store.appendToStream('case-1', batch, { expectedRevision: 'any' })).toEqual(original);
        expect(await store.appendToStream('case-1', batch, { expectedRevision: 'no-stream' })).toEqual(
          original,
        );
        expect(await readAll()).toEqual(before);
      });

      it('refuses a batch of which only part is already stored, and writes nothing', async () => {
        const [stored, fresh] = events(2);
        if (!stored || !fresh) throw new Error('two events expected');
        await store.appendToStream('case-1', [stored], { expectedRevision: 'no-stream' });

        const error = await rejection(
          store.appendToStream('case-1', [stored, fresh], { expectedRevision: 'any' }),
        );

        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect(error).toMatchObject({ streamId: 'case-1', eventId: stored.id });
        expect(await readAll()).toHaveLength(1);
      });

      it('refuses ids already stored in another stream', async () => {
        const event = anEvent();
        await store.appendToStream('case-1', [event], { expectedRevision: 'no-stream' });

        const error = await rejection(
          store.appendToStream('case-2', [event], { expectedRevision: 'no-stream' }),
        );

        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect(error).toMatchObject({ streamId: 'case-2', eventId: event.id });
        expect(await store.readStream('case-2')).toEqual([]);
      });

      it('refuses stored ids in another order', async () => {
        const [first, second] = events(2);
        if (!first || !second) throw new Error('two events expected');
        await store.appendToStream('case-1', [first, second], { expectedRevision: 'no-stream' });

        await expect(
          store.appendToStream('case-1', [second, first], { expectedRevision: 'any' }),
        ).rejects.toBeInstanceOf(DuplicateEventIdError);
        expect(await readAll()).toHaveLength(2);
      });

      it('refuses stored ids that were not consecutive', async () => {
        const [first, middle, last] = events(3);
        if (!first || !middle || !last) throw new Error('three events expected');
        await store.appendToStream('case-1', [first, middle, last], { expectedRevision: 'no-stream' });

        await expect(
          store.appendToStream('case-1', [first, last], { expectedRevision: 'any' }),
        ).rejects.toBeInstanceOf(DuplicateEventIdError);
      });
    });

    describe('reading a stream', () => {
      it('reads a missing stream as empty', async () => {
        expect(await store.readStream('case-missing')).toEqual([]);
      });

      it('reads from a revision, at most maxCount events', async () => {
        await store.appendToStream('case-1', events(5), { expectedRevision: 'no-stream' });

        const revisions = async (options: { fromRevision?: number; maxCount?: number }) =>
          (await store.readStream('case-1', options)).map((event) => event.revision);

        expect(await revisions({ fromRevision: 2 })).toEqual([2, 3, 4]);
        expect(await revisions({ maxCount: 2 })).toEqual([0, 1]);
        expect(await revisions({ fromRevision: 3, maxCount: 10 })).toEqual([3, 4]);
        expect(await revisions({ fromRevision: 1, maxCount: 0 })).toEqual([]);
        expect(await revisions({ fromRevision: 9 })).toEqual([]);
        expect(await revisions({ maxCount: Number.POSITIVE_INFINITY })).toEqual([0, 1, 2, 3, 4]);
      });

      it('reads only its own stream', async () => {
        await store.appendToStream('case-1', events(2), { expectedRevision: 'no-stream' });
        await store.appendToStream('case-10', events(1), { expectedRevision: 'no-stream' });

        expect(await store.readStream('case-1')).toHaveLength(2);
      });
    });

    describe('reading all streams', () => {
      it('reads every stream in global commit order, with strictly increasing positions', async () => {
        const a = events(2);
        const b = events(1);
        const c = events(2);
        await store.appendToStream('case-a', a, { expectedRevision: 'no-stream' });
        await store.appendToStream('case-b', b, { expectedRevision: 'no-stream' });
        await store.appendToStream('case-a', c, { expectedRevision: 1 });

        const all = await readAll();

        expect(all.map(written)).toEqual([...a, ...b, ...c]);
        expect(all.map((event) => [event.streamId, event.revision])).toEqual([
          ['case-a', 0],
          ['case-a', 1],
          ['case-b', 0],
          ['case-a', 2],
          ['case-a', 3],
        ]);
        const positions = all.map((event) => event.position);
        positions.slice(1).forEach((position, i) => {
          expect(position).toBeGreaterThan(positions[i] ?? Number.POSITIVE_INFINITY);
        });
      });

      it('returns the position of the last appended event, as read back', async () => {
        const result = await store.appendToStream('case-1', events(3), { expectedRevision: 'no-stream' });

        expect((await readAll()).at(-1)?.position).toBe(result.position);
      });

      it('resumes strictly after a checkpoint position', async () => {
        await store.appendToStream('case-1', events(3), { expectedRevision: 'no-stream' });
        const checkpoint = await store.appendToStream('case-2', events(1), { expectedRevision: 'no-stream' });
        const later = events(2);
        await store.appendToStream('case-1', later, { expectedRevision: 2 });

        const resumed = await readAll({ after: checkpoint.position });

        expect(resumed.map(written)).toEqual(later);
        expect(await readAll({ after: resumed.at(-1)?.position ?? 0 })).toEqual([]);
      });

      it('filters by a literal stream prefix, where _ and % are no wildcards', async () => {
        await store.appendToStream('case_1', events(1), { expectedRevision: 'no-stream' });
        await store.appendToStream('caseX1', events(1), { expectedRevision: 'no-stream' });
        await store.appendToStream('case%2', events(1), { expectedRevision: 'no-stream' });
        await store.appendToStream('case_2', events(1), { expectedRevision: 'no-stream' });
        await store.appendToStream('other-case_3', events(1), { expectedRevision: 'no-stream' });

        const streams = async (streamPrefix: string) =>
          (await readAll({ streamPrefix })).map((event) => event.streamId);

        expect(await streams('case_')).toEqual(['case_1', 'case_2']);
        expect(await streams('case%')).toEqual(['case%2']);
        expect(await streams('case')).toEqual(['case_1', 'caseX1', 'case%2', 'case_2']);
        expect(await streams('nothing')).toEqual([]);
      });

      it('reads at most maxCount events, combined with a checkpoint and a prefix', async () => {
        await store.appendToStream('case-1', events(3), { expectedRevision: 'no-stream' });
        await store.appendToStream('audit-1', events(2), { expectedRevision: 'no-stream' });
        await store.appendToStream('case-2', events(3), { expectedRevision: 'no-stream' });
        const all = await readAll();

        expect(await readAll({ maxCount: 2 })).toEqual(all.slice(0, 2));
        expect(await readAll({ maxCount: 0 })).toEqual([]);
        const cases = await readAll({ after: all[1]?.position ?? 0, streamPrefix: 'case-', maxCount: 3 });
        expect(cases.map((event) => [event.streamId, event.revision])).toEqual([
          ['case-1', 2],
          ['case-2', 0],
          ['case-2', 1],
        ]);
      });

      it('reads a long log completely and in order', async () => {
        const count = 2_345;
        await store.appendToStream('case-long', events(count), { expectedRevision: 'no-stream' });
        await store.appendToStream('case-other', events(1), { expectedRevision: 'no-stream' });

        const long = await readAll({ streamPrefix: 'case-long' });

        expect(long).toHaveLength(count);
        expect(long.every((event, i) => event.revision === i)).toBe(true);
        expect(await readAll({ maxCount: 1_500 })).toHaveLength(1_500);
      });
    });

    describe('isolation', () => {
      it('keeps stored events immune to changes made through appended or returned objects', async () => {
        const event = anEvent({ nested: { list: [1, 2] } });
        const copy = structuredClone(event);
        await store.appendToStream('case-1', [event], { expectedRevision: 'no-stream' });

        (event.data as { nested: { list: number[] } }).nested.list.push(3);
        const [read] = await store.readStream('case-1');
        if (read === undefined) throw new Error('the event should be stored');
        (read.data as { nested: { list: number[] } }).nested.list.push(4);
        (read.metadata as JsonObject).causationId = 'tampered';
        for await (const each of store.readAll()) (each.data as JsonObject).n = -1;

        expect((await store.readStream('case-1')).map(written)).toEqual([copy]);
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
        await store.appendToStream('case-ü_1', [event], { expectedRevision: 'no-stream' });

        const [read] = await store.readStream('case-ü_1');
        expect(read && written(read)).toStrictEqual(event);
        expect(read?.data.max).toBe(2 ** 53 - 1);
        expect((await readAll({ streamPrefix: 'case-ü' })).map(written)).toStrictEqual([event]);
      });
    });
  });
};
