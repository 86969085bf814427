/**
 * The key store: one AES-256 key per person, kept OUTSIDE the event log (a SQLite file of its own,
 * or memory), so that deleting a person's keys makes every encrypted copy of their personal data
 * unreadable — in the event log, its backups and its replicas — without rewriting an event.
 *
 * Deletion is meant to leave no trace in the file: `secure_delete` overwrites the freed bytes, and
 * the write-ahead log is checkpointed and truncated after each erasure. Copies outside this file
 * (backups of it, the file system's free blocks) are the operator's to manage.
 */
import { existsSync, statSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { createPrivateFile } from './private-file.ts';

/** A person's data key. */
export interface PersonKey {
  readonly keyId: string;
  readonly personId: string;
  /** 32 random bytes (AES-256). */
  readonly key: Buffer;
}

/** A stream that holds personal data of a person (an entry of the key store's person index). */
export interface PersonStream {
  readonly personId: string;
  readonly streamId: string;
}

export interface KeyStore {
  /** Where the keys are: a file path, or `memory:`. */
  readonly location: string;
  /** The person's current key, created on first use. */
  keyFor(personId: string): PersonKey;
  /** Creates the missing keys of these persons at once (one commit), before a bulk append. */
  prepare?(personIds: readonly string[]): void;
  /**
   * The current keys of these persons, the missing ones created at once (one commit, one sync):
   * what a bulk append seals its events with, one look-up per person instead of one per event.
   */
  keysFor?(personIds: readonly string[]): ReadonlyMap<string, PersonKey>;
  /** The key with this id, or undefined once its person's data were erased. */
  key(keyId: string): Buffer | undefined;
  /** Whether the person has a key (their data are readable). */
  has(personId: string): boolean;
  /** Deletes every key of the person, for good; returns how many were deleted. */
  forget(personId: string): number;
  /**
   * Records that the read-model file at `path` (absolute) follows this store, so that `forget`
   * reaches it. Does nothing while there is no key store (no personal data to erase yet).
   */
  registerReadModels(path: string): void;
  /** The read-model files registered, absolute paths. */
  readModelFiles(): string[];
  /**
   * The person index of an event store that keeps none of its own (EventStoreDB, memory), which
   * `forget` reads instead of the whole log: records that these streams hold personal data of these
   * persons (one commit). Called before the events are appended, so an entry may name a stream an
   * append never reached; `forget` checks each stream it lists.
   */
  indexStreams?(entries: readonly PersonStream[]): void;
  /**
   * The streams the index lists for the person, in stream-id order, once it is complete (a read of
   * the whole log recorded every earlier one: {@link completeIndex}); undefined before.
   */
  streamsHolding?(personId: string): string[] | undefined;
  /** Records what a read of the whole log found, and from then on answers {@link streamsHolding}. */
  completeIndex?(entries: readonly PersonStream[]): void;
  close(): void;
}

/** The key store cannot be used: closed, unreadable, or the file is not a key store. */
export class KeyStoreError extends Error {
  override readonly name = 'KeyStoreError';
}

/** `--keys` names the event store's own file: the keys would sit in the log they must stay apart from. */
export class KeysInEventStoreError extends Error {
  override readonly name = 'KeysInEventStoreError';
  constructor(readonly path: string) {
    super(
      `${path} is the event store itself: the keys must be kept in a file of their own, apart from the ` +
        'events, so that deleting a key erases every copy of the data it encrypts',
    );
  }
}

/** The path of a key-store location (`sqlite:<path>` or a path), or undefined for `memory:`. */
export const keyStorePath = (location: string): string | undefined =>
  location === 'memory:'
    ? undefined
    : location.startsWith('sqlite:')
      ? location.slice('sqlite:'.length)
      : location;

/** Whether two paths name one file (the same path, or the same file through links). */
export const isSameFile = (a: string, b: string): boolean => {
  if (resolve(a) === resolve(b)) return true;
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false; // one of them does not exist yet, under another path: not the same file
  }
};

const KEY_BYTES = 32;

export const createMemoryKeyStore = (): KeyStore => {
  const streamsOf = new Map<string, Set<string>>();
  let indexComplete = false;
  const index = (entries: readonly PersonStream[]): void => {
    for (const { personId, streamId } of entries) {
      const streams = streamsOf.get(personId) ?? new Set<string>();
      streams.add(streamId);
      streamsOf.set(personId, streams);
    }
  };
  const byId = new Map<string, PersonKey>();
  const current = new Map<string, PersonKey>();
  const readModels = new Set<string>();
  const keyFor = (personId: string): PersonKey => {
    let found = current.get(personId);
    if (!found) {
      found = { keyId: randomUUID(), personId, key: randomBytes(KEY_BYTES) };
      current.set(personId, found);
      byId.set(found.keyId, found);
    }
    return found;
  };
  return {
    location: 'memory:',
    registerReadModels: (path) => void readModels.add(path),
    readModelFiles: () => [...readModels].sort(),
    keyFor,
    keysFor: (personIds) => new Map(personIds.map((personId) => [personId, keyFor(personId)])),
    indexStreams: index,
    streamsHolding: (personId) => (indexComplete ? [...(streamsOf.get(personId) ?? [])].sort() : undefined),
    completeIndex(entries) {
      index(entries);
      indexComplete = true;
    },
    key: (keyId) => byId.get(keyId)?.key,
    has: (personId) => current.has(personId),
    forget(personId) {
      let deleted = 0;
      for (const [id, k] of byId)
        if (k.personId === personId) {
          k.key.fill(0);
          byId.delete(id);
          deleted++;
        }
      current.delete(personId);
      return deleted;
    },
    close() {},
  };
};

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS person_keys (
    key_id TEXT PRIMARY KEY,
    person_id TEXT NOT NULL,
    key BLOB NOT NULL CHECK (length(key) = ${KEY_BYTES}),
    created_at TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS person_keys_by_person ON person_keys (person_id);
  CREATE TABLE IF NOT EXISTS read_model_files (path TEXT PRIMARY KEY, registered_at TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS person_streams (
    person_id TEXT NOT NULL,
    stream_id TEXT NOT NULL,
    PRIMARY KEY (person_id, stream_id)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS key_store_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** The `key_store_meta` entry saying the person index is complete, and since when. */
const INDEX_COMPLETE = 'person_streams_complete_since';

/** A file at `path` already holds tables, none of them a key store's. */
const foreignTables = (db: Database.Database): string[] => {
  const tables = db
    .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
    .all()
    .map((t) => t.name);
  return tables.includes('person_keys') ? [] : tables.filter((t) => !t.startsWith('sqlite_'));
};

/**
 * The key store at `path`, a SQLite file readable by its owner only. It is created on the first key
 * it must keep, never by reading: a store read with no key file at hand finds no key (and the case
 * service's reads report each missing key), rather than an empty key store being made that would
 * hide the loss.
 * @throws KeyStoreError when the file cannot be opened or is not a key store (e.g. the event store).
 */
export const createSqliteKeyStore = (path: string): KeyStore => {
  let db: Database.Database | undefined;
  let statements: Statements | undefined;
  let closed = false;

  const open = (create: boolean): Statements | undefined => {
    if (statements) return statements;
    if (closed) throw new KeyStoreError(`key store ${path}: used after it was closed`);
    if (!create && !existsSync(path)) return undefined;
    createPrivateFile(path);
    const opened = new Database(path, { timeout: 5000 });
    try {
      const foreign = foreignTables(opened);
      if (foreign.length > 0)
        throw new KeyStoreError(
          `key store ${path}: the file is not a key store (it holds ${foreign.join(', ')}); ` +
            'give --keys a file of its own, apart from the event store',
        );
      opened.pragma('journal_mode = WAL');
      opened.pragma('synchronous = FULL');
      // Freed pages are overwritten with zeros: a deleted key leaves no copy in the file.
      opened.pragma('secure_delete = ON');
      opened.pragma('busy_timeout = 5000');
      opened.exec(SCHEMA);
    } catch (error) {
      opened.close();
      if (error instanceof KeyStoreError) throw error;
      throw new KeyStoreError(`key store ${path}: cannot be opened (${(error as Error).message})`, {
        cause: error,
      });
    }
    db = opened;
    statements = statementsOf(opened);
    return statements;
  };

  return {
    location: path,
    // A known person's key is read without taking the write lock; a new one is made under it.
    keyFor: (personId) => {
      const s = open(true) as Statements;
      const found = s.selectCurrent.get(personId);
      return found ? { keyId: found.key_id, personId, key: found.key } : s.keyFor.immediate(personId);
    },
    prepare: (personIds) => {
      if (personIds.length > 0) (open(true) as Statements).keysFor.immediate(personIds);
    },
    keysFor: (personIds) =>
      personIds.length > 0 ? (open(true) as Statements).keysFor.immediate(personIds) : new Map(),
    key: (keyId) => open(false)?.selectById.get(keyId)?.key,
    has: (personId) => open(false)?.selectCurrent.get(personId) !== undefined,
    registerReadModels(path) {
      open(false)?.register.run(path, new Date().toISOString());
    },
    readModelFiles: () =>
      open(false)
        ?.selectReadModels.all()
        .map((r) => r.path) ?? [],
    indexStreams(entries) {
      if (entries.length > 0) (open(true) as Statements).indexStreams.immediate(entries);
    },
    streamsHolding(personId) {
      const s = open(false);
      if (!s?.selectMeta.get(INDEX_COMPLETE)) return undefined;
      return s.selectPersonStreams.all(personId).map((r) => r.stream_id);
    },
    completeIndex(entries) {
      // No key file: no personal data were sealed with it, nothing to index (and none is created).
      open(false)?.completeIndex.immediate(entries);
    },
    forget(personId) {
      const s = open(false);
      if (!s || !db) return 0;
      const deleted = s.remove.run(personId).changes;
      // Move the change out of the write-ahead log into the (zeroed) pages, and empty the log.
      db.pragma('wal_checkpoint(TRUNCATE)');
      return deleted;
    },
    close() {
      closed = true;
      if (db?.open) db.close();
    },
  };
};

type Statements = ReturnType<typeof statementsOf>;

const statementsOf = (db: Database.Database) => {
  const selectCurrent = db.prepare<[string], { key_id: string; key: Buffer }>(
    'SELECT key_id, key FROM person_keys WHERE person_id = ? ORDER BY created_at DESC, key_id LIMIT 1',
  );
  const selectById = db.prepare<[string], { key: Buffer }>('SELECT key FROM person_keys WHERE key_id = ?');
  const selectCurrents = db.prepare<[string], { person_id: string; key_id: string; key: Buffer }>(
    `SELECT person_id, key_id, key FROM person_keys
     WHERE person_id IN (SELECT value FROM json_each(?))
     ORDER BY person_id, created_at DESC, key_id`,
  );
  const insert = db.prepare<[string, string, Buffer, string]>(
    'INSERT INTO person_keys (key_id, person_id, key, created_at) VALUES (?, ?, ?, ?)',
  );
  const remove = db.prepare<[string]>('DELETE FROM person_keys WHERE person_id = ?');
  // Two processes may ask for the same new person's key at once: the write lock decides.
  const keyFor = db.transaction((personId: string): PersonKey => {
    const found = selectCurrent.get(personId);
    if (found) return { keyId: found.key_id, personId, key: found.key };
    const made = { keyId: randomUUID(), personId, key: randomBytes(KEY_BYTES) };
    insert.run(made.keyId, personId, made.key, new Date().toISOString());
    return made;
  });
  const register = db.prepare<[string, string]>(
    'INSERT OR IGNORE INTO read_model_files (path, registered_at) VALUES (?, ?)',
  );
  const selectReadModels = db.prepare<[], { path: string }>(
    'SELECT path FROM read_model_files ORDER BY path',
  );
  // One transaction for all: the known keys read, the missing ones made (no savepoint per person).
  const keysFor = db.transaction((personIds: readonly string[]): Map<string, PersonKey> => {
    const found = new Map<string, PersonKey>();
    const createdAt = new Date().toISOString();
    // The current key of each known person, in one query (newest first, as selectCurrent orders).
    for (const row of selectCurrents.all(JSON.stringify(personIds)))
      if (!found.has(row.person_id))
        found.set(row.person_id, { keyId: row.key_id, personId: row.person_id, key: row.key });
    for (const personId of personIds) {
      if (!found.has(personId)) {
        const made = { keyId: randomUUID(), personId, key: randomBytes(KEY_BYTES) };
        insert.run(made.keyId, personId, made.key, createdAt);
        found.set(personId, made);
      }
    }
    return found;
  });
  const insertPersonStream = db.prepare<[string, string]>(
    'INSERT OR IGNORE INTO person_streams (person_id, stream_id) VALUES (?, ?)',
  );
  const indexStreams = db.transaction((entries: readonly PersonStream[]) => {
    for (const { personId, streamId } of entries) insertPersonStream.run(personId, streamId);
  });
  const selectPersonStreams = db.prepare<[string], { stream_id: string }>(
    'SELECT stream_id FROM person_streams WHERE person_id = ? ORDER BY stream_id',
  );
  const selectMeta = db.prepare<[string], { value: string }>(
    'SELECT value FROM key_store_meta WHERE key = ?',
  );
  const insertMeta = db.prepare<[string, string]>(
    'INSERT OR IGNORE INTO key_store_meta (key, value) VALUES (?, ?)',
  );
  const completeIndex = db.transaction((entries: readonly PersonStream[]) => {
    indexStreams(entries);
    insertMeta.run(INDEX_COMPLETE, new Date().toISOString());
  });
  return {
    selectCurrent,
    selectById,
    remove,
    keyFor,
    keysFor,
    register,
    selectReadModels,
    indexStreams,
    selectPersonStreams,
    selectMeta,
    completeIndex,
  };
};

/** Opens the key store at `location`: `memory:`, `sqlite:<path>` or a path. */
export const openKeyStore = (location: string): KeyStore => {
  const path = keyStorePath(location);
  return path === undefined ? createMemoryKeyStore() : createSqliteKeyStore(path);
};
