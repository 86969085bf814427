/**
 * The key store: one AES-256 key per person, kept OUTSIDE the event log (a SQLite file of its own,
 * or memory), so that deleting a person's keys makes every encrypted copy of their personal data
 * unreadable — in the event log, its backups and its replicas — without rewriting an event.
 *
 * Deletion is meant to leave no trace in the file: `secure_delete` overwrites the freed bytes, and
 * the write-ahead log is checkpointed and truncated after each erasure. Copies outside this file
 * (backups of it, the file system's free blocks) are the operator's to manage.
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/** A person's data key. */
export interface PersonKey {
  readonly keyId: string;
  readonly personId: string;
  /** 32 random bytes (AES-256). */
  readonly key: Buffer;
}

export interface KeyStore {
  /** Where the keys are: a file path, or `memory:`. */
  readonly location: string;
  /** The person's current key, created on first use. */
  keyFor(personId: string): PersonKey;
  /** Creates the missing keys of these persons at once (one commit), before a bulk append. */
  prepare?(personIds: readonly string[]): void;
  /** The key with this id, or undefined once its person's data were erased. */
  key(keyId: string): Buffer | undefined;
  /** Whether the person has a key (their data are readable). */
  has(personId: string): boolean;
  /** Deletes every key of the person, for good; returns how many were deleted. */
  forget(personId: string): number;
  close(): void;
}

/** The keys of a person were asked for after the store was closed, or the file is not a key store. */
export class KeyStoreError extends Error {
  override readonly name = 'KeyStoreError';
}

const KEY_BYTES = 32;

export const createMemoryKeyStore = (): KeyStore => {
  const byId = new Map<string, PersonKey>();
  const current = new Map<string, PersonKey>();
  return {
    location: 'memory:',
    keyFor(personId) {
      let found = current.get(personId);
      if (!found) {
        found = { keyId: randomUUID(), personId, key: randomBytes(KEY_BYTES) };
        current.set(personId, found);
        byId.set(found.keyId, found);
      }
      return found;
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
`;

/** Opens (creating it if absent, readable by its owner only) the key store at `path`. */
export const createSqliteKeyStore = (path: string): KeyStore => {
  mkdirSync(dirname(path), { recursive: true });
  const created = !existsSync(path);
  const db = new Database(path, { timeout: 5000 });
  try {
    if (created) chmodSync(path, 0o600);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    // Freed pages are overwritten with zeros: a deleted key leaves no copy in the file.
    db.pragma('secure_delete = ON');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
  } catch (error) {
    db.close();
    throw new KeyStoreError(`key store ${path}: cannot be opened (${(error as Error).message})`, {
      cause: error,
    });
  }

  const selectCurrent = db.prepare<[string], { key_id: string; key: Buffer }>(
    'SELECT key_id, key FROM person_keys WHERE person_id = ? ORDER BY created_at DESC, key_id LIMIT 1',
  );
  const selectById = db.prepare<[string], { key: Buffer }>('SELECT key FROM person_keys WHERE key_id = ?');
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

  const prepare = db.transaction((personIds: readonly string[]): void => {
    for (const personId of personIds) keyFor(personId);
  });

  return {
    location: path,
    // A known person's key is read without taking the write lock; a new one is made under it.
    keyFor: (personId) => {
      const found = selectCurrent.get(personId);
      return found ? { keyId: found.key_id, personId, key: found.key } : keyFor.immediate(personId);
    },
    prepare: (personIds) => prepare.immediate(personIds),
    key: (keyId) => selectById.get(keyId)?.key,
    has: (personId) => selectCurrent.get(personId) !== undefined,
    forget(personId) {
      const deleted = remove.run(personId).changes;
      // Move the change out of the write-ahead log into the (zeroed) pages, and empty the log.
      db.pragma('wal_checkpoint(TRUNCATE)');
      return deleted;
    },
    close() {
      if (db.open) db.close();
    },
  };
};

/** Opens the key store at `location`: `memory:`, `sqlite:<path>` or a path. */
export const openKeyStore = (location: string): KeyStore =>
  location === 'memory:'
    ? createMemoryKeyStore()
    : createSqliteKeyStore(location.startsWith('sqlite:') ? location.slice('sqlite:'.length) : location);
