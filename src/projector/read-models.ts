/**
 * The read models of one file (src/projector/schema.ts), as the projection runner writes them:
 * each batch of events is folded case by case (src/projector/case-fold.ts), and each case it
 * touched has the rows of every read model (src/projector/case-rows.ts) written again, with the
 * checkpoint, in ONE transaction. A crash leaves either the whole batch or none of it. A fact
 * already stored at its (case, revision) is skipped, so re-delivered events change nothing.
 *
 * Each case's fold is kept in memory between batches (the most recently projected ones) and
 * snapshotted in `folds`, so that a fact is folded once, whichever process projects the next one;
 * the parts of a parallel rebuild keep none, and a case they projected has its fold restored from
 * the store when one of its facts arrives.
 */
import type { IsoDate } from '../../machines/dates.ts';
import type { Stage } from '../../machines/procedure.ts';
import type { DeadlineKind } from '../../projections/deadlines.ts';
import type { RecordedFact } from '../../projections/fact.ts';
import { toFact } from '../cases/codec.ts';
import { type Engine, fastEngine } from '../simulation/engine.ts';
// The read models answer no question about a person: they keep no personal data, need no key.
import { withoutPersonalData } from '../privacy/protected-store.ts';
import type { RecordedEvent } from '../store/port.ts';
import {
  type CaseFold,
  CONTEXT_PERIOD_COLUMNS,
  createCaseFolder,
  DEADLINE_PERIOD_COLUMNS,
  type FoldRows,
  type PeriodContext,
  referenceOf,
  TIMELINE_COLUMNS,
  toSnapshot,
} from './case-fold.ts';
import { SQL_READ_MODELS } from './case-rows.ts';
import { keepConnection } from './connection.ts';
import { createRowBuffer } from './row-buffer.ts';
import { openReadModelFile } from './open-file.ts';
import {
  dropPeriodIndexes,
  dumpTables,
  PERIOD_INDEXES,
  RESET_TABLES,
  type ReadModelsDump,
  UNSNAPSHOTTED,
} from './schema.ts';

export type { PeriodContext } from './case-fold.ts';
export { READ_MODELS, type ReadModelDefinition } from './case-rows.ts';
export {
  deleteDatabaseFiles,
  dumpReadModels,
  inspectReadModels,
  NotReadModelsError,
  READ_MODEL_SCHEMA_VERSION,
  type ReadModelsDump,
  type ReadModelsFileState,
  ReadModelStoreMismatchError,
  UnsupportedReadModelSchemaError,
} from './schema.ts';

/** The prefix of the streams the runner projects. */
export const CASE_STREAM_PREFIX = 'case-';

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

/** Folds kept in memory between batches (the least recently projected cases are dropped first). */
const MAX_CACHED_FOLDS = 10_000;

export interface DeadlineAt {
  readonly caseId: string;
  readonly kind: DeadlineKind;
  readonly due: IsoDate;
  /** The decision it concerns, when it concerns one. */
  readonly reference: string | null;
  readonly stage: Stage | null;
  readonly timeLimit: boolean;
}

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
 * Opens the read models of the file at `path` (see {@link openReadModelFile}: created if absent;
 * with `rebuild`, deleted and built again from nothing).
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
  const db = openReadModelFile(path, { store, rebuild, scratch });

  const selectCheckpoint = db.prepare<[], { position: number }>(
    'SELECT position FROM checkpoint WHERE id = 1',
  );
  const updateCheckpoint = db.prepare<[number, string]>(
    'UPDATE checkpoint SET position = MAX(position, ?), updated_at = ? WHERE id = 1',
  );
  const timelineRows = createRowBuffer(db, 'timeline', TIMELINE_COLUMNS);
  const deadlinePeriodRows = createRowBuffer(db, 'deadline_periods', DEADLINE_PERIOD_COLUMNS);
  const contextPeriodRows = createRowBuffer(db, 'context_periods', CONTEXT_PERIOD_COLUMNS);
  /** Where the fold writes the rows of the facts it folds and of the periods they close. */
  const written: FoldRows = {
    timeline: timelineRows,
    deadlinePeriods: deadlinePeriodRows,
    contextPeriods: contextPeriodRows,
  };
  const foldRows = createRowBuffer(db, 'folds', ['case_id', 'revision', 'event_id', 'fold']);
  const buffers = [timelineRows, deadlinePeriodRows, contextPeriodRows, foldRows];
  const flushRows = (): void => {
    for (const rows of buffers) rows.flush();
  };
  /** Forgets the rows of a batch that failed. */
  const clearRows = (): void => {
    for (const rows of buffers) rows.clear();
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
    {
      case_id: string;
      kind: DeadlineKind;
      due: IsoDate;
      reference: string;
      stage: Stage | null;
      time_limit: number;
      n: number;
    }
  >(
    `SELECT case_id, kind, due, reference, stage, time_limit, n FROM deadline_periods
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
  const deleteFold = db.prepare<[string]>('DELETE FROM folds WHERE case_id = ?');
  /** Every read model's rows of a case, deleted and written again after each batch touching it. */
  const caseRows = SQL_READ_MODELS.map((model) => model.prepare(db, written));
  const folder = createCaseFolder(makeEngine);

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

  /** Writes the rows of a case after a batch: every read model's, and the snapshot of its fold. */
  const writeCase = (caseId: string, fold: CaseFold): void => {
    const described = folder.describe(fold.state);
    for (const rows of caseRows) rows.write(caseId, fold, described);
    if (!snapshots) return;
    foldRows.push(caseId, fold.revision, fold.lastEventId, toSnapshot(fold));
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
    if (!unsnapshotted) return folder.emptyFold();
    const projected = selectCaseRevision.get(caseId);
    if (projected === undefined) return folder.emptyFold();
    const fold = restored.get(caseId);
    return fold?.revision === projected.revision ? fold : { missing: projected.revision };
  };

  /** The fold of a case's projected facts: the cached one, else its snapshot, else as above. */
  const foldOf = (caseId: string): CaseFold | { readonly missing: number } => {
    const cached = folds.get(caseId);
    if (cached) return cached;
    const row = selectFold.get(caseId);
    return row ? folder.fromSnapshot(row) : unsnapshottedFold(caseId);
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

  /** The fold, when `fact` is its case's next fact. @throws RangeError when a fact is missing before it. */
  const follows = (caseId: string, fold: CaseFold, fact: RecordedFact): CaseFold => {
    if (fact.revision !== fold.revision + 1)
      throw new RangeError(
        `read models ${path}: case ${caseId} has no fact at revision ${fold.revision + 1}`,
      );
    return fold;
  };

  /** Leaves write-ahead logging for a rollback journal, if no other connection has the file open. */
  const toRollbackJournal = (): boolean => {
    try {
      return db.pragma('journal_mode = DELETE', { simple: true }) === 'delete';
    } catch {
      return false; // SQLITE_BUSY: another connection reads or writes the file
    }
  };

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
      touched.set(caseId, folder.step(caseId, follows(caseId, fold, fact), fact, written));
    }
    if (missing.size > 0) throw new MissingFoldsError(path, missing);
    // The periods of each touched case as of its latest date (provisional until a later date).
    const settled = [...touched].map(([caseId, fold]) => {
      const next = folder.settle(caseId, fold, written);
      if (fold.stored) {
        for (const rows of caseRows) rows.remove(caseId);
        deleteFold.run(caseId);
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
      let fold = folder.emptyFold();
      for (const recorded of events) {
        const fact = toFact(withoutPersonalData(recorded));
        fold = folder.step(caseId, follows(caseId, fold, fact), fact);
      }
      fold = folder.settle(caseId, fold);
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
          reference: referenceOf(r.reference),
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
