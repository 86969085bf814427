/**
 * SQLite event store on better-sqlite3: the embedded default, one file (WAL, `synchronous = FULL`).
 *
 * One `events` table; the global position is its `position` column (AUTOINCREMENT, so it starts at 1
 * and is never reused). Appends run in a `BEGIN IMMEDIATE` transaction, which takes the write lock
 * before reading the stream's head: positions therefore grow in commit order, and two stores on the
 * same file (or two processes) cannot both write at the same revision.
 *
 * Subscriptions read the log after their cursor when this store appends, and poll the file (every
 * `pollIntervalMs`) for appends made by other store instances or processes.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { checkAppend, type StoredEventRef } from './expected-revision.ts';
import {
  type AppendResult,
  type BatchAppendStore,
  EventDeserializationError,
  type EventStore,
  type ExpectedRevision,
  type JsonObject,
  type NewEvent,
  type PersonIndexStore,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamAppend,
  type StreamAppendOutcome,
  type SubscribeToAllOptions,
  type Subscription,
} from './port.ts';
import type { SnapshotStore, StreamSnapshot } from './snapshots.ts';
import { createChangeSignal, createLogSubscription, type LogPage } from './subscription.ts';
import { ensurePersonIndex, personIndexOf } from './person-index.ts';

/** The schema this code writes, kept in `PRAGMA user_version`. */
export const SCHEMA_VERSION = 1;

/** Rows fetched per query by `readAll`, which streams the log page by page. */
const PAGE_SIZE = 1000;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    stream_id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    metadata TEXT NOT NULL,
    created TEXT NOT NULL,
    UNIQUE (stream_id, revision)
  );
`;

/** The file was written by a newer version of this code, with a schema this one does not know. */
export class UnsupportedSchemaVersionError extends Error {
  override readonly name = 'UnsupportedSchemaVersionError';
  constructor(
    readonly path: string,
    readonly version: number,
    options?: ErrorOptions,
  ) {
    super(
      `event store ${path}: schema version ${version} is newer than the supported ${SCHEMA_VERSION}`,
      options,
    );
  }
}

/** A row of the `events` table, as {@link EVENT_COLUMNS} selects it. */
export interface EventRow {
  position: number;
  event_id: string;
  stream_id: string;
  revision: number;
  type: string;
  data: string;
  metadata: string;
  created: string;
}

interface RefRow {
  stream_id: string;
  revision: number;
  position: number;
}

export const EVENT_COLUMNS = 'position, event_id, stream_id, revision, type, data, metadata, created';
const COLUMNS = EVENT_COLUMNS;

export interface SqliteEventStoreOptions {
  /** How often subscriptions look for events appended by other processes; default 50 ms. */
  readonly pollIntervalMs?: number;
  /**
   * Build the person index in a file that lacks it (./person-index.ts); default true. False for a
   * command that only reads, which then leaves an older file as it is (and answers without it).
   */
  readonly buildPersonIndex?: boolean;
}

/** Opens (creating it and its parent directories if absent) the SQLite event store at `path`. */
export const createSqliteEventStore = (
  path: string,
  { pollIntervalMs = 50, buildPersonIndex = true }: SqliteEventStoreOptions = {},
): EventStore & BatchAppendStore & PersonIndexStore & SnapshotStore => {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path, { timeout: 5000 });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    migrate(db, path);
    // Which streams hold whose personal data, kept by a trigger in the file (./person-index.ts).
    if (buildPersonIndex) ensurePersonIndex(db);
  } catch (error) {
    db.close();
    throw error;
  }

  const selectHead = db.prepare<[string], RefRow>(
    'SELECT stream_id, revision, position FROM events WHERE stream_id = ? ORDER BY revision DESC LIMIT 1',
  );
  const selectById = db.prepare<[string], RefRow>(
    'SELECT stream_id, revision, position FROM events WHERE event_id = ?',
  );
  const insert = db.prepare<[string, string, number, string, string, string, string]>(
    'INSERT INTO events (event_id, stream_id, revision, type, data, metadata, created) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const selectHeads = db.prepare<[string], RefRow>(
    `SELECT stream_id, MAX(revision) AS revision, position FROM events
     WHERE stream_id IN (SELECT value FROM json_each(?)) GROUP BY stream_id`,
  );
  const selectByIds = db.prepare<[string], RefRow & { event_id: string }>(
    `SELECT event_id, stream_id, revision, position FROM events
     WHERE event_id IN (SELECT value FROM json_each(?))`,
  );
  const selectRevisions = db.prepare<[string], { stream_id: string; revision: number }>(
    `SELECT stream_id, MAX(revision) AS revision FROM events
     WHERE stream_id IN (SELECT value FROM json_each(?)) GROUP BY stream_id`,
  );
  const selectStream = db.prepare<[string, number, number], EventRow>(
    `SELECT ${COLUMNS} FROM events WHERE stream_id = ? AND revision >= ? ORDER BY revision LIMIT ?`,
  );
  // A prefix test by `substr`, not `LIKE`, which would read `_` and `%` in stream ids as wildcards.
  const selectPage = db.prepare<[{ after: number; prefix: string; limit: number }], EventRow>(
    `SELECT ${COLUMNS} FROM events
     WHERE position > @after AND substr(stream_id, 1, length(@prefix)) = @prefix
     ORDER BY position LIMIT @limit`,
  );

  const selectLastPosition = db.prepare<[], { position: number | null }>(
    'SELECT MAX(position) AS position FROM events',
  );

  const toRef = (row: RefRow | undefined): StoredEventRef | undefined =>
    row && { streamId: row.stream_id, revision: row.revision, position: row.position };

  /** Appends to one stream; `written: false` when every event was already stored there. */
  const appendOne = (
    streamId: string,
    events: readonly Serialized[],
    expected: ExpectedRevision,
  ): { result: AppendResult; written: boolean } => {
    const head = toRef(selectHead.get(streamId));
    const replay = checkAppend(streamId, events, expected, head, (id) => toRef(selectById.get(id)));
    if (replay !== undefined) return { result: replay, written: false };
    return { result: insertEvents(streamId, events, head), written: true };
  };

  /** Writes the events after `head` (checked by the caller, inside its transaction). */
  const insertEvents = (
    streamId: string,
    events: readonly Serialized[],
    head: StoredEventRef | undefined,
  ): AppendResult => {
    const created = new Date().toISOString();
    const first = (head?.revision ?? -1) + 1;
    let position = -1;
    events.forEach(({ id, type, data, metadata }, i) => {
      position = Number(insert.run(id, streamId, first + i, type, data, metadata, created).lastInsertRowid);
    });
    return { nextExpectedRevision: first + events.length - 1, position };
  };
  /**
   * Many streams' appends in one transaction, without a savepoint per stream: each stream's checks
   * (`checkAppend`: its head, and where its event ids are stored, looked up for the whole batch in
   * two queries and kept up to date with the rows this batch writes) are made before any of its
   * rows is written, so a stream that fails them writes nothing; an insert can then fail only by a
   * fault of the file (disk full, I/O error), which fails the whole batch.
   */
  const appendBatch = db.transaction((appends: readonly SerializedAppend[]): StreamAppendOutcome[] => {
    const heads = new Map<string, StoredEventRef>();
    for (const row of selectHeads.all(JSON.stringify([...new Set(appends.map((a) => a.streamId))])))
      heads.set(row.stream_id, toRef(row) as StoredEventRef);
    const stored = new Map<string, StoredEventRef>();
    for (const row of selectByIds.all(JSON.stringify(appends.flatMap((a) => a.events.map((e) => e.id)))))
      stored.set(row.event_id, toRef(row) as StoredEventRef);
    return appends.map(({ streamId, events, expectedRevision }): StreamAppendOutcome => {
      const head = heads.get(streamId);
      try {
        const replay = checkAppend(streamId, events, expectedRevision, head, (id) => stored.get(id));
        if (replay !== undefined) return { status: 'stored', result: replay };
      } catch (error) {
        if (!(error instanceof Error)) throw error;
        return { status: 'failed', error };
      }
      const result = insertEvents(streamId, events, head);
      // The rows of one append have consecutive positions (the write lock is held).
      const first = result.nextExpectedRevision - events.length + 1;
      events.forEach(({ id }, i) =>
        stored.set(id, {
          streamId,
          revision: first + i,
          position: result.position - (events.length - 1 - i),
        }),
      );
      heads.set(streamId, { streamId, revision: result.nextExpectedRevision, position: result.position });
      return { status: 'written', result };
    });
  });

  const append = db.transaction(
    (streamId: string, events: readonly Serialized[], expected: ExpectedRevision): AppendResult =>
      appendOne(streamId, events, expected).result,
  );

  // One read transaction, so the page and the head of the log come from the same snapshot.
  const readLog = db.transaction((cursor: number, prefix: string): LogPage => {
    const rows = selectPage.all({ after: cursor, prefix, limit: PAGE_SIZE });
    const last = rows.at(-1);
    if (last !== undefined && rows.length === PAGE_SIZE) {
      return { events: rows.map(toRecorded), scannedTo: last.position, more: true };
    }
    const head = selectLastPosition.get()?.position ?? 0;
    return { events: rows.map(toRecorded), scannedTo: Math.max(cursor, head), more: false };
  });
  const appended = createChangeSignal();
  const subscriptions = new Set<Subscription>();
  const snapshots = snapshotTable(db);

  return {
    ...personIndexOf(db),

    async appendToStream(streamId, events, { expectedRevision }) {
      const serialized = events.map(serialize);
      const result = append.immediate(streamId, serialized, expectedRevision);
      if (serialized.length > 0) appended.notify();
      return result;
    },

    /**
     * Appends to many streams in ONE transaction (one commit, one sync), each stream checked and
     * written alone: a stream whose expected revision does not hold is reported `failed` and the
     * others are written. A fault of the file itself (disk full, I/O error) fails the whole call.
     */
    async appendToStreams(appends: readonly StreamAppend[]) {
      const serialized = appends.map((a): SerializedAppend => ({ ...a, events: a.events.map(serialize) }));
      const outcomes = appendBatch.immediate(serialized);
      if (outcomes.some((o) => o.status === 'written')) appended.notify();
      return outcomes;
    },

    async streamRevisions(streamIds: readonly string[]) {
      const revisions = new Map<string, number>();
      if (streamIds.length === 0) return revisions;
      for (const row of selectRevisions.all(JSON.stringify(streamIds)))
        revisions.set(row.stream_id, row.revision);
      return revisions;
    },

    async readStream(streamId, { fromRevision = 0, maxCount }: ReadStreamOptions = {}) {
      return selectStream.all(streamId, fromRevision, toLimit(maxCount)).map(toRecorded);
    },

    async *readAll({ after = 0, streamPrefix = '', maxCount }: ReadAllOptions = {}) {
      let cursor = after;
      let remaining = maxCount === undefined ? Number.POSITIVE_INFINITY : Math.max(0, Math.floor(maxCount));
      // Page by position rather than holding an open `.iterate()` cursor: the connection stays free
      // for appends between pages, and at most one page is in memory.
      while (remaining > 0) {
        const limit = Math.min(PAGE_SIZE, remaining);
        const rows = selectPage.all({ after: cursor, prefix: streamPrefix, limit });
        for (const row of rows) yield toRecorded(row);
        const last = rows.at(-1);
        if (last === undefined || rows.length < limit) return;
        cursor = last.position;
        remaining -= rows.length;
      }
    },

    readSnapshot: async (streamId) => snapshots.read(streamId),
    writeSnapshot: async (snapshot) => snapshots.write(snapshot),
    deleteSnapshots: async (streamIds) => snapshots.remove(streamIds),

    async headPosition() {
      return selectLastPosition.get()?.position ?? 0;
    },

    subscribeToAll({ after = 0, streamPrefix = '' }: SubscribeToAllOptions = {}) {
      const subscription = createLogSubscription({
        after,
        read: (cursor) => readLog(cursor, streamPrefix),
        signal: appended,
        pollIntervalMs,
        onClose: () => subscriptions.delete(subscription),
      });
      subscriptions.add(subscription);
      return subscription;
    },

    async close() {
      await Promise.all([...subscriptions].map((subscription) => subscription.close()));
      db.close();
    },
  };
};

/**
 * The `snapshots` table (src/store/snapshots.ts): derived data beside the events, one row per
 * stream, created on the first write — so a file written by a version without snapshots stays at
 * its schema version, and a version without them ignores the table. Reading a file without the
 * table finds no snapshot.
 */
const SNAPSHOTS = `
  CREATE TABLE IF NOT EXISTS snapshots (
    stream_id TEXT PRIMARY KEY,
    revision INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    version TEXT NOT NULL,
    last_on TEXT NOT NULL,
    head TEXT,
    state TEXT NOT NULL
  );
`;

interface SnapshotRow {
  stream_id: string;
  revision: number;
  event_id: string;
  version: string;
  last_on: string;
  head: string | null;
  state: string;
}

const snapshotTable = (db: Database.Database) => {
  let statements:
    | {
        select: Database.Statement<[string], SnapshotRow>;
        upsert: Database.Statement<[SnapshotRow]>;
        remove: Database.Statement<[string]>;
      }
    | undefined;
  const exists = () =>
    db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'snapshots'").get() !== undefined;
  const prepared = (create: boolean) => {
    if (statements) return statements;
    if (!exists()) {
      if (!create) return undefined;
      db.exec(SNAPSHOTS);
    }
    statements = {
      select: db.prepare('SELECT * FROM snapshots WHERE stream_id = ?'),
      upsert: db.prepare(
        `INSERT INTO snapshots (stream_id, revision, event_id, version, last_on, head, state)
         VALUES (@stream_id, @revision, @event_id, @version, @last_on, @head, @state)
         ON CONFLICT (stream_id) DO UPDATE SET revision = excluded.revision, event_id = excluded.event_id,
           version = excluded.version, last_on = excluded.last_on, head = excluded.head, state = excluded.state`,
      ),
      remove: db.prepare('DELETE FROM snapshots WHERE stream_id = ?'),
    };
    return statements;
  };
  return {
    read: (streamId: string): StreamSnapshot | undefined => {
      const row = prepared(false)?.select.get(streamId);
      return (
        row && {
          streamId: row.stream_id,
          revision: row.revision,
          eventId: row.event_id,
          version: row.version,
          lastOn: row.last_on,
          head: row.head,
          state: row.state,
        }
      );
    },
    write: db.transaction((s: StreamSnapshot) => {
      (prepared(true) as NonNullable<typeof statements>).upsert.run({
        stream_id: s.streamId,
        revision: s.revision,
        event_id: s.eventId,
        version: s.version,
        last_on: s.lastOn,
        head: s.head,
        state: s.state,
      });
    }),
    remove: db.transaction((streamIds: readonly string[]): number => {
      const table = prepared(false);
      if (!table) return 0;
      let removed = 0;
      for (const id of streamIds) removed += table.remove.run(id).changes;
      return removed;
    }),
  };
};

/** An event with its data and metadata already JSON-encoded, ready to insert. */
interface Serialized extends Omit<NewEvent, 'data' | 'metadata'> {
  readonly data: string;
  readonly metadata: string;
}

interface SerializedAppend extends Omit<StreamAppend, 'events'> {
  readonly events: readonly Serialized[];
}

const serialize = ({ id, type, data, metadata }: NewEvent): Serialized => ({
  id,
  type,
  data: JSON.stringify(data),
  metadata: JSON.stringify(metadata),
});

/**
 * Creates the schema in a new file; refuses a file from a newer schema. A file already at this
 * schema is only read: opening a store does not take the write lock, so a process can open the file
 * while other processes hold it to append (the lock is taken, under `BEGIN IMMEDIATE`, only to create
 * the schema, and the version is checked again under it).
 */
const migrate = (db: Database.Database, path: string): void => {
  const check = (): boolean => {
    const version = db.pragma('user_version', { simple: true });
    if (typeof version !== 'number' || version > SCHEMA_VERSION) {
      throw new UnsupportedSchemaVersionError(path, Number(version));
    }
    return version === SCHEMA_VERSION;
  };
  if (check()) return;
  db.transaction(() => {
    if (check()) return;
    db.exec(SCHEMA);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
};

/** SQLite's `LIMIT -1` means no limit. */
const toLimit = (maxCount: number | undefined): number =>
  maxCount === undefined || maxCount === Number.POSITIVE_INFINITY ? -1 : Math.max(0, Math.floor(maxCount));

/** The stored event of a row (its data and metadata parsed). @throws EventDeserializationError */
export const toRecorded = (row: EventRow): RecordedEvent => ({
  id: row.event_id,
  type: row.type,
  data: parseObject(row, row.data),
  metadata: parseObject(row, row.metadata),
  streamId: row.stream_id,
  revision: row.revision,
  position: row.position,
  created: row.created,
});

const parseObject = (row: EventRow, text: string): JsonObject => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new EventDeserializationError(row.stream_id, row.revision, { cause });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const cause = new TypeError(`expected a JSON object, got ${text.slice(0, 40)}`);
    throw new EventDeserializationError(row.stream_id, row.revision, { cause });
  }
  return value as JsonObject;
};
