/**
 * The read-model database: one SQLite file (better-sqlite3, WAL) holding every read model the
 * projection runner maintains, the checkpoint it has reached in the event store, the version of
 * each projection that built it, and the identity of the store it follows.
 *
 * - `facts`: every fact of every `case-` stream (validated), keyed by (case, revision): the as-of
 *   queries fold those dated ≤ D with the pure functions of projections/.
 * - `cases`, `timeline`, `deadlines`, `ledger`, `liquidations`, `register`: each case's current
 *   read models, recomputed from its facts whenever one of its facts arrives.
 *
 * {@link ReadModels.apply} writes a batch of events and the checkpoint in ONE transaction: a crash
 * leaves either the whole batch or none of it. A fact already stored at its (case, revision) is
 * skipped, so re-delivered events change nothing.
 */
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
import type { EventMetadata, EventType, ProcedureEvent } from '../../machines/events.ts';
import { procedureMachine, type Stage } from '../../machines/procedure.ts';
import { erasePersonalData, PERSONAL_FIELDS } from '../../machines/personal-data.ts';
import { caseStateProjection } from '../../projections/case-state.ts';
import { DEADLINES } from '../../projections/deadline-report.ts';
import { openDeadlines } from '../../projections/deadlines.ts';
import type { RecordedFact } from '../../projections/fact.ts';
import { LEDGER } from '../../projections/ledger.ts';
import { REGISTER } from '../../projections/register.ts';
import { type TimelineRow, timelineProjection, timelineRowOf } from '../../projections/timeline.ts';
import { toFact } from '../cases/codec.ts';
import { type Engine, type EngineState, fastEngine } from '../simulation/engine.ts';
import { createPrivateFile } from '../privacy/private-file.ts';
// The read models answer no question about a person: they keep no personal data, need no key.
import { withoutPersonalData } from '../privacy/protected-store.ts';
import type { RecordedEvent } from '../store/port.ts';

/** The prefix of the streams the runner projects. */
export const CASE_STREAM_PREFIX = 'case-';

/** The layout of the tables; a file with another layout is rebuilt from zero. */
export const READ_MODEL_SCHEMA_VERSION = 1;

/** A read model: its name, its version (raising it rebuilds it) and the tables it owns. */
export interface ReadModelDefinition {
  readonly name: string;
  readonly version: number;
  readonly tables: readonly string[];
}

/**
 * The facts of every case: the base every other read model is folded from. Their data is stored
 * upcast to the current event schemas (src/cases/codec.ts `toFact`); version 2: SanctionImposed v2;
 * version 3: personal data withheld (files built before held names in clear: they are rebuilt).
 */
export const FACTS = { name: 'facts', version: 3, tables: ['facts'] } as const;

/** The read models recomputed from a case's facts, in the order they are written. */
export const DERIVED: readonly ReadModelDefinition[] = [
  { name: caseStateProjection.name, version: caseStateProjection.version, tables: ['cases'] },
  { name: timelineProjection.name, version: timelineProjection.version, tables: ['timeline'] },
  { ...DEADLINES, tables: ['deadlines'] },
  { ...LEDGER, tables: ['ledger', 'liquidations'] },
  { ...REGISTER, tables: ['register'] },
];

export const READ_MODELS: readonly ReadModelDefinition[] = [FACTS, ...DERIVED];

const TIMELINE = DERIVED.find((m) => m.name === timelineProjection.name) as ReadModelDefinition;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS checkpoint (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    position INTEGER NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS projections (name TEXT PRIMARY KEY, version INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS facts (
    case_id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    event_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    type TEXT NOT NULL,
    on_date TEXT NOT NULL,
    data TEXT NOT NULL,
    metadata TEXT NOT NULL,
    PRIMARY KEY (case_id, revision)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS facts_on_date ON facts (on_date);
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
    on_date TEXT NOT NULL,
    type TEXT NOT NULL,
    act TEXT NOT NULL,
    reference TEXT,
    summary TEXT,
    stage TEXT,
    state TEXT NOT NULL,
    source TEXT,
    PRIMARY KEY (case_id, revision)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS deadlines (
    case_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    due TEXT NOT NULL,
    PRIMARY KEY (case_id, kind, due)
  ) WITHOUT ROWID;
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
`;

/** Every table a read model owns, in a fixed order (for resets and dumps). */
const READ_MODEL_TABLES = READ_MODELS.flatMap((m) => m.tables);

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
}

/** What a batch changed. */
export interface ApplyResult {
  /** Facts stored by this batch (re-delivered ones are not counted). */
  readonly stored: number;
  /** Events of the batch that were already stored. */
  readonly redelivered: number;
  readonly checkpoint: number;
}

interface FactRow {
  case_id: string;
  revision: number;
  event_id: string;
  position: number;
  type: string;
  data: string;
  metadata: string;
}

/**
 * A case's facts folded through the statechart (the fast path of src/simulation/engine.ts, or plain
 * `transition()`: both reach the same states, test/projector/equivalence.test.ts), as of `revision`.
 */
interface CaseFold {
  readonly state: EngineState;
  readonly revision: number;
  readonly lastEventId: string;
  readonly openedOn: IsoDate | null;
  readonly lastEvent: { readonly type: EventType; readonly on: IsoDate } | null;
  /** Whether rows of this case may be in the file already (else they are inserted without a delete). */
  readonly stored: boolean;
}

/** Folds kept in memory between batches (the least recently projected cases are dropped first). */
const MAX_CACHED_FOLDS = 10_000;

const stringify = (value: unknown): string | null => (value == null ? null : JSON.stringify(value));

/** Every read-model table, by name, as rows (column name → value). */
export type ReadModelsDump = Record<string, Record<string, unknown>[]>;

const dumpTables = (db: Database.Database): ReadModelsDump => {
  const dump: ReadModelsDump = {};
  for (const table of READ_MODEL_TABLES) {
    const rows = db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2, 3`).all() as Record<string, unknown>[];
    dump[table] = rows.map((row) => {
      const { position: _position, ...rest } = row;
      return rest;
    });
  }
  return dump;
};

/**
 * The read models of a file as deterministic JSON — every table, rows in key order, without the
 * store's global positions and the checkpoint — so that the read models built from two stores
 * holding the same history compare equal. Opens the file read-only.
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

/** Opens (creating it if absent, readable by its owner only) the read-model database at `path`. */
export const openReadModels = (
  path: string,
  { store, rebuild = false, engine: makeEngine = fastEngine }: ReadModelsOptions,
) => {
  createPrivateFile(path);
  const db = new Database(path, { timeout: 5000 });

  const resetAll = (): void => {
    for (const table of READ_MODEL_TABLES) db.prepare(`DELETE FROM ${table}`).run();
    db.prepare('DELETE FROM projections').run();
    db.prepare("INSERT OR REPLACE INTO checkpoint (id, position, updated_at) VALUES (1, 0, '')").run();
  };

  try {
    db.pragma('journal_mode = WAL');
    // The read models can be rebuilt from the store; NORMAL keeps every commit atomic in WAL mode.
    db.pragma('synchronous = NORMAL');
    // A rebuild writes the facts and timeline B-trees of every case: keep their pages in memory.
    db.pragma('cache_size = -65536');
    db.pragma('busy_timeout = 5000');
    // Erased personal data must not survive in freed pages (see `eraseFromFacts`).
    db.pragma('secure_delete = ON');
    db.transaction(() => {
      const version = db.pragma('user_version', { simple: true });
      if (typeof version !== 'number' || version > READ_MODEL_SCHEMA_VERSION)
        throw new UnsupportedReadModelSchemaError(path, Number(version));
      if (version < READ_MODEL_SCHEMA_VERSION) {
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
    const flush = (): void => {
      const width = columns.length;
      for (let i = 0; i < values.length; i += width) single.run(values.slice(i, i + width));
      values = [];
    };
    return {
      push: (...row: unknown[]): void => {
        for (const v of row) values.push(v);
        if (values.length === ROWS_PER_INSERT * columns.length) {
          many.run(values);
          values = [];
        }
      },
      flush,
    };
  };
  const factRows = rowBuffer('facts', [
    'case_id',
    'revision',
    'event_id',
    'position',
    'type',
    'on_date',
    'data',
    'metadata',
  ]);
  const timelineRows = rowBuffer('timeline', [
    'case_id',
    'revision',
    'on_date',
    'type',
    'act',
    'reference',
    'summary',
    'stage',
    'state',
    'source',
  ]);
  const flushRows = (): void => {
    factRows.flush();
    timelineRows.flush();
  };
  const selectLastFact = db.prepare<[string], { revision: number; event_id: string }>(
    'SELECT revision, event_id FROM facts WHERE case_id = ? ORDER BY revision DESC LIMIT 1',
  );
  const selectFactId = db.prepare<[string, number], { event_id: string }>(
    'SELECT event_id FROM facts WHERE case_id = ? AND revision = ?',
  );
  const selectCaseFactsAfter = db.prepare<[string, number], FactRow>(
    `SELECT case_id, revision, event_id, position, type, data, metadata FROM facts
     WHERE case_id = ? AND revision > ? ORDER BY revision`,
  );
  const personalTypes = PERSONAL_FIELDS.map((p) => `'${p.type}'`).join(', ');
  const selectPersonalFacts = db.prepare<[string], { revision: number; type: string; data: string }>(
    `SELECT revision, type, data FROM facts WHERE case_id = ? AND type IN (${personalTypes})`,
  );
  const updateFactData = db.prepare<[string, string, number]>(
    'UPDATE facts SET data = ? WHERE case_id = ? AND revision = ?',
  );
  const selectCaseIds = db.prepare<[], { case_id: string }>(
    'SELECT DISTINCT case_id FROM facts ORDER BY case_id',
  );
  const selectFactsAsOf = db.prepare<[string], FactRow>(
    `SELECT case_id, revision, event_id, position, type, data, metadata FROM facts
     WHERE on_date <= ? ORDER BY case_id, revision`,
  );
  const selectFactsAsOfHaving = db.prepare<[string, string, string], FactRow>(
    `SELECT case_id, revision, event_id, position, type, data, metadata FROM facts
     WHERE on_date <= ? AND case_id IN (SELECT case_id FROM facts WHERE type = ? AND on_date <= ?)
     ORDER BY case_id, revision`,
  );
  const selectVersions = db.prepare<[], { name: string; version: number }>(
    'SELECT name, version FROM projections',
  );
  const upsertVersion = db.prepare<[string, number]>(
    'INSERT INTO projections (name, version) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET version = excluded.version',
  );

  const deleteByCase = new Map(
    DERIVED.flatMap((m) => m.tables).map((t) => [
      t,
      db.prepare<[string]>(`DELETE FROM ${t} WHERE case_id = ?`),
    ]),
  );
  const deleteTimelineFrom = db.prepare<[string, number]>(
    'DELETE FROM timeline WHERE case_id = ? AND revision >= ?',
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

  const rowToFact = (row: FactRow): RecordedFact => ({
    // Validated by `toFact` before it was stored.
    event: { type: row.type, data: JSON.parse(row.data) } as ProcedureEvent,
    metadata: JSON.parse(row.metadata) as EventMetadata,
    eventId: row.event_id,
    revision: row.revision,
    position: row.position,
  });

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
    stored: false,
  });

  /** Folds one fact; `emit` receives its timeline row. @throws ProcedureViolationError when refused. */
  const step = (fold: CaseFold, fact: RecordedFact, emit?: (row: TimelineRow) => void): CaseFold => {
    const next = engineOf().step(fold.state, fact.event);
    if (next === null) {
      const snapshot = procedureMachine.resolveState({
        value: engineOf().valueOf(fold.state),
        context: fold.state.context,
      });
      throw new ProcedureViolationError(explainRefusal(snapshot, fact.event), fact.event);
    }
    emit?.(timelineRowOf(fact, describe(next)));
    return {
      state: next,
      revision: fact.revision,
      lastEventId: fact.eventId,
      openedOn: fold.openedOn ?? fact.event.data.on,
      lastEvent: { type: fact.event.type, on: fact.event.data.on },
      stored: fold.stored,
    };
  };

  /**
   * Each case's fold as of its last projected fact, kept between batches so that a fact is folded
   * once (least recently projected cases dropped first). Checked against the stored facts once per
   * batch; dropped when a batch fails.
   */
  const folds = new Map<string, CaseFold>();
  const remember = (caseId: string, fold: CaseFold): void => {
    folds.delete(caseId);
    folds.set(caseId, fold);
    if (folds.size > MAX_CACHED_FOLDS) {
      const oldest = folds.keys().next();
      if (!oldest.done) folds.delete(oldest.value);
    }
  };

  /** Folds the stored facts of a case from its first one, up to `before` (exclusive). */
  const refold = (caseId: string, before: number, emit?: (row: TimelineRow) => void): CaseFold => {
    flushRows();
    let fold = { ...emptyFold(), stored: true };
    for (const row of selectCaseFactsAfter.iterate(caseId, -1)) {
      if (row.revision >= before) break;
      if (row.revision !== fold.revision + 1)
        throw new RangeError(
          `read models ${path}: case ${caseId} has no fact at revision ${fold.revision + 1}`,
        );
      fold = step(fold, rowToFact(row), emit);
    }
    return fold;
  };

  const timelineRow = (caseId: string) => (row: TimelineRow) =>
    timelineRows.push(
      caseId,
      row.revision,
      row.on,
      row.type,
      row.act,
      row.reference,
      row.summary,
      row.stage,
      row.state,
      stringify(row.source),
    );

  /** Writes the per-case read models `models` (all but the timeline) of a case from its fold. */
  const writeCase = (caseId: string, fold: CaseFold, models: readonly ReadModelDefinition[]): void => {
    const context = fold.state.context;
    const described = describe(fold.state);
    const lastOn = fold.lastEvent?.on ?? null;
    for (const model of models) {
      if (model.name === timelineProjection.name) continue;
      if (fold.stored) for (const table of model.tables) deleteByCase.get(table)?.run(caseId);
      switch (model.name) {
        case caseStateProjection.name:
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
          break;
        case DEADLINES.name:
          // Open as of the case's latest act; `deadlines --as-of D` folds the facts up to D instead.
          if (lastOn)
            for (const d of openDeadlines({ value: described.value, context }, lastOn))
              insertDeadline.run(caseId, d.kind, d.due);
          break;
        case LEDGER.name: {
          const sanction = context.sanction;
          if (!sanction) break;
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
          break;
        }
        case REGISTER.name:
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
          break;
        default:
          throw new RangeError(`unknown read model ${model.name}`);
      }
    }
  };

  /** Recomputes the read models `models` of one case from all its stored facts. */
  const project = (caseId: string, models: readonly ReadModelDefinition[]): CaseFold => {
    const timeline = models.some((m) => m.name === timelineProjection.name);
    flushRows();
    if (timeline) deleteTimelineFrom.run(caseId, 0);
    const fold = refold(caseId, Number.POSITIVE_INFINITY, timeline ? timelineRow(caseId) : undefined);
    writeCase(caseId, fold, models);
    remember(caseId, fold);
    return fold;
  };

  /**
   * The fold of a case's stored facts: the cached one, checked once per batch against the last
   * stored fact (another runner may have written the file), else folded again from the stored facts.
   */
  const foldOf = (caseId: string, checked: Set<string>): CaseFold => {
    const cached = folds.get(caseId);
    if (checked.has(caseId)) return cached ?? refold(caseId, Number.POSITIVE_INFINITY);
    checked.add(caseId);
    const last = selectLastFact.get(caseId);
    if (!last) return emptyFold();
    if (cached && cached.revision === last.revision && cached.lastEventId === last.event_id) return cached;
    return refold(caseId, Number.POSITIVE_INFINITY);
  };

  const checkpoint = (): number => selectCheckpoint.get()?.position ?? 0;

  // Bring every read model to the version this code builds: a new `facts` version (or none
  // recorded) restarts from zero; a new version of a derived model recomputes it from the facts.
  const migrated = db
    .transaction((): boolean => {
      const recorded = new Map(selectVersions.all().map((r) => [r.name, r.version]));
      if (recorded.get(FACTS.name) !== FACTS.version) {
        resetAll();
        for (const m of READ_MODELS) upsertVersion.run(m.name, m.version);
        return true;
      }
      const stale = DERIVED.filter((m) => recorded.get(m.name) !== m.version);
      if (stale.length === 0) return false;
      for (const m of stale) for (const t of m.tables) db.prepare(`DELETE FROM ${t}`).run();
      for (const { case_id } of selectCaseIds.all()) project(case_id, stale);
      for (const m of stale) upsertVersion.run(m.name, m.version);
      return false;
    })
    .immediate();
  // A reset may have dropped personal data an older version kept: wipe their pages from the log too.
  if (migrated && path !== ':memory:') db.pragma('wal_checkpoint(TRUNCATE)');

  /**
   * The read models withhold personal data; once a person's data are erased, their withheld fields
   * in the case's facts read as erased instead, and the case's rows are rebuilt from them.
   */
  const eraseFromFacts = (caseId: string, personId: string): void => {
    for (const row of selectPersonalFacts.all(caseId)) {
      const data: unknown = JSON.parse(row.data);
      const erased = erasePersonalData(row.type, data, personId);
      if (erased !== data) updateFactData.run(JSON.stringify(erased), caseId, row.revision);
    }
    folds.delete(caseId);
  };
  /**
   * Projects a batch: each new fact is stored, folded once onto its case's fold and its timeline
   * row written; then each case the batch touched has its other rows rewritten once.
   * `erased`: it erased personal data, whose old pages must then be wiped.
   */
  const applyBatch = db.transaction(
    (events: readonly RecordedEvent[], through: number): { result: ApplyResult; erased: boolean } => {
      const touched = new Map<string, CaseFold>();
      const checked = new Set<string>();
      let redelivered = 0;
      let erased = false;
      for (const recorded of events) {
        if (!recorded.streamId.startsWith(CASE_STREAM_PREFIX)) continue;
        const caseId = recorded.streamId.slice(CASE_STREAM_PREFIX.length);
        const fact = toFact(withoutPersonalData(recorded));
        const fold = foldOf(caseId, checked);
        if (fact.revision <= fold.revision) {
          redelivered++;
          flushRows();
          const stored = selectFactId.get(caseId, fact.revision)?.event_id;
          if (stored !== fact.eventId)
            throw new ReadModelDivergenceError(path, caseId, fact.revision, String(stored), fact.eventId);
          continue;
        }
        if (fact.revision !== fold.revision + 1)
          throw new RangeError(
            `read models ${path}: case ${caseId} has no fact at revision ${fold.revision + 1}`,
          );
        factRows.push(
          caseId,
          fact.revision,
          fact.eventId,
          fact.position,
          fact.event.type,
          fact.event.data.on,
          JSON.stringify(fact.event.data),
          JSON.stringify(fact.metadata),
        );
        if (fact.event.type === 'PersonalDataErased') {
          flushRows();
          eraseFromFacts(caseId, fact.event.data.personId);
          erased = true;
          // Every row of the case may hold the erased data: all of them are written again.
          touched.set(caseId, project(caseId, [TIMELINE]));
          continue;
        }
        const next = step(fold, fact, timelineRow(caseId));
        touched.set(caseId, next);
        remember(caseId, next);
      }
      flushRows();
      for (const [caseId, fold] of touched) {
        writeCase(caseId, fold, DERIVED);
        remember(caseId, { ...fold, stored: true });
      }
      updateCheckpoint.run(through, new Date().toISOString());
      return {
        result: { stored: events.length - redelivered, redelivered, checkpoint: checkpoint() },
        erased,
      };
    },
  );

  return {
    path,
    /** The identity of the store these read models follow. */
    store,
    /** Every case event at or before this global position has been projected. */
    checkpoint,
    /**
     * Projects a batch of events and moves the checkpoint to `through` (never backwards), in one
     * transaction. Events at a (case, revision) already stored change nothing.
     * @throws ReadModelDivergenceError when a stored revision holds another event.
     * @throws EventDeserializationError, ProcedureViolationError on a fact that cannot be projected
     *   (nothing of the batch is written).
     */
    apply: (events: readonly RecordedEvent[], through: number): ApplyResult => {
      try {
        const { result, erased } = applyBatch.immediate(events, through);
        // Out of the write-ahead log and into the zeroed pages: no old copy stays in the files.
        if (erased) db.pragma('wal_checkpoint(TRUNCATE)');
        return result;
      } catch (error) {
        folds.clear(); // the folds may include facts the rollback removed
        throw error;
      }
    },
    /** The versions the read models were built with. */
    versions: (): { name: string; version: number }[] =>
      selectVersions.all().sort((a, b) => a.name.localeCompare(b.name)),
    caseIds: (): string[] => selectCaseIds.all().map((r) => r.case_id),
    /**
     * Every case's facts dated on or before `asOf`, by case id; with `having`, only the cases with
     * a fact of that type dated on or before `asOf` (the sanctioned cases, for the ledger).
     */
    factsAsOf: (asOf: IsoDate, having?: EventType): Map<string, RecordedFact[]> => {
      const byCase = new Map<string, RecordedFact[]>();
      const rows =
        having === undefined
          ? selectFactsAsOf.iterate(asOf)
          : selectFactsAsOfHaving.iterate(asOf, having, asOf);
      for (const row of rows) {
        let facts = byCase.get(row.case_id);
        if (!facts) {
          facts = [];
          byCase.set(row.case_id, facts);
        }
        facts.push(rowToFact(row));
      }
      return byCase;
    },
    counts: (): { cases: number; facts: number } => ({
      cases: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM cases').get()?.n ?? 0,
      facts: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM facts').get()?.n ?? 0,
    }),
    /**
     * Every read-model table as deterministic JSON, without what depends on the store (global
     * positions, the checkpoint): two rebuilds of the same history from any two stores dump equal.
     */
    dump: (): ReadModelsDump => dumpTables(db),
    close: (): void => {
      db.close();
    },
  };
};

export type ReadModels = ReturnType<typeof openReadModels>;
