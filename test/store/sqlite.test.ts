import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConcurrencyConflictError,
  DuplicateEventIdError,
  EventDeserializationError,
  type EventStore,
  type NewEvent,
} from '../../src/store/port.ts';
import {
  createSqliteEventStore,
  SCHEMA_VERSION,
  UnsupportedSchemaVersionError,
} from '../../src/store/sqlite.ts';
import { eventStoreContract } from './contract.ts';
import { snapshotStoreContract } from './snapshot-contract.ts';

const temporaryDirectory = () => mkdtemp(join(tmpdir(), 'cnil-store-'));

eventStoreContract('SQLite', async () => {
  const directory = await temporaryDirectory();
  return {
    store: createSqliteEventStore(join(directory, 'events.db')),
    cleanup: () => rm(directory, { recursive: true, force: true }),
  };
});

snapshotStoreContract('SQLite', async () => {
  const directory = await temporaryDirectory();
  return {
    store: createSqliteEventStore(join(directory, 'events.db')),
    cleanup: () => rm(directory, { recursive: true, force: true }),
  };
});

const anEvent = (n: number): NewEvent => ({
  id: `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`,
  type: 'Happened',
  data: { n },
  metadata: {},
});

describe('SQLite event store file', () => {
  let directory: string;
  let path: string;
  const opened: EventStore[] = [];
  const open = (at = path): EventStore => {
    const store = createSqliteEventStore(at);
    opened.push(store);
    return store;
  };
  /** Reads the file through a separate connection, as another process would. */
  const inspect = <T>(read: (db: Database.Database) => T): T => {
    const db = new Database(path, { readonly: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  };
  const dumpRows = (): string =>
    inspect((db) =>
      JSON.stringify([
        db.prepare('SELECT * FROM events ORDER BY position').raw().all(),
        db.prepare('SELECT * FROM sqlite_sequence').raw().all(),
      ]),
    );

  beforeEach(async () => {
    directory = await temporaryDirectory();
    path = join(directory, 'events.db');
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
    await rm(directory, { recursive: true, force: true });
  });

  it('keeps the events after the store is closed and reopened', async () => {
    const first = open();
    await first.appendToStream('case-1', [anEvent(1), anEvent(2)], { expectedRevision: 'no-stream' });
    const before = await first.readStream('case-1');
    await first.close();

    const reopened = open();

    expect(await reopened.readStream('case-1')).toEqual(before);
    const result = await reopened.appendToStream('case-1', [anEvent(3)], { expectedRevision: 1 });
    expect(result.nextExpectedRevision).toBe(2);
    expect(result.position).toBeGreaterThan(before.at(-1)?.position ?? Number.POSITIVE_INFINITY);
  });

  it('writes a WAL-mode file with its schema version', async () => {
    await open().appendToStream('case-1', [anEvent(1)], { expectedRevision: 'no-stream' });

    expect(inspect((db) => db.pragma('journal_mode', { simple: true }))).toBe('wal');
    expect(inspect((db) => db.pragma('user_version', { simple: true }))).toBe(SCHEMA_VERSION);
  });

  it('creates the parent directories of the file', async () => {
    path = join(directory, 'nested', 'deeper', 'events.db');

    await open().appendToStream('case-1', [anEvent(1)], { expectedRevision: 'no-stream' });

    expect(existsSync(path)).toBe(true);
  });

  it('leaves the rows byte-for-byte unchanged when an append is refused', async () => {
    const store = open();
    await store.appendToStream('case-1', [anEvent(1), anEvent(2)], { expectedRevision: 'no-stream' });
    await store.appendToStream('case-2', [anEvent(3)], { expectedRevision: 'no-stream' });
    const before = dumpRows();

    await expect(
      store.appendToStream('case-1', [anEvent(4), anEvent(5)], { expectedRevision: 0 }),
    ).rejects.toBeInstanceOf(ConcurrencyConflictError);
    await expect(
      store.appendToStream('case-1', [anEvent(2), anEvent(6)], { expectedRevision: 'any' }),
    ).rejects.toBeInstanceOf(DuplicateEventIdError);
    await expect(
      store.appendToStream('case-3', [anEvent(7), anEvent(3)], { expectedRevision: 'no-stream' }),
    ).rejects.toBeInstanceOf(DuplicateEventIdError);
    await expect(
      store.appendToStream('case-1', [anEvent(1), anEvent(2)], { expectedRevision: 'no-stream' }),
    ).resolves.toMatchObject({ nextExpectedRevision: 1 });

    expect(dumpRows()).toBe(before);
  });

  it('lets two stores on the same file see each other’s appends, and refuses the stale one', async () => {
    const alice = open();
    const bob = open();
    await alice.appendToStream('case-1', [anEvent(1)], { expectedRevision: 'no-stream' });
    const [seen] = await bob.readStream('case-1');
    await bob.appendToStream('case-1', [anEvent(2)], { expectedRevision: seen?.revision ?? -1 });

    const error = await alice.appendToStream('case-1', [anEvent(3)], { expectedRevision: 0 }).then(
      () => expect.fail('the stale append should be refused'),
      (error: unknown) => error,
    );

    expect(error).toBeInstanceOf(ConcurrencyConflictError);
    expect(error).toMatchObject({ streamId: 'case-1', expected: 0, actual: 1 });
    expect((await alice.readStream('case-1')).map((event) => event.id)).toEqual([
      anEvent(1).id,
      anEvent(2).id,
    ]);
  });

  it('delivers to a subscription the events another store appends to the same file', async () => {
    const writer = open();
    const reader = open();
    await writer.appendToStream('case-1', [anEvent(1)], { expectedRevision: 'no-stream' });
    const subscription = reader.subscribeToAll({ streamPrefix: 'case-' });
    const messages = subscription[Symbol.asyncIterator]();
    const ids = async (count: number): Promise<string[]> => {
      const received: string[] = [];
      while (received.length < count) {
        const { done, value } = await messages.next();
        if (done === true) throw new Error('the subscription ended');
        received.push(value.kind === 'event' ? value.event.id : value.kind);
      }
      return received;
    };

    expect(await ids(2)).toEqual([anEvent(1).id, 'caughtUp']);

    // Only the file tells the reader: the writer's appends do not signal another instance.
    await writer.appendToStream('case-1', [anEvent(2), anEvent(3)], { expectedRevision: 0 });
    await writer.appendToStream('audit-1', [anEvent(4)], { expectedRevision: 'no-stream' });
    await writer.appendToStream('case-2', [anEvent(5)], { expectedRevision: 'no-stream' });

    expect(await ids(3)).toEqual([anEvent(2).id, anEvent(3).id, anEvent(5).id]);
    await subscription.close();
  });

  it('reports a stored row that is not valid JSON as EventDeserializationError', async () => {
    const store = open();
    await store.appendToStream('case-1', [anEvent(1), anEvent(2)], { expectedRevision: 'no-stream' });
    const db = new Database(path);
    db.prepare("UPDATE events SET data = '{broken' WHERE stream_id = 'case-1' AND revision = 1").run();
    db.close();

    const error = await store.readStream('case-1').then(
      () => expect.fail('the broken row should not decode'),
      (error: unknown) => error,
    );

    expect(error).toBeInstanceOf(EventDeserializationError);
    expect(error).toMatchObject({ streamId: 'case-1', revision: 1 });
    expect((error as Error).cause).toBeInstanceOf(SyntaxError);
    const read: unknown[] = [];
    await expect(
      (async () => {
        for await (const event of store.readAll()) read.push(event);
      })(),
    ).rejects.toBeInstanceOf(EventDeserializationError);
    expect(read).toHaveLength(1);
  });

  it('refuses a file written with a newer schema version', async () => {
    await open().close();
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();

    expect(() => createSqliteEventStore(path)).toThrow(UnsupportedSchemaVersionError);
  });
});
