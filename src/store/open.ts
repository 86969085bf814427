/**
 * Opens an event store from a connection string:
 * - `sqlite:<path>`, or a bare path ending in `.db` — the SQLite adapter;
 * - `memory:` — the in-memory adapter (lost when the process ends);
 * - `esdb://host:2113?tls=false` (or `esdb+discover://…`, several hosts `esdb://a:2113,b:2113,c:2113`)
 *   — an EventStoreDB/KurrentDB server, the connection string passed unchanged to the client.
 */
import { existsSync } from 'node:fs';
import {
  isSameFile,
  type KeyStore,
  KeysInEventStoreError,
  keyStorePath,
  openKeyStore,
} from '../privacy/keys.ts';
import { type ProtectedEventStore, protectPersonalData } from '../privacy/protected-store.ts';
import { displayStore, environmentFailure, withoutCredentials } from './failures.ts';
import { createInMemoryEventStore } from './memory.ts';
import { type EventStore, StoreUnavailableError } from './port.ts';
import { createSqliteEventStore } from './sqlite.ts';

/** The embedded default: a SQLite file under `./data/`. */
export const DEFAULT_STORE = 'sqlite:./data/cnil.db';

const ACCEPTED_FORMS = 'sqlite:<path>, a path ending in .db, memory:, or esdb://host:2113?tls=false';

/** The connection string names no store this build can open (an environment fault: exit 3). */
export class UnsupportedStoreError extends StoreUnavailableError {
  override readonly name = 'UnsupportedStoreError';
  constructor(
    readonly connection: string,
    options?: ErrorOptions,
  ) {
    super(
      withoutCredentials(connection),
      `unsupported event store "${withoutCredentials(connection)}": expected ${ACCEPTED_FORMS}`,
      undefined,
      options,
    );
    this.message = this.reason;
  }
}

export type StoreLocation =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'memory' }
  | { readonly kind: 'eventstoredb'; readonly connectionString: string };

/** `esdb://` or `esdb+discover://`, optional `user:password@`, hosts separated by commas, a query. */
const ESDB = /^esdb(\+discover)?:\/\/([^@/?#\s]+@)?[^@/?#\s,]+(,[^@/?#\s,]+)*\/?(\?[^#\s]*)?$/i;

/**
 * Parses a connection string without opening anything.
 * @example parseStoreConnection('sqlite:./data/cnil.db') // { kind: 'sqlite', path: './data/cnil.db' }
 * @example parseStoreConnection('esdb://localhost:2113?tls=false') // { kind: 'eventstoredb', connectionString: … }
 * @throws UnsupportedStoreError for any other form.
 */
export const parseStoreConnection = (connection: string): StoreLocation => {
  if (connection === 'memory:') return { kind: 'memory' };
  if (ESDB.test(connection)) return { kind: 'eventstoredb', connectionString: connection };
  if (connection.startsWith('sqlite:') && connection.length > 'sqlite:'.length) {
    return { kind: 'sqlite', path: connection.slice('sqlite:'.length) };
  }
  if (connection.endsWith('.db') && !/^[a-z][a-z0-9+.-]*:\/\//i.test(connection)) {
    return { kind: 'sqlite', path: connection };
  }
  throw new UnsupportedStoreError(connection);
};

/** Where the keys of personal data are kept when `--keys` does not say (outside the event log). */
export const DEFAULT_ESDB_KEYS = './data/keys.db';

/**
 * The key store that goes with a store: beside a SQLite file (`cnil.db` → `cnil.keys.db`), in
 * memory for `memory:`, and `./data/keys.db` for EventStoreDB (the server never sees a key).
 */
export const defaultKeysFor = (location: StoreLocation): string => {
  switch (location.kind) {
    case 'memory':
      return 'memory:';
    case 'sqlite':
      return location.path === ':memory:' ? 'memory:' : `${location.path.replace(/\.db$/, '')}.keys.db`;
    case 'eventstoredb':
      return DEFAULT_ESDB_KEYS;
    default: {
      const unreachable: never = location;
      throw new UnsupportedStoreError(String(unreachable));
    }
  }
};

/**
 * The read-model database that follows a store by default: beside a SQLite file
 * (`cnil.db` → `cnil.read-models.db`), in memory for `memory:`, and one file per server under
 * `./data/` for EventStoreDB — so that using one store never disturbs the read models of another.
 */
export const defaultReadModelsFor = (location: StoreLocation): string => {
  switch (location.kind) {
    case 'memory':
      return ':memory:';
    case 'sqlite':
      return location.path === ':memory:'
        ? ':memory:'
        : `${location.path.replace(/\.db$/, '')}.read-models.db`;
    case 'eventstoredb': {
      const server = displayStore(location.connectionString)
        .replace(/^[a-z+]+:\/\//i, '')
        .replace(/[^a-z0-9.-]+/gi, '_');
      return `./data/esdb-${server}.read-models.db`;
    }
    default: {
      const unreachable: never = location;
      throw new UnsupportedStoreError(String(unreachable));
    }
  }
};

/** How long a server store may take to answer its first read before it counts as unreachable. */
export const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Reads one event (or none) so that a server that cannot be reached fails now, within
 * `timeoutMs`, rather than at the first command's read — which the EventStoreDB client lets wait
 * without a deadline (a host that drops packets holds a read for minutes).
 */
const probe = async (store: EventStore, shown: string, timeoutMs: number): Promise<void> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new StoreUnavailableError(
            shown,
            `the server did not answer within ${timeoutMs / 1000} s`,
            'is it running? `docker compose up -d` starts one',
          ),
        ),
      timeoutMs,
    );
  });
  const first = (async () => {
    for await (const _ of store.readAll({ maxCount: 1 })) break;
  })();
  try {
    await Promise.race([first, timeout]);
  } catch (error) {
    void store.close().catch(() => undefined);
    first.catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
};

export interface OpenEventStoreOptions {
  /** A server store (EventStoreDB) that does not answer within this many ms is unavailable; default 5 000. */
  readonly connectTimeoutMs?: number;
  /** The key store of personal data: `memory:`, `sqlite:<path>` or a path; default {@link defaultKeysFor}. */
  readonly keys?: string;
  /**
   * `read`: the command only reads, so nothing is created — a SQLite store or key store that does
   * not exist is a {@link StoreUnavailableError} (store) or an empty key store (keys). Default `write`.
   */
  readonly mode?: 'read' | 'write';
}

/**
 * Opens the store a connection string names (see {@link parseStoreConnection}), with its personal
 * data encrypted under the keys of `options.keys` (src/privacy/). The EventStoreDB adapter is loaded
 * only when named: its gRPC client adds ~0.4 s to every start-up otherwise.
 * @throws UnsupportedStoreError (synchronously checked, returned as a rejected promise).
 * @throws KeysInEventStoreError when the key store would be the SQLite event store's own file.
 */
export const openEventStore = async (
  connection: string,
  options: OpenEventStoreOptions = {},
): Promise<ProtectedEventStore> => {
  const location = parseStoreConnection(connection);
  const shown = displayStore(connection);
  const keysAt = options.keys ?? defaultKeysFor(location);
  const keysPath = keyStorePath(keysAt);
  if (location.kind === 'sqlite' && keysPath !== undefined && isSameFile(location.path, keysPath))
    throw new KeysInEventStoreError(keysPath);
  const reading = options.mode === 'read';
  if (reading && location.kind === 'sqlite' && location.path !== ':memory:' && !existsSync(location.path))
    throw new StoreUnavailableError(
      shown,
      'no such store',
      'a command that only reads never creates one; record a fact or run `cnil replay clearview` first',
    );
  let store: EventStore;
  try {
    store = await openStoreAt(location, options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS, reading);
  } catch (error) {
    throw environmentFailure(error, shown) ?? error;
  }
  let keys: KeyStore;
  try {
    // The key file is created on the first key it must keep, never by reading (src/privacy/keys.ts).
    keys = openKeyStore(keysAt);
  } catch (error) {
    await store.close();
    throw environmentFailure(error, `key store ${keysAt}`) ?? error;
  }
  return protectPersonalData(store, keys);
};

const openStoreAt = async (
  location: StoreLocation,
  connectTimeoutMs: number,
  reading: boolean,
): Promise<EventStore> => {
  switch (location.kind) {
    case 'memory':
      return createInMemoryEventStore();
    case 'sqlite':
      // A command that only reads leaves an older file as it is: no person index built in it.
      return createSqliteEventStore(location.path, { buildPersonIndex: !reading });
    case 'eventstoredb': {
      const { createEventStoreDbEventStore } = await import('./eventstoredb.ts');
      const store = createEventStoreDbEventStore(location.connectionString);
      await probe(store, displayStore(location.connectionString), connectTimeoutMs);
      return store;
    }
    default: {
      const unreachable: never = location;
      throw new UnsupportedStoreError(String(unreachable));
    }
  }
};
