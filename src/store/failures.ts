/**
 * Faults of the environment, told apart from faults of the code: a SQLite file that is not a
 * database, locked, read-only or on a full disk, an EventStoreDB server that cannot be reached or
 * refuses the credentials. Each becomes a {@link StoreUnavailableError} naming the store (without
 * credentials) and the cause, which the CLI prints on one line with exit code 3.
 */
import { StoreUnavailableError } from './port.ts';

/** A connection string without the `user:password@` of a URL. */
export const withoutCredentials = (connection: string): string =>
  connection.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1');

/**
 * A connection string as it may be shown: credentials and connection options removed.
 * @example displayStore('esdb://admin:changeit@db:2113?tls=false') // 'esdb://db:2113'
 */
export const displayStore = (connection: string): string =>
  /^[a-z][a-z0-9+.-]*:\/\//i.test(connection)
    ? connection
        .replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1')
        .replace(/[?#].*$/, '')
        .replace(/\/+$/, '')
    : connection;

/** SQLite result codes (better-sqlite3's `SqliteError.code`) that say the file cannot be used. */
const SQLITE_CAUSES: ReadonlyArray<readonly [RegExp, string, string?]> = [
  [/^SQLITE_NOTADB/, 'the file is not a SQLite database'],
  [/^SQLITE_CORRUPT/, 'the database file is damaged', 'restore it from a backup'],
  [/^SQLITE_BUSY/, 'the database is locked by another process', 'try again when it has finished'],
  [/^SQLITE_LOCKED/, 'the database is locked', 'try again when the other writer has finished'],
  [/^SQLITE_READONLY/, 'the database is read-only', 'check the permissions of the file and its folder'],
  [/^SQLITE_CANTOPEN/, 'the database file cannot be opened', 'check that the folder exists and is writable'],
  [/^SQLITE_PERM/, 'permission denied', 'check the permissions of the file and its folder'],
  [/^SQLITE_FULL/, 'the disk is full'],
  [/^SQLITE_IOERR/, 'an input/output error occurred on the database file'],
];

/** Node's file-system error codes that say the same. */
const FS_CAUSES: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  ENOTDIR: 'a part of the path is not a folder',
  EISDIR: 'the path is a folder, not a file',
};

/** EventStoreDB client errors (`error.type`) that say the server cannot be used. */
const ESDB_CAUSES: Readonly<Record<string, readonly [string, string?]>> = {
  unavailable: ['the server cannot be reached', 'is it running? `docker compose up -d` starts one'],
  'deadline-exceeded': [
    'the server did not answer in time',
    'is it running? `docker compose up -d` starts one',
  ],
  timeout: ['the server did not answer in time', 'is it running? `docker compose up -d` starts one'],
  'access-denied': ['access denied', 'check the user and password of the connection string'],
  'not-leader': ['the node is not the leader', 'add `nodePreference=leader` to the connection string'],
  cancelled: ['the call was cancelled'],
};

/**
 * The environment fault behind `error`, as a {@link StoreUnavailableError} naming `store`, or
 * `undefined` when `error` is not one (a refusal, a conflict, a defect of the code).
 */
export const environmentFailure = (error: unknown, store: string): StoreUnavailableError | undefined => {
  if (error instanceof StoreUnavailableError) return error;
  if (typeof error !== 'object' || error === null) return undefined;
  const e = error as { name?: unknown; code?: unknown; type?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (e.name === 'SqliteError') {
    const found = SQLITE_CAUSES.find(([pattern]) => pattern.test(code));
    if (found) return new StoreUnavailableError(store, found[1], found[2], { cause: error });
  }
  if (code in FS_CAUSES)
    return new StoreUnavailableError(store, FS_CAUSES[code] as string, undefined, { cause: error });
  if (typeof e.type === 'string' && e.type in ESDB_CAUSES) {
    const [reason, hint] = ESDB_CAUSES[e.type] as readonly [string, string?];
    return new StoreUnavailableError(store, reason, hint, { cause: error });
  }
  // The gRPC status of a call that never reached a server (14 UNAVAILABLE, 4 DEADLINE_EXCEEDED).
  if ((e.code === 14 || e.code === 4) && typeof e.message === 'string')
    return new StoreUnavailableError(
      store,
      e.code === 14 ? 'the server cannot be reached' : 'the server did not answer in time',
      'is it running? `docker compose up -d` starts one',
      { cause: error },
    );
  return undefined;
};
