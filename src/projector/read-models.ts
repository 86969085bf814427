/**
 * The read-model database: one SQLite file (better-sqlite3, WAL) holding every read model the
 * projection runner maintains, the checkpoint it has reached in the event store, the version of
 * each projection that built it, and the identity of the store it follows.
 *
 * - `deadline_periods`, `context_periods`: what each case's deadlines and ledger/register context
 *   were from one act to the next, which the as-of queries read (no fact is folded to answer).
 * - `cases`, `timeline`, `deadlines`, `ledger`, `liquidations`, `register`: each case's current
 *   read models, recomputed from its facts whenever one of its facts arrives.
 * - `folds`: each case's fold after its last projected fact, so that the next fact is folded onto
 *   it (none for the cases of a parallel rebuild: their folds are restored from the store).
 *
 * {@link ReadModels.apply} writes a batch of events and the checkpoint in ONE transaction: a crash
 * leaves either the whole batch or none of it. A fact already stored at its (case, revision) is
 * skipped, so re-delivered events change nothing.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { IsoDate } from '../../machines/dates.ts';
import type { StateValue } from 'xstate';
import {
  describeState,
  explainRefusal,
  initialState,
  ProcedureViolationError,
  stageOf,
} from '../../machines/decider.ts';
import type { ProcedureContext } from '../../machines/context.ts';
import type { EventType } from '../../machines/events.ts';
import { procedureMachine, type Stage } from '../../machines/procedure.ts';
import { caseStateProjection } from '../../projections/case-state.ts';
import { DEADLINES } from '../../projections/deadline-report.ts';
import { type DeadlineKind, deadlineCandidates, openDeadlines } from '../../projections/deadlines.ts';
import type { RecordedFact } from '../../projections/fact.ts';
import { LEDGER, type LedgerContext } from '../../projections/ledger.ts';
import { REGISTER, type RegisterContext } from '../../projections/register.ts';
import { timelineProjection, timelineRowOf } from '../../projections/timeline.ts';
import { toFact } from '../cases/codec.ts';
import { type Engine, type EngineState, fastEngine } from '../simulation/engine.ts';
import { createPrivateFile } from '../privacy/private-file.ts';
// The read models answer no question about a person: they keep no personal data, need no key.
import { withoutPersonalData } from '../privacy/protected-store.ts';
import type { RecordedEvent } from '../store/port.ts';
import { keepConnection } from './connection.ts';

/** The prefix of the streams the runner projects. */
export const CASE_STREAM_PREFIX = 'case-';

/**
 * The layout of the tables; a file with an older layout is rebuilt from zero. Version 2: no copy
 * of the facts (the as-of queries read dated periods; a case's fold is snapshotted in `folds`).
 * Version 3: the tables of large rows (`folds`, `timeline`, `context_periods`) are rowid tables,
 * which SQLite stores better than WITHOUT ROWID ones above a few hundred bytes a row (a rebuild of
 * 1 M events: about 8 % faster, a quarter smaller).
 */
export const READ_MODEL_SCHEMA_VERSION = 3;

/** A read model: its name, its version (raising it rebuilds it) and the tables it owns. */
export interface ReadModelDefinition {
  readonly name: string;
  readonly version: number;
  readonly tables: readonly string[];
}

/**
 * What the as-of queries read (`deadlines|ledger|register --as-of D`): the periods over which each
 * case's open deadlines, and the part of its context the ledger and the register read, held —
 * valid from the date of the act that made them to the date of the next act that changed them.
 */
export const PERIODS = {
  name: 'periods',
  version: 1,
  tables: ['deadline_periods', 'context_periods'],
} as const;

/** The read models recomputed from a case's fold, in the order they are written. */
export const DERIVED: readonly ReadModelDefinition[] = [
  { name: caseStateProjection.name, version: caseStateProjection.version, tables: ['cases'] },
  { name: timelineProjection.name, version: timelineProjection.version, tables: ['timeline'] },
  { ...DEADLINES, tables: ['deadlines'] },
  { ...LEDGER, tables: ['ledger', 'liquidations'] },
  { ...REGISTER, tables: ['register'] },
  PERIODS,
];

export const READ_MODELS: readonly ReadModelDefinition[] = DERIVED;

/** Where an open period ends: it holds until an act changes it. */
const OPEN_END = '9999-12-31';

/**
 * The `meta` entry saying that some case was projected without a snapshot of its fold (by a
 * parallel rebuild): only then may a fold have to be restored from the store, and only then does a
 * case with no snapshot need a look at `cases`. Removed when the read models start again from zero.
 */
const UNSNAPSHOTTED = 'cases-without-fold-snapshots-since';

/**
 * The as-of queries' indexes of the periods by date. Their rows arrive in case order, not in date
 * order: a parallel rebuild's parts have none, and the merged file builds them once, sorted.
 */
const PERIOD_INDEXES = `
  CREATE INDEX IF NOT EXISTS deadline_periods_valid ON deadline_periods (valid_to, valid_from);
  CREATE INDEX IF NOT EXISTS context_periods_valid ON context_periods (valid_to, valid_from);
`;
const dropPeriodIndexes = (db: Database.Database): void => {
  db.exec('DROP INDEX IF EXISTS deadline_periods_valid; DROP INDEX IF EXISTS context_periods_valid;');
};

const SCHEMA = `
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
    PRIMARY KEY (case_id, kind, due)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS deadline_periods (
    case_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    due TEXT NOT NULL,
    stage TEXT,
    time_limit INTEGER NOT NULL,
    n INTEGER NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    PRIMARY KEY (case_id, valid_from, valid_to, kind, due, stage)
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

/** Tables of the files of schema version 1, dropped when such a file is opened. */
const OLD_TABLES = ['facts'];

/** Every table a read model owns, in a fixed order (for resets and dumps). */
const READ_MODEL_TABLES = READ_MODELS.flatMap((m) => m.tables);
/** Every table that is reset with the read models: theirs and the folds. */
const RESET_TABLES = [...READ_MODEL_TABLES, 'folds'];

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

/** A fact re-delivered at a (case, revision) already holding another event: two stores mixed. */
export class ReadModelDivergenceError extends Error {
  override readonly name = 'ReadModelDivergenceError';
  constructor(
    readonly path: string,
    readonly caseId: string,
    readonly revision: number,
    readonly storedEventId: string,
    readonly deliveredEventId: string,
    options?: ErrorOptions,
  ) {
    super(
      `the read models in ${path} hold event ${storedEventId} at case ${caseId} revision ${revision}, ` +
        `but the store delivered ${deliveredEventId}; run \`project rebuild\``,
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
const holdsReadModelsOnly = (path: string): boolean => {
  if (!existsSync(path) || statSync(path).size === 0) return true;
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const tables = new Set(
        db
          .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
          .all()
          .map((t) => t.name),
      );
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

export interface ReadModelsOptions {
  /** The identity of the event store the read models follow (see `storeIdentity`). */
  readonly store: string;
  /** Start again from zero: drop every read model and follow `store` from its beginning. */
  readonly rebuild?: boolean;
  /**
   * How facts are folded through the statechart: the fast path (default; its transition table is
   * derived from the machine on first use) or `xstateEngine` (plain `transition()`, the reference).
   */
  readonly engine?: () => Engine;
  /**
   * Case folds kept in memory between batches, default {@link MAX_CACHED_FOLDS}; the others are
   * read back from their snapshot in `folds` when one of their facts arrives.
   */
  readonly cachedFolds?: number;
  /**
   * A file thrown away unless complete (a part of a parallel rebuild): its rollback journal is
   * kept in memory and nothing is synced, as the data is written once and read back once.
   */
  readonly scratch?: boolean;
  /**
   * Whether each case's fold is snapshotted in `folds` with every batch (default). A part of a
   * parallel rebuild writes none: it folds each of its cases once, whole. A fact that later
   * arrives for a case projected without a snapshot is refused with {@link MissingFoldsError}
   * until its fold is restored from the store ({@link ReadModels.restoreFold}; the runner does it).
   */
  readonly snapshots?: boolean;
}

/**
 * Facts arrived for cases whose fold is neither in memory nor snapshotted in the file (cases
 * projected by a parallel rebuild, which writes no snapshots): nothing of the batch was written.
 * Read each case's facts up to its projected revision from the store, give them to
 * {@link ReadModels.restoreFold}, and apply the batch again.
 */
export class MissingFoldsError extends Error {
  override readonly name = 'MissingFoldsError';
  constructor(
    readonly path: string,
    /** Each case whose fold is missing, with the revision of its last projected fact. */
    readonly cases: ReadonlyMap<string, number>,
  ) {
    super(
      `read models ${path}: the fold of ${cases.size} case(s) (${[...cases.keys()].slice(0, 3).join(', ')}` +
        `${cases.size > 3 ? ', …' : ''}) is not snapshotted; restore it from the store before applying their facts`,
    );
  }
}

/** What a batch changed. */
export interface ApplyResult {
  /** Facts stored by this batch (re-delivered ones are not counted). */
  readonly stored: number;
  /** Events of the batch that were already stored. */
  readonly redelivered: number;
  readonly checkpoint: number;
}

/** What of a case's context the as-of ledger and register read (stored in `context_periods`). */
export type PeriodContext = LedgerContext & RegisterContext;

const periodContextOf = (c: ProcedureContext): PeriodContext => ({
  controller: c.controller,
  sanction: c.sanction,
  injunction: c.injunction,
  liquidations: c.liquidations,
  courtReductions: c.courtReductions,
  decisions: c.decisions,
});

/** A deadline period still open: the deadline held `n` times by the case's state since `from`. */
interface OpenDeadline {
  readonly kind: DeadlineKind;
  readonly due: IsoDate;
  readonly stage: Stage | null;
  readonly timeLimit: boolean;
  readonly n: number;
  readonly from: IsoDate;
}

/** The context period still open: the ledger/register part of the context, as JSON, since `from`. */
interface OpenContext {
  readonly from: IsoDate;
  readonly json: string;
  readonly sanctioned: boolean;
  readonly published: boolean;
}

/**
 * A case's facts folded through the statechart (the fast path of src/simulation/engine.ts, or plain
 * `transition()`: both reach the same states, test/projector/equivalence.test.ts), as of `revision`,
 * with the periods it keeps open. Snapshotted in `folds` after each batch, so that a fact is folded
 * once, whichever process projects the next one.
 */
interface CaseFold {
  readonly state: EngineState;
  readonly revision: number;
  readonly lastEventId: string;
  readonly openedOn: IsoDate | null;
  readonly lastEvent: { readonly type: EventType; readonly on: IsoDate } | null;
  /** The latest date of the case's facts: the date its current periods are valid from or after. */
  readonly periodOn: IsoDate | null;
  readonly deadlines: readonly OpenDeadline[];
  readonly context: OpenContext | null;
  /** Whether rows of this case may be in the file already (else they are inserted without a delete). */
  readonly stored: boolean;
}

/** A fold as stored in `folds.fold`. */
interface StoredFold {
  readonly key: string;
  readonly context: ProcedureContext;
  readonly openedOn: IsoDate | null;
  readonly lastEvent: CaseFold['lastEvent'];
  readonly periodOn: IsoDate | null;
  readonly deadlines: readonly OpenDeadline[];
  readonly openContext: OpenContext | null;
}

/** Folds kept in memory between batches (the least recently projected cases are dropped first). */
const MAX_CACHED_FOLDS = 10_000;

/** JSON of sources, by object: decoded facts share the source objects of their store (src/cases/codec.ts). */
const sourceJson = new WeakMap<object, string>();
const stringifySource = (source: object | null): string | null => {
  if (source === null) return null;
  let json = sourceJson.get(source);
  if (json === undefined) {
    json = JSON.stringify(source);
    sourceJson.set(source, json);
  }
  return json;
};

/** Every read-model table, by name, as rows (column name → value). */
export type ReadModelsDump = Record<string, Record<string, unknown>[]>;

const dumpTables = (db: Database.Database): ReadModelsDump => {
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

/** A deadline open on a date, as the `deadline_periods` say (`deadlines --as-of`). */
export interface DeadlineAt {
  readonly caseId: string;
  readonly kind: DeadlineKind;
  readonly due: IsoDate;
  readonly stage: Stage | null;
  readonly timeLimit: boolean;
}

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
    const tables = new Set(
      db
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all()
        .map((t) => t.name),
    );
    const count = (table: string): number =>
      tables.has(table)
        ? (db.prepare<[], { n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).get()?.n ?? 0)
        : 0;
    const projections = db
      .prepare<[], { name: string; version: number }>('SELECT name, version FROM projections')
      .all()
      .sort((a, b) => a.name.localeCompare(b.name));
    const recorded = new Map(projections.map((r) => [r.name, r.version]));
    const current =
      version === READ_MODEL_SCHEMA_VERSION &&
      recorded.size === READ_MODELS.length &&
      READ_MODELS.every((m) => recorded.get(m.name) === m.version);
    return {
      layout: current ? 'current' : 'outdated',
      store:
        db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'store'").get()?.value ?? null,
      // An outdated file is rebuilt from the store's first event.
      checkpoint: current
        ? (db.prepare<[], { position: number }>('SELECT position FROM checkpoint WHERE id = 1').get()
            ?.position ?? 0)
        : 0,
      projections,
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

/** The read models of one file, opened by {@link openReadModels}. */
export interface ReadModels {
  /** The file (`:memory:` for read models kept in memory). */
  readonly path: string;
  /** The identity of the store these read models follow. */
  readonly store: string;
  /** Every case event at or before this global position has been projected. */
  checkpoint(): number;
  /**
   * Projects a batch of events and moves the checkpoint to `through` (never backwards), in one
   * transaction. Events at a (case, revision) already stored change nothing. The events are read
   * once, in order: a generator can hand them over as they are read, none kept.
   * @throws ReadModelDivergenceError when a stored revision holds another event.
   * @throws MissingFoldsError when facts arrive for cases projected without a snapshot.
   * @throws EventDeserializationError, ProcedureViolationError on a fact that cannot be projected
   *   (nothing of the batch is written).
   */
  apply(events: Iterable<RecordedEvent>, through: number): ApplyResult;
  /**
   * Restores the fold of a case projected without a snapshot (by a parallel rebuild) from its
   * facts, read from the store up to its last projected revision, for the next batch to start
   * from. Nothing is written.
   * @throws RangeError when the facts do not follow one another from revision 0.
   */
  restoreFold(caseId: string, events: readonly RecordedEvent[]): void;
  /**
   * The cases of `events` whose fold must be restored before they are applied (what `apply` would
   * refuse with {@link MissingFoldsError}), each with the revision of its last projected fact;
   * found without decoding any event.
   */
  missingFolds(events: readonly RecordedEvent[]): Map<string, number>;
  /**
   * Takes in the read models of other files, each built from the same store for cases this file
   * does not hold (`rebuildInParallel`), and moves the checkpoint to `through`: one transaction.
   */
  absorb(paths: readonly string[], through: number): void;
  /** The versions the read models were built with. */
  versions(): { name: string; version: number }[];
  /** The id of every case projected, in order. */
  caseIds(): string[];
  /** The deadlines open on `asOf`: each case's deadline periods holding on that date. */
  deadlinesAt(asOf: IsoDate): DeadlineAt[];
  /**
   * The ledger and register part of each case's context on `asOf`, for the cases sanctioned by
   * then (`sanctioned`) or with a decision published by then (`published`).
   */
  contextsAt(asOf: IsoDate, of: 'sanctioned' | 'published'): Map<string, PeriodContext>;
  /** Cases projected, and facts (timeline rows). */
  counts(): { cases: number; facts: number };
  /**
   * Every read-model table as deterministic JSON, without what depends on the store (the
   * checkpoint): two rebuilds of the same history from any two stores dump equal.
   */
  dump(): ReadModelsDump;
  close(): void;
}

/**
 * Opens (creating it if absent, readable by its owner only) the read-model database at `path`.
 * With `rebuild`, the file is deleted first and built again from nothing (faster than emptying
 * every table, and no page of the old models stays behind).
 */
export const openReadModels = (
  path: string,
  {
    store,
    rebuild = false,
    engine: makeEngine = fastEngine,
    cachedFolds = MAX_CACHED_FOLDS,
    scratch = false,
    snapshots = true,
  }: ReadModelsOptions,
): ReadModels => {
  if (rebuild && path !== ':memory:') {
    if (!holdsReadModelsOnly(path)) throw new NotReadModelsError(path);
    deleteDatabaseFiles(path);
  }
  createPrivateFile(path);
  const db = new Database(path, { timeout: 5000 });

  const resetAll = (): void => {
    for (const table of RESET_TABLES) db.prepare(`DELETE FROM ${table}`).run();
    db.prepare('DELETE FROM projections').run();
    db.prepare('DELETE FROM meta WHERE key = ?').run(UNSNAPSHOTTED);
    db.prepare("INSERT OR REPLACE INTO checkpoint (id, position, updated_at) VALUES (1, 0, '')").run();
  };

  try {
    if (scratch) {
      db.pragma('journal_mode = MEMORY');
      db.pragma('synchronous = OFF');
    } else {
      db.pragma('journal_mode = WAL');
      // The read models can be rebuilt from the store; NORMAL keeps every commit atomic in WAL mode.
      db.pragma('synchronous = NORMAL');
    }
    // A rebuild writes the timeline B-tree of every case: keep its pages in memory.
    db.pragma('cache_size = -65536');
    db.pragma('busy_timeout = 5000');
    db.transaction(() => {
      const version = db.pragma('user_version', { simple: true });
      if (typeof version !== 'number' || version > READ_MODEL_SCHEMA_VERSION)
        throw new UnsupportedReadModelSchemaError(path, Number(version));
      if (version < READ_MODEL_SCHEMA_VERSION) {
        // An older layout: its tables go, and the read models are built again from the store.
        for (const table of [...RESET_TABLES, ...OLD_TABLES, 'projections', 'checkpoint', 'meta'])
          db.prepare(`DROP TABLE IF EXISTS ${table}`).run();
        db.exec(SCHEMA);
        db.pragma(`user_version = ${READ_MODEL_SCHEMA_VERSION}`);
      }
      const recorded = db.prepare<[], { value: string }>("SELECT value FROM meta WHERE key = 'store'").get();
      if (recorded && recorded.value !== store && !rebuild)
        throw new ReadModelStoreMismatchError(path, recorded.value, store);
      if (!recorded || rebuild) {
        resetAll();
        db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('store', ?)").run(store);
      }
      // A part is read once, whole, by the merge: the periods are indexed there.
      if (scratch) dropPeriodIndexes(db);
    }).immediate();
  } catch (error) {
    db.close();
    throw error;
  }

  const selectCheckpoint = db.prepare<[], { position: number }>(
    'SELECT position FROM checkpoint WHERE id = 1',
  );
  const updateCheckpoint = db.prepare<[number, string]>(
    'UPDATE checkpoint SET position = MAX(position, ?), updated_at = ? WHERE id = 1',
  );
  /** Rows written by one multi-row INSERT (SQLite allows 32 766 parameters per statement). */
  const ROWS_PER_INSERT = 100;
  /**
   * A buffer of rows for one table, written by multi-row INSERT statements (one statement per
   * {@link ROWS_PER_INSERT} rows instead of one per row); `flush` writes what is left.
   */
  const rowBuffer = (table: string, columns: readonly string[]) => {
    const one = `(${columns.map(() => '?').join(', ')})`;
    const sql = (rows: number) =>
      `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array.from({ length: rows }, () => one).join(', ')}`;
    const many = db.prepare(sql(ROWS_PER_INSERT));
    const single = db.prepare(sql(1));
    let values: unknown[] = [];
    return {
      push: (...row: unknown[]): void => {
        for (const v of row) values.push(v);
        if (values.length === ROWS_PER_INSERT * columns.length) {
          many.run(values);
          values = [];
        }
      },
      flush: (): void => {
        const width = columns.length;
        for (let i = 0; i < values.length; i += width) single.run(values.slice(i, i + width));
        values = [];
      },
      /** Forgets the rows not yet written (those of a batch that failed). */
      clear: (): void => {
        values = [];
      },
    };
  };
  const timelineRows = rowBuffer('timeline', [
    'case_id',
    'revision',
    'event_id',
    'on_date',
    'type',
    'act',
    'reference',
    'summary',
    'stage',
    'state',
    'source',
  ]);
  const DEADLINE_PERIOD_COLUMNS = [
    'case_id',
    'kind',
    'due',
    'stage',
    'time_limit',
    'n',
    'valid_from',
    'valid_to',
  ];
  const CONTEXT_PERIOD_COLUMNS = ['case_id', 'valid_from', 'valid_to', 'sanctioned', 'published', 'context'];
  const deadlinePeriodRows = rowBuffer('deadline_periods', DEADLINE_PERIOD_COLUMNS);
  const contextPeriodRows = rowBuffer('context_periods', CONTEXT_PERIOD_COLUMNS);
  const foldRows = rowBuffer('folds', ['case_id', 'revision', 'event_id', 'fold']);
  const flushRows = (): void => {
    timelineRows.flush();
    deadlinePeriodRows.flush();
    contextPeriodRows.flush();
    foldRows.flush();
  };
  const clearRows = (): void => {
    for (const rows of [timelineRows, deadlinePeriodRows, contextPeriodRows, foldRows]) rows.clear();
  };
  const selectFold = db.prepare<[string], { revision: number; event_id: string; fold: string }>(
    'SELECT revision, event_id, fold FROM folds WHERE case_id = ?',
  );
  const selectFoldExists = db.prepare<[string], { found: number }>(
    'SELECT 1 AS found FROM folds WHERE case_id = ?',
  );
  const selectUnsnapshotted = db.prepare<[], { value: string }>(
    `SELECT value FROM meta WHERE key = '${UNSNAPSHOTTED}'`,
  );
  const markUnsnapshotted = db.prepare<[string]>(
    `INSERT OR IGNORE INTO meta (key, value) VALUES ('${UNSNAPSHOTTED}', ?)`,
  );
  const selectCaseRevision = db.prepare<[string], { revision: number }>(
    'SELECT revision FROM cases WHERE case_id = ?',
  );
  const selectEventId = db.prepare<[string, number], { event_id: string }>(
    'SELECT event_id FROM timeline WHERE case_id = ? AND revision = ?',
  );
  const selectCaseIds = db.prepare<[], { case_id: string }>('SELECT case_id FROM cases ORDER BY case_id');
  const selectDeadlinesAt = db.prepare<
    [{ asOf: IsoDate }],
    { case_id: string; kind: DeadlineKind; due: IsoDate; stage: Stage | null; time_limit: number; n: number }
  >(
    `SELECT case_id, kind, due, stage, time_limit, n FROM deadline_periods
     WHERE valid_to > @asOf AND valid_from <= @asOf AND (time_limit = 0 OR due >= @asOf)`,
  );
  const selectContextsAt = db.prepare<
    [{ asOf: IsoDate; sanctioned: number; published: number }],
    { case_id: string; context: string }
  >(
    `SELECT case_id, context FROM context_periods
     WHERE valid_to > @asOf AND valid_from <= @asOf AND (sanctioned = @sanctioned OR published = @published)
     ORDER BY case_id`,
  );
  const selectVersions = db.prepare<[], { name: string; version: number }>(
    'SELECT name, version FROM projections',
  );
  const upsertVersion = db.prepare<[string, number]>(
    'INSERT INTO projections (name, version) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET version = excluded.version',
  );

  /** What is rewritten of a case after a batch (the timeline and the closed periods are appended). */
  const deleteByCase = ['cases', 'deadlines', 'ledger', 'liquidations', 'register', 'folds'].map((t) =>
    db.prepare<[string]>(`DELETE FROM ${t} WHERE case_id = ?`),
  );
  const deleteOpenPeriods = ['deadline_periods', 'context_periods'].map((t) =>
    db.prepare<[string]>(`DELETE FROM ${t} WHERE case_id = ? AND valid_to = '${OPEN_END}'`),
  );
  const insertCase = db.prepare(
    `INSERT INTO cases (case_id, controller, stage, state, revision, opened_on, last_type, last_on, closed_on, closed_outcome)
     VALUES (@caseId, @controller, @stage, @state, @revision, @openedOn, @lastType, @lastOn, @closedOn, @closedOutcome)`,
  );
  const insertDeadline = db.prepare<[string, string, string]>(
    'INSERT OR IGNORE INTO deadlines (case_id, kind, due) VALUES (?, ?, ?)',
  );
  const insertLedger = db.prepare(
    `INSERT INTO ledger (case_id, deliberation, decided_on, fine, rate_per_day, delay_from, complied_on, liquidated)
     VALUES (@caseId, @deliberation, @decidedOn, @fine, @ratePerDay, @delayFrom, @compliedOn, @liquidated)`,
  );
  const insertLiquidation = db.prepare(
    `INSERT INTO liquidations (case_id, deliberation, on_date, amount, period_from, period_to)
     VALUES (@caseId, @deliberation, @on, @amount, @periodFrom, @periodTo)`,
  );
  const insertRegister = db.prepare(
    `INSERT INTO register (case_id, reference, kind, company, decided_on, published_on, anonymise_after, anonymised_on)
     VALUES (@caseId, @reference, @kind, @company, @decidedOn, @publishedOn, @anonymiseAfter, @anonymisedOn)`,
  );

  /** The engine the facts are folded with; the fast path's table is derived on first use. */
  let engine: Engine | undefined;
  const engineOf = (): Engine => (engine ??= makeEngine());
  /** Stage and state description of each state value met (a few dozen). */
  const describedStates = new Map<
    string,
    { readonly value: StateValue; readonly stage: Stage | null; readonly state: string }
  >();
  const describe = (state: EngineState) => {
    let found = describedStates.get(state.key);
    if (!found) {
      const value = engineOf().valueOf(state);
      found = { value, stage: stageOf({ value }), state: describeState(value) };
      describedStates.set(state.key, found);
    }
    return found;
  };
  const emptyFold = (): CaseFold => ({
    state: engineOf().fromSnapshot(initialState()),
    revision: -1,
    lastEventId: '',
    openedOn: null,
    lastEvent: null,
    periodOn: null,
    deadlines: [],
    context: null,
    stored: false,
  });

  /** The fold a snapshot holds (its state resolved again by the statechart). */
  const foldFromRow = (row: { revision: number; event_id: string; fold: string }): CaseFold => {
    const stored = JSON.parse(row.fold) as StoredFold;
    const value = JSON.parse(stored.key) as StateValue;
    return {
      state: engineOf().fromSnapshot(procedureMachine.resolveState({ value, context: stored.context })),
      revision: row.revision,
      lastEventId: row.event_id,
      openedOn: stored.openedOn,
      lastEvent: stored.lastEvent,
      periodOn: stored.periodOn,
      deadlines: stored.deadlines,
      context: stored.openContext,
      stored: true,
    };
  };

  /**
   * The periods of a case once its facts dated up to `on` are folded into `fold`: deadline and
   * context periods that no longer hold are closed on `on` (written), those the state starts are
   * opened from `on`. A period opened on `on` and already replaced never held: it is dropped.
   * With `write` false, the closed periods are not written (a fold restored from the store).
   */
  const periodsAt = (caseId: string, fold: CaseFold, on: IsoDate, write = true): CaseFold => {
    const described = describe(fold.state);
    const counts = new Map<string, { kind: DeadlineKind; due: IsoDate; timeLimit: boolean; n: number }>();
    for (const d of deadlineCandidates({ value: described.value, context: fold.state.context })) {
      const key = `${d.kind} ${d.due} ${d.timeLimit}`;
      const found = counts.get(key);
      if (found) found.n++;
      else counts.set(key, { kind: d.kind, due: d.due, timeLimit: d.timeLimit, n: 1 });
    }
    const deadlines: OpenDeadline[] = [];
    let changed = false;
    for (const open of fold.deadlines) {
      const key = `${open.kind} ${open.due} ${open.timeLimit}`;
      const held = counts.get(key);
      if (held && held.n === open.n && open.stage === described.stage) {
        deadlines.push(open);
        counts.delete(key);
        continue;
      }
      changed = true;
      if (write && open.from < on)
        deadlinePeriodRows.push(
          caseId,
          open.kind,
          open.due,
          open.stage,
          open.timeLimit ? 1 : 0,
          open.n,
          open.from,
          on,
        );
    }
    for (const d of counts.values()) {
      changed = true;
      deadlines.push({ ...d, stage: described.stage, from: on });
    }
    const c = fold.state.context;
    const sanctioned = c.sanction !== null;
    const published = c.decisions.some((d) => d.publishedOn !== null);
    const json = sanctioned || published ? JSON.stringify(periodContextOf(c)) : null;
    let context = fold.context;
    if (context !== null && context.json !== json) {
      if (write && context.from < on)
        contextPeriodRows.push(
          caseId,
          context.from,
          on,
          context.sanctioned ? 1 : 0,
          context.published ? 1 : 0,
          context.json,
        );
      context = null;
    }
    if (json !== null && context === null) context = { from: on, json, sanctioned, published };
    if (!changed && context === fold.context) return { ...fold, periodOn: on };
    return { ...fold, deadlines, context, periodOn: on };
  };

  /**
   * Folds one fact; with `write`, its timeline row and the periods it closes are written.
   * @throws ProcedureViolationError when refused.
   */
  const step = (caseId: string, fold: CaseFold, fact: RecordedFact, write: boolean): CaseFold => {
    const on = fact.event.data.on;
    // A later date: the periods of the facts up to the previous date are settled.
    const settled =
      fold.periodOn !== null && on > fold.periodOn ? periodsAt(caseId, fold, fold.periodOn, write) : fold;
    const next = engineOf().step(settled.state, fact.event);
    if (next === null) {
      const snapshot = procedureMachine.resolveState({
        value: engineOf().valueOf(settled.state),
        context: settled.state.context,
      });
      throw new ProcedureViolationError(explainRefusal(snapshot, fact.event), fact.event);
    }
    if (write) {
      const row = timelineRowOf(fact, describe(next));
      timelineRows.push(
        caseId,
        row.revision,
        fact.eventId,
        row.on,
        row.type,
        row.act,
        row.reference,
        row.summary,
        row.stage,
        row.state,
        stringifySource(row.source),
      );
    }
    return {
      ...settled,
      state: next,
      revision: fact.revision,
      lastEventId: fact.eventId,
      openedOn: settled.openedOn ?? on,
      lastEvent: { type: fact.event.type, on },
      periodOn: settled.periodOn === null || on > settled.periodOn ? on : settled.periodOn,
    };
  };

  /**
   * Each case's fold as of its last projected fact, kept between batches so that a fact is folded
   * once (least recently projected cases dropped first, then read back from `folds`). Dropped when
   * a batch fails, or when another connection has written the file since this one last did.
   */
  const folds = new Map<string, CaseFold>();
  const remember = (caseId: string, fold: CaseFold): void => {
    folds.delete(caseId);
    folds.set(caseId, fold);
    if (folds.size > cachedFolds) {
      const oldest = folds.keys().next();
      if (!oldest.done) folds.delete(oldest.value);
    }
  };

  /** Writes the rows of a case after a batch: its current read models, open periods and snapshot. */
  const writeCase = (caseId: string, fold: CaseFold): void => {
    const context = fold.state.context;
    const described = describe(fold.state);
    const lastOn = fold.lastEvent?.on ?? null;
    insertCase.run({
      caseId,
      controller: context.controller?.name ?? null,
      stage: described.stage,
      state: described.state,
      revision: fold.revision,
      openedOn: fold.openedOn,
      lastType: fold.lastEvent?.type ?? null,
      lastOn,
      closedOn: context.closed?.on ?? null,
      closedOutcome: context.closed?.outcome ?? null,
    });
    // Open as of the case's latest act; `deadlines --as-of D` reads the deadline periods instead.
    if (lastOn)
      for (const d of openDeadlines({ value: described.value, context }, lastOn))
        insertDeadline.run(caseId, d.kind, d.due);
    const sanction = context.sanction;
    if (sanction) {
      insertLedger.run({
        caseId,
        deliberation: sanction.deliberation,
        decidedOn: sanction.on,
        fine: sanction.fine,
        ratePerDay: context.injunction?.penaltyPerDay ?? 0,
        delayFrom: context.injunction?.delayFrom ?? null,
        compliedOn: context.injunction?.compliedOn ?? null,
        liquidated: context.liquidations.reduce((sum, l) => sum + l.amount, 0),
      });
      for (const l of context.liquidations) insertLiquidation.run({ caseId, ...l });
    }
    for (const d of context.decisions)
      if (d.publishedOn)
        insertRegister.run({
          caseId,
          reference: d.reference,
          kind: d.kind,
          company: context.controller?.name ?? null,
          decidedOn: d.on,
          publishedOn: d.publishedOn,
          anonymiseAfter: d.anonymiseAfter,
          anonymisedOn: d.anonymisedOn,
        });
    for (const d of fold.deadlines)
      deadlinePeriodRows.push(caseId, d.kind, d.due, d.stage, d.timeLimit ? 1 : 0, d.n, d.from, OPEN_END);
    if (fold.context)
      contextPeriodRows.push(
        caseId,
        fold.context.from,
        OPEN_END,
        fold.context.sanctioned ? 1 : 0,
        fold.context.published ? 1 : 0,
        fold.context.json,
      );
    if (!snapshots) return;
    const snapshot: StoredFold = {
      key: fold.state.key,
      context,
      openedOn: fold.openedOn,
      lastEvent: fold.lastEvent,
      periodOn: fold.periodOn,
      deadlines: fold.deadlines,
      openContext: fold.context,
    };
    foldRows.push(caseId, fold.revision, fold.lastEventId, JSON.stringify(snapshot));
  };

  /** Folds restored from the store for the next batch ({@link ReadModels.restoreFold}). */
  const restored = new Map<string, CaseFold>();

  /** Whether some case may have been projected without a snapshot ({@link UNSNAPSHOTTED}). */
  let unsnapshotted = selectUnsnapshotted.get() !== undefined;
  const markCasesUnsnapshotted = (): void => {
    if (unsnapshotted) return;
    markUnsnapshotted.run(new Date().toISOString());
    unsnapshotted = true;
  };

  /**
   * The fold of a case that has neither a cached fold nor a snapshot: the statechart's initial
   * state for a case never projected, else the fold restored from the store at its last projected
   * revision, else `missing` with that revision.
   */
  const unsnapshottedFold = (caseId: string): CaseFold | { readonly missing: number } => {
    // Every projected case has its snapshot: this one was never projected.
    if (!unsnapshotted) return emptyFold();
    const projected = selectCaseRevision.get(caseId);
    if (projected === undefined) return emptyFold();
    const fold = restored.get(caseId);
    return fold?.revision === projected.revision ? fold : { missing: projected.revision };
  };

  /** The fold of a case's projected facts: the cached one, else its snapshot, else as above. */
  const foldOf = (caseId: string): CaseFold | { readonly missing: number } => {
    const cached = folds.get(caseId);
    if (cached) return cached;
    const row = selectFold.get(caseId);
    return row ? foldFromRow(row) : unsnapshottedFold(caseId);
  };
  /**
   * `PRAGMA data_version` as of this connection's last look: it changes when another connection
   * (another runner on the same file) commits, and then the cached folds may be stale.
   */
  let seenVersion = Number(db.pragma('data_version', { simple: true }));
  const dropFoldsWrittenElsewhere = (): void => {
    const version = Number(db.pragma('data_version', { simple: true }));
    if (version !== seenVersion) {
      folds.clear();
      unsnapshotted = selectUnsnapshotted.get() !== undefined;
    }
    seenVersion = version;
  };

  const checkpoint = (): number => selectCheckpoint.get()?.position ?? 0;

  /** Leaves write-ahead logging for a rollback journal, if no other connection has the file open. */
  const toRollbackJournal = (): boolean => {
    try {
      return db.pragma('journal_mode = DELETE', { simple: true }) === 'delete';
    } catch {
      return false; // SQLITE_BUSY: another connection reads or writes the file
    }
  };

  // Bring every read model to the version this code builds: the read models are folded from the
  // store, so a new version of any of them (or none recorded) restarts them all from zero.
  db.transaction((): void => {
    const recorded = new Map(selectVersions.all().map((r) => [r.name, r.version]));
    if (READ_MODELS.every((m) => recorded.get(m.name) === m.version) && recorded.size === READ_MODELS.length)
      return;
    resetAll();
    for (const m of READ_MODELS) upsertVersion.run(m.name, m.version);
  }).immediate();

  /**
   * Projects a batch: each new fact is folded once onto its case's fold and its timeline row
   * written; then each case the batch touched has its other rows rewritten once.
   */
  const applyBatch = db.transaction((events: Iterable<RecordedEvent>, through: number): ApplyResult => {
    dropFoldsWrittenElsewhere();
    const touched = new Map<string, CaseFold>();
    // Cases whose fold is missing: their facts are skipped, and the batch stops once every such
    // case is known (the transaction is rolled back; nothing is written).
    const missing = new Map<string, number>();
    let delivered = 0;
    let redelivered = 0;
    for (const recorded of events) {
      delivered++;
      if (!recorded.streamId.startsWith(CASE_STREAM_PREFIX)) continue;
      const caseId = recorded.streamId.slice(CASE_STREAM_PREFIX.length);
      let fold = touched.get(caseId);
      if (fold === undefined) {
        if (missing.has(caseId)) continue;
        const found = foldOf(caseId);
        if ('missing' in found) {
          missing.set(caseId, found.missing);
          continue;
        }
        fold = found;
      }
      const fact = toFact(withoutPersonalData(recorded));
      if (fact.revision <= fold.revision) {
        redelivered++;
        timelineRows.flush();
        const stored =
          fact.revision === fold.revision
            ? fold.lastEventId
            : selectEventId.get(caseId, fact.revision)?.event_id;
        if (stored !== fact.eventId)
          throw new ReadModelDivergenceError(path, caseId, fact.revision, String(stored), fact.eventId);
        continue;
      }
      if (fact.revision !== fold.revision + 1)
        throw new RangeError(
          `read models ${path}: case ${caseId} has no fact at revision ${fold.revision + 1}`,
        );
      touched.set(caseId, step(caseId, fold, fact, true));
    }
    if (missing.size > 0) throw new MissingFoldsError(path, missing);
    // The periods of each touched case as of its latest date (provisional until a later date).
    const settled = [...touched].map(([caseId, fold]) => {
      const next = fold.periodOn === null ? fold : periodsAt(caseId, fold, fold.periodOn);
      if (fold.stored) {
        for (const remove of deleteByCase) remove.run(caseId);
        for (const remove of deleteOpenPeriods) remove.run(caseId);
      }
      return [caseId, next] as const;
    });
    // (The periods closed by this batch were written as they closed: their key holds their end,
    // so they never collide with the open rows deleted above.)
    for (const [caseId, fold] of settled) {
      writeCase(caseId, fold);
      remember(caseId, { ...fold, stored: true });
    }
    if (!snapshots && settled.length > 0) markCasesUnsnapshotted();
    flushRows();
    updateCheckpoint.run(through, new Date().toISOString());
    return { stored: delivered - redelivered, redelivered, checkpoint: checkpoint() };
  });

  const readModels: ReadModels = {
    path,
    store,
    checkpoint,
    apply: (events: Iterable<RecordedEvent>, through: number): ApplyResult => {
      try {
        return applyBatch.immediate(events, through);
      } catch (error) {
        clearRows(); // the rows not yet written, of the batch rolled back
        // The folds may include facts the rollback removed (missing folds stop a batch before any
        // fold is kept).
        if (!(error instanceof MissingFoldsError)) folds.clear();
        throw error;
      } finally {
        restored.clear();
      }
    },
    restoreFold: (caseId: string, events: readonly RecordedEvent[]): void => {
      let fold = emptyFold();
      for (const recorded of events) {
        const fact = toFact(withoutPersonalData(recorded));
        if (fact.revision !== fold.revision + 1)
          throw new RangeError(
            `read models ${path}: case ${caseId} has no fact at revision ${fold.revision + 1}`,
          );
        fold = step(caseId, fold, fact, false);
      }
      if (fold.periodOn !== null) fold = periodsAt(caseId, fold, fold.periodOn, false);
      restored.set(caseId, { ...fold, stored: true });
    },
    missingFolds: (events: readonly RecordedEvent[]): Map<string, number> => {
      dropFoldsWrittenElsewhere();
      const missing = new Map<string, number>();
      if (!unsnapshotted) return missing;
      const seen = new Set<string>();
      for (const { streamId } of events) {
        if (!streamId.startsWith(CASE_STREAM_PREFIX)) continue;
        const caseId = streamId.slice(CASE_STREAM_PREFIX.length);
        if (seen.has(caseId)) continue;
        seen.add(caseId);
        if (folds.has(caseId) || selectFoldExists.get(caseId)) continue;
        const fold = unsnapshottedFold(caseId);
        if ('missing' in fold) missing.set(caseId, fold.missing);
      }
      return missing;
    },
    absorb: (paths: readonly string[], through: number): void => {
      const schemas = paths.map((_, i) => `part${i}`);
      // The parts go into empty tables. With a rollback journal their pages are written once (new
      // pages need no journal); the write-ahead log would write them twice, to the log and back
      // (1 M events: 3.2 s against 6.5 s). The journal can change only while no other connection
      // has the file open; if one has, the parts go through the log.
      const rollback = db.pragma('journal_mode', { simple: true }) === 'wal' && toRollbackJournal();
      paths.forEach((p, i) => db.prepare('ATTACH DATABASE ? AS ?').run(p, schemas[i]));
      try {
        db.transaction(() => {
          // Indexed once every row is in: sorted, not row by row in case order.
          dropPeriodIndexes(db);
          for (const schema of schemas)
            for (const table of RESET_TABLES)
              db.prepare(`INSERT INTO main.${table} SELECT * FROM ${schema}.${table}`).run();
          db.exec(PERIOD_INDEXES);
          // The parts keep no snapshot of their cases' folds.
          markCasesUnsnapshotted();
          updateCheckpoint.run(through, new Date().toISOString());
        }).immediate();
      } finally {
        for (const schema of schemas) db.prepare(`DETACH DATABASE ${schema}`).run();
        folds.clear();
        if (rollback) db.pragma('journal_mode = WAL');
      }
    },
    versions: (): { name: string; version: number }[] =>
      selectVersions.all().sort((a, b) => a.name.localeCompare(b.name)),
    caseIds: (): string[] => selectCaseIds.all().map((r) => r.case_id),
    deadlinesAt: (asOf: IsoDate): DeadlineAt[] =>
      selectDeadlinesAt.all({ asOf }).flatMap((r) =>
        Array.from({ length: r.n }, () => ({
          caseId: r.case_id,
          kind: r.kind,
          due: r.due,
          stage: r.stage,
          timeLimit: r.time_limit !== 0,
        })),
      ),
    contextsAt: (asOf: IsoDate, of: 'sanctioned' | 'published'): Map<string, PeriodContext> => {
      const byCase = new Map<string, PeriodContext>();
      for (const row of selectContextsAt.iterate({
        asOf,
        sanctioned: of === 'sanctioned' ? 1 : -1,
        published: of === 'published' ? 1 : -1,
      }))
        byCase.set(row.case_id, JSON.parse(row.context) as PeriodContext);
      return byCase;
    },
    counts: (): { cases: number; facts: number } => ({
      cases: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM cases').get()?.n ?? 0,
      facts: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM timeline').get()?.n ?? 0,
    }),
    dump: (): ReadModelsDump => dumpTables(db),
    close: (): void => {
      db.close();
    },
  };
  keepConnection(readModels, db);
  return readModels;
};
