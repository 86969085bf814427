/**
 * The read-model file: the layout of its tables and its version, and what inspecting, dumping and
 * deleting a file does (opening it: src/projector/open-file.ts). A file is SQLite (better-sqlite3), readable by its owner only,
 * in write-ahead-log mode unless it is a scratch part of a parallel rebuild.
 *
 * - `meta`: the store the file follows, and whether some case was projected without a snapshot
 *   of its fold; `checkpoint`: the global position projected; `projections`: each read model's
 *   version.
 * - the read models' tables (src/projector/case-rows.ts);
 * - `folds`: each case's fold after its last projected fact, so that the next fact is folded onto
 *   it (none for the cases of a parallel rebuild: their folds are restored from the store).
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { READ_MODELS } from './case-rows.ts';

/**
 * The layout of the tables; a file with an older layout is rebuilt from zero. Version 2: no copy
 * of the facts (the as-of queries read dated periods; a case's fold is snapshotted in `folds`).
 * Version 3: the tables of large rows (`folds`, `timeline`, `context_periods`) are rowid tables,
 * which SQLite stores better than WITHOUT ROWID ones above a few hundred bytes a row (a rebuild of
 * 1 M events: about 8 % faster, a quarter smaller). Version 4: each deadline names the decision it
 * concerns (`reference`, '' for none: it is part of the key), so that two deadlines of one kind due
 * the same day (two decisions to anonymise) are two rows.
 */
export const READ_MODEL_SCHEMA_VERSION = 4;

/**
 * The `meta` entry saying that some case was projected without a snapshot of its fold (by a
 * parallel rebuild): only then may a fold have to be restored from the store, and only then does a
 * case with no snapshot need a look at `cases`. Removed when the read models start again from zero.
 */
export const UNSNAPSHOTTED = 'cases-without-fold-snapshots-since';

/**
 * The as-of queries' indexes of the periods by date. Their rows arrive in case order, not in date
 * order: a parallel rebuild's parts have none, and the merged file builds them once, sorted.
 */
export const PERIOD_INDEXES = `
  CREATE INDEX IF NOT EXISTS deadline_periods_valid ON deadline_periods (valid_to, valid_from);
  CREATE INDEX IF NOT EXISTS context_periods_valid ON context_periods (valid_to, valid_from);
`;
export const dropPeriodIndexes = (db: { exec(source: string): unknown }): void => {
  db.exec('DROP INDEX IF EXISTS deadline_periods_valid; DROP INDEX IF EXISTS context_periods_valid;');
};

export const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS checkpoint (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    position INTEGER NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS projections (name TEXT PRIMARY KEY, version INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS folds (
    case_id TEXT PRIMARY KEY,
    revision INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    fold TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS cases (
    case_id TEXT PRIMARY KEY,
    controller TEXT,
    stage TEXT,
    state TEXT NOT NULL,
    revision INTEGER NOT NULL,
    opened_on TEXT,
    last_type TEXT,
    last_on TEXT,
    closed_on TEXT,
    closed_outcome TEXT
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS timeline (
    case_id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    on_date TEXT NOT NULL,
    type TEXT NOT NULL,
    act TEXT NOT NULL,
    reference TEXT,
    summary TEXT,
    stage TEXT,
    state TEXT NOT NULL,
    source TEXT,
    PRIMARY KEY (case_id, revision)
  );
  CREATE TABLE IF NOT EXISTS deadlines (
    case_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    due TEXT NOT NULL,
    reference TEXT NOT NULL,
    PRIMARY KEY (case_id, kind, due, reference)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS deadline_periods (
    case_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    due TEXT NOT NULL,
    reference TEXT NOT NULL,
    stage TEXT,
    time_limit INTEGER NOT NULL,
    n INTEGER NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    PRIMARY KEY (case_id, valid_from, valid_to, kind, due, reference, stage)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS context_periods (
    case_id TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    sanctioned INTEGER NOT NULL,
    published INTEGER NOT NULL,
    context TEXT NOT NULL,
    PRIMARY KEY (case_id, valid_from, valid_to)
  );
  CREATE TABLE IF NOT EXISTS ledger (
    case_id TEXT PRIMARY KEY,
    deliberation TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    fine INTEGER NOT NULL,
    rate_per_day INTEGER NOT NULL,
    delay_from TEXT,
    complied_on TEXT,
    liquidated INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS liquidations (
    case_id TEXT NOT NULL,
    deliberation TEXT NOT NULL,
    on_date TEXT NOT NULL,
    amount INTEGER NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    PRIMARY KEY (case_id, deliberation)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS register (
    case_id TEXT NOT NULL,
    reference TEXT NOT NULL,
    kind TEXT NOT NULL,
    company TEXT,
    decided_on TEXT NOT NULL,
    published_on TEXT NOT NULL,
    anonymise_after TEXT,
    anonymised_on TEXT,
    PRIMARY KEY (case_id, reference)
  ) WITHOUT ROWID;
  ${PERIOD_INDEXES}
`;

/**
 * What the file's layout is read through: a connection to it (better-sqlite3's), named by its shape
 * so that the declarations of the public entry points need no types of better-sqlite3.
 */
interface Queryable {
  prepare(source: string): { all(): unknown[] };
}

/** The tables of a SQLite file. */
const tableNames = (db: Queryable): Set<string> =>
  new Set(
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map(
      (t) => t.name,
    ),
  );

/** The store a read-model file follows, as recorded in it (`meta`), if it records one. */
export const recordedStore = (db: Queryable): string | null =>
  (db.prepare("SELECT value FROM meta WHERE key = 'store'").all() as { value: string }[])[0]?.value ?? null;

/** The global position a read-model file is projected up to (`checkpoint`), 0 if none. */
export const recordedCheckpoint = (db: Queryable): number =>
  (db.prepare('SELECT position FROM checkpoint WHERE id = 1').all() as { position: number }[])[0]?.position ??
  0;

/** The read models' versions recorded in a read-model file (`projections`: name → version), by name. */
export const recordedVersions = (db: Queryable): Map<string, number> =>
  new Map(
    (
      db.prepare('SELECT name, version FROM projections ORDER BY name').all() as {
        name: string;
        version: number;
      }[]
    ).map((r) => [r.name, r.version]),
  );

/**
 * Whether the read models' versions recorded in a file (`projections`: name → version) are those
 * this code builds: then the file is current; else every read model starts again from zero.
 */
export const builtByThisCode = (recorded: ReadonlyMap<string, number>): boolean =>
  recorded.size === READ_MODELS.length && READ_MODELS.every((m) => recorded.get(m.name) === m.version);

/** Tables of the files of schema version 1, dropped when such a file is opened. */
export const OLD_TABLES = ['facts'];

/** Every table a read model owns, in a fixed order (for resets and dumps). */
const READ_MODEL_TABLES = READ_MODELS.flatMap((m) => m.tables);
/** Every table that is reset with the read models: theirs and the folds. */
export const RESET_TABLES = [...READ_MODEL_TABLES, 'folds'];

/** The read-model file follows another event store than the one given. */
export class ReadModelStoreMismatchError extends Error {
  override readonly name = 'ReadModelStoreMismatchError';
  constructor(
    readonly path: string,
    /** The store the file was built from. */
    readonly recorded: string,
    /** The store it was asked to follow. */
    readonly requested: string,
    options?: ErrorOptions,
  ) {
    super(
      `the read models in ${path} follow the event store ${recorded}, not ${requested}; ` +
        'run `project rebuild` to rebuild them from this store, or use another --read-models file',
      options,
    );
  }
}

/** A rebuild would delete a file that holds something else than read models (an event store…). */
export class NotReadModelsError extends Error {
  override readonly name = 'NotReadModelsError';
  constructor(
    readonly path: string,
    options?: ErrorOptions,
  ) {
    super(
      `${path} is not a read-model file (it holds other tables, or is not SQLite): nothing was changed; ` +
        'give --read-models a read-model file or a new path',
      options,
    );
  }
}

/** Whether `path` is absent, empty, or a read-model file (which a rebuild may delete). */
export const holdsReadModelsOnly = (path: string): boolean => {
  if (!existsSync(path) || statSync(path).size === 0) return true;
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const tables = tableNames(db);
      return ['meta', 'checkpoint', 'projections'].every((t) => tables.has(t)) && !tables.has('events');
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
};

/** The read-model file was written by a newer version of this code. */
export class UnsupportedReadModelSchemaError extends Error {
  override readonly name = 'UnsupportedReadModelSchemaError';
  constructor(
    readonly path: string,
    readonly version: number,
    options?: ErrorOptions,
  ) {
    super(
      `read models ${path}: schema version ${version} is newer than the supported ${READ_MODEL_SCHEMA_VERSION}`,
      options,
    );
  }
}

/**
 * What the dump reads through: a connection to the file (better-sqlite3's), named by its shape so
 * that the declarations of the public entry points need no types of better-sqlite3.
 */
interface Readable extends Queryable {
  prepare(source: string): { all(): unknown[]; columns(): { readonly name: string }[] };
}

/** Every read-model table, by name, as rows (column name → value). */
export type ReadModelsDump = Record<string, Record<string, unknown>[]>;

export const dumpTables = (db: Readable): ReadModelsDump => {
  const dump: ReadModelsDump = {};
  for (const table of READ_MODEL_TABLES) {
    const columns = db.prepare(`SELECT * FROM ${table} LIMIT 0`).columns();
    const order = columns.map((_, i) => i + 1).join(', ');
    dump[table] = db.prepare(`SELECT * FROM ${table} ORDER BY ${order}`).all() as Record<string, unknown>[];
  }
  return dump;
};

/**
 * The read models of a file as deterministic JSON — every table, rows in key order, without the
 * checkpoint — so that the read models built from two stores holding the same history compare
 * equal. Opens the file read-only.
 * @example expect(dumpReadModels('from-esdb.db')).toEqual(dumpReadModels('from-sqlite.db'))
 */
export const dumpReadModels = (path: string): ReadModelsDump => {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return dumpTables(db);
  } finally {
    db.close();
  }
};

/** What a read-model file holds, read without changing anything in it (`project status`). */
export interface ReadModelsFileState {
  /**
   * `current`: the layout and every projection's version are those this code builds; `outdated`:
   * the next command that opens the file for the read models (`project run`, a query) rebuilds
   * them from zero.
   */
  readonly layout: 'current' | 'outdated';
  /** The store the file follows, if it records one. */
  readonly store: string | null;
  readonly checkpoint: number;
  readonly projections: readonly { readonly name: string; readonly version: number }[];
  readonly cases: number;
  readonly facts: number;
}

/**
 * Reads the state of the read-model file at `path` without opening it for writing: a file of an
 * older layout or projection version is reported `outdated`, not rebuilt (as opening it with
 * {@link openReadModels} would).
 * @throws NotReadModelsError when the file holds something else.
 * @throws UnsupportedReadModelSchemaError when a newer version of this code wrote it.
 */
export const inspectReadModels = (path: string): ReadModelsFileState => {
  if (!holdsReadModelsOnly(path)) throw new NotReadModelsError(path);
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const version = Number(db.pragma('user_version', { simple: true }));
    if (version > READ_MODEL_SCHEMA_VERSION) throw new UnsupportedReadModelSchemaError(path, version);
    const tables = tableNames(db);
    const count = (table: string): number =>
      tables.has(table)
        ? (db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).get()?.n ?? 0)
        : 0;
    const recorded = recordedVersions(db);
    const current = version === READ_MODEL_SCHEMA_VERSION && builtByThisCode(recorded);
    return {
      layout: current ? 'current' : 'outdated',
      store: recordedStore(db),
      // An outdated file is rebuilt from the store's first event.
      checkpoint: current ? recordedCheckpoint(db) : 0,
      projections: [...recorded].map(([name, version]) => ({ name, version })),
      cases: current ? count('cases') : 0,
      facts: current ? count('timeline') : 0,
    };
  } finally {
    db.close();
  }
};

/** Deletes a SQLite database file with its write-ahead log and shared-memory index. */
export const deleteDatabaseFiles = (path: string): void => {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
};
