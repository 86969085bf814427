/**
 * The SQLite adapter's batch append (`appendToStreams`, what bulk import writes with): many streams
 * in one transaction, each stream all-or-nothing and checked alone by the rules every append obeys
 * (expected revision, idempotent retries by event id, an id stored elsewhere refused), and
 * `streamRevisions`, which tells the importer which streams exist in one query.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type BatchAppendStore,
  ConcurrencyConflictError,
  DuplicateEventIdError,
  type EventStore,
  type NewEvent,
} from '../../src/store/port.ts';
import { createSqliteEventStore } from '../../src/store/sqlite.ts';

let dir: string;
let store: EventStore & BatchAppendStore;

const event = (n: number, id: string = randomUUID()): NewEvent => ({
  id,
  type: 'Noted',
  data: { n },
  metadata: { at: n },
});
const events = (count: number): NewEvent[] => Array.from({ length: count }, (_, n) => event(n));

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cnil-batch-'));
  store = createSqliteEventStore(join(dir, 'cnil.db'));
});

afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('given a store holding stream a (2 events)', () => {
  let a: NewEvent[];
  beforeEach(async () => {
    a = events(2);
    await store.appendToStream('a', a, { expectedRevision: 'no-stream' });
  });

  it('tells the revision of the existing streams only, in one call', async () => {
    expect(await store.streamRevisions(['a', 'b', 'c'])).toEqual(new Map([['a', 1]]));
    expect(await store.streamRevisions([])).toEqual(new Map());
  });

  it('writes each stream of a batch alone: a wrong revision and an id stored elsewhere fail, the others are written', async () => {
    const long = events(123); // more rows than one INSERT statement takes
    const outcomes = await store.appendToStreams([
      { streamId: 'b', events: long, expectedRevision: 'no-stream' },
      { streamId: 'a', events: events(1), expectedRevision: 0 },
      { streamId: 'c', events: [event(0), event(1, a[0]?.id)], expectedRevision: 'no-stream' },
      { streamId: 'd', events: events(1), expectedRevision: 'no-stream' },
      { streamId: 'a', events: a, expectedRevision: 'no-stream' },
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['written', 'failed', 'failed', 'written', 'stored']);
    expect(outcomes[1]).toMatchObject({ error: expect.any(ConcurrencyConflictError) });
    expect(outcomes[2]).toMatchObject({ error: expect.any(DuplicateEventIdError) });
    const b = await store.readStream('b');
    expect(b.map((e) => [e.id, e.revision, e.data])).toEqual(long.map((e, i) => [e.id, i, e.data]));
    expect(outcomes[0]).toMatchObject({
      result: { nextExpectedRevision: 122, position: b.at(-1)?.position },
    });
    expect(await store.readStream('c')).toEqual([]);
    expect((await store.readStream('a')).map((e) => e.id)).toEqual(a.map((e) => e.id));
    expect(await store.streamRevisions(['a', 'b', 'c', 'd'])).toEqual(
      new Map([
        ['a', 1],
        ['b', 122],
        ['d', 0],
      ]),
    );
  });

  it('refuses ids repeated in one append, and an append of stored and new ids together', async () => {
    const id = randomUUID();
    const [repeated, partial] = await store.appendToStreams([
      { streamId: 'e', events: [event(0, id), event(1, id)], expectedRevision: 'no-stream' },
      { streamId: 'a', events: [...a, event(2)], expectedRevision: 1 },
    ]);
    expect(repeated).toMatchObject({ status: 'failed', error: expect.any(DuplicateEventIdError) });
    expect(partial).toMatchObject({ status: 'failed', error: expect.any(DuplicateEventIdError) });
    expect(await store.streamRevisions(['a', 'e'])).toEqual(new Map([['a', 1]]));
  });
});
