/**
 * The read models the projection runner keeps, each the rows of a case it writes from the case's
 * fold (src/projector/case-fold.ts): its name, its version (raising it rebuilds every read model),
 * its tables, and how it deletes and writes a case's rows. After each batch, every case the batch
 * touched has the rows of every read model deleted and written again, once; the timeline's rows
 * and the closed periods are written by the fold as each fact arrives.
 */
import { caseStateProjection } from '../../projections/case-state.ts';
import { DEADLINES } from '../../projections/deadline-report.ts';
import { openDeadlines } from '../../projections/deadlines.ts';
import { LEDGER } from '../../projections/ledger.ts';
import { liquidatedTotal } from '../../projections/penalty.ts';
import { REGISTER } from '../../projections/register.ts';
import { timelineProjection } from '../../projections/timeline.ts';
import { type CaseFold, type DescribedState, type FoldRows, OPEN_END, referenceColumn } from './case-fold.ts';

/** A read model: its name, its version (raising it rebuilds it) and the tables it owns. */
export interface ReadModelDefinition {
  readonly name: string;
  readonly version: number;
  readonly tables: readonly string[];
}

/** What a read model writes of one case, its statements prepared on one file. */
export interface CaseRows {
  /** Deletes the case's rows that the next {@link CaseRows.write} writes again. */
  remove(caseId: string): void;
  /** Writes the case's rows as of its fold (`state`: its state described). */
  write(caseId: string, fold: CaseFold, state: DescribedState): void;
}

/**
 * What a read model needs of the read-model file's connection (better-sqlite3's has it), named by
 * its shape so that the declarations of the public entry points need no types of better-sqlite3.
 */
export interface SqlConnection {
  prepare(source: string): { run(...params: unknown[]): unknown };
}

/** A read model kept in SQL tables. */
export interface SqlReadModel extends ReadModelDefinition {
  /** Prepares its statements on `db`; the periods it keeps open go to `rows`, with the fold's. */
  prepare(db: SqlConnection, rows: FoldRows): CaseRows;
}

/** Deletes a case's rows from each of `tables`. */
const deleting = (db: SqlConnection, tables: readonly string[]): CaseRows['remove'] => {
  const statements = tables.map((t) => db.prepare(`DELETE FROM ${t} WHERE case_id = ?`));
  return (caseId) => {
    for (const statement of statements) statement.run(caseId);
  };
};

/** `case list`, `case show`: each case's stage, state and last act. */
const CASES: SqlReadModel = {
  name: caseStateProjection.name,
  version: caseStateProjection.version,
  tables: ['cases'],
  prepare: (db) => {
    const insert = db.prepare(
      `INSERT INTO cases (case_id, controller, stage, state, revision, opened_on, last_type, last_on, closed_on, closed_outcome)
       VALUES (@caseId, @controller, @stage, @state, @revision, @openedOn, @lastType, @lastOn, @closedOn, @closedOutcome)`,
    );
    return {
      remove: deleting(db, ['cases']),
      write: (caseId, fold, described) => {
        const context = fold.state.context;
        insert.run({
          caseId,
          controller: context.controller?.name ?? null,
          stage: described.stage,
          state: described.state,
          revision: fold.revision,
          openedOn: fold.openedOn,
          lastType: fold.lastEvent?.type ?? null,
          lastOn: fold.lastEvent?.on ?? null,
          closedOn: context.closed?.on ?? null,
          closedOutcome: context.closed?.outcome ?? null,
        });
      },
    };
  },
};

/** Each fact's row: written by the fold, one per fact, never rewritten. */
const TIMELINE: SqlReadModel = {
  name: timelineProjection.name,
  version: timelineProjection.version,
  tables: ['timeline'],
  prepare: () => ({ remove: () => undefined, write: () => undefined }),
};

/** The deadlines open as of each case's latest act (`deadlines --as-of D` reads the periods instead). */
const OPEN_DEADLINES: SqlReadModel = {
  ...DEADLINES,
  tables: ['deadlines'],
  prepare: (db) => {
    const insert = db.prepare(
      'INSERT OR IGNORE INTO deadlines (case_id, kind, due, reference) VALUES (?, ?, ?, ?)',
    );
    return {
      remove: deleting(db, ['deadlines']),
      write: (caseId, fold, described) => {
        const lastOn = fold.lastEvent?.on;
        if (lastOn === undefined) return;
        for (const d of openDeadlines({ value: described.value, context: fold.state.context }, lastOn))
          insert.run(caseId, d.kind, d.due, referenceColumn(d.reference));
      },
    };
  },
};

/** The fines and penalties of each sanctioned case, and its liquidations. */
const LEDGER_ROWS: SqlReadModel = {
  ...LEDGER,
  tables: ['ledger', 'liquidations'],
  prepare: (db) => {
    const insertLedger = db.prepare(
      `INSERT INTO ledger (case_id, deliberation, decided_on, fine, rate_per_day, delay_from, complied_on, liquidated)
       VALUES (@caseId, @deliberation, @decidedOn, @fine, @ratePerDay, @delayFrom, @compliedOn, @liquidated)`,
    );
    const insertLiquidation = db.prepare(
      `INSERT INTO liquidations (case_id, deliberation, on_date, amount, period_from, period_to)
       VALUES (@caseId, @deliberation, @on, @amount, @periodFrom, @periodTo)`,
    );
    return {
      remove: deleting(db, ['ledger', 'liquidations']),
      write: (caseId, fold) => {
        const context = fold.state.context;
        const sanction = context.sanction;
        if (!sanction) return;
        insertLedger.run({
          caseId,
          deliberation: sanction.deliberation,
          decidedOn: sanction.on,
          fine: sanction.fine,
          ratePerDay: context.injunction?.penaltyPerDay ?? 0,
          delayFrom: context.injunction?.delayFrom ?? null,
          compliedOn: context.injunction?.compliedOn ?? null,
          liquidated: liquidatedTotal(context),
        });
        for (const l of context.liquidations) insertLiquidation.run({ caseId, ...l });
      },
    };
  },
};

/** The published decisions. */
const REGISTER_ROWS: SqlReadModel = {
  ...REGISTER,
  tables: ['register'],
  prepare: (db) => {
    const insert = db.prepare(
      `INSERT INTO register (case_id, reference, kind, company, decided_on, published_on, anonymise_after, anonymised_on)
       VALUES (@caseId, @reference, @kind, @company, @decidedOn, @publishedOn, @anonymiseAfter, @anonymisedOn)`,
    );
    return {
      remove: deleting(db, ['register']),
      write: (caseId, fold) => {
        const context = fold.state.context;
        for (const d of context.decisions)
          if (d.publishedOn)
            insert.run({
              caseId,
              reference: d.reference,
              kind: d.kind,
              company: context.controller?.name ?? null,
              decidedOn: d.on,
              publishedOn: d.publishedOn,
              anonymiseAfter: d.anonymiseAfter,
              anonymisedOn: d.anonymisedOn,
            });
      },
    };
  },
};

/**
 * What the as-of queries read (`deadlines|ledger|register --as-of D`): the periods over which each
 * case's open deadlines, and the part of its context the ledger and the register read, held —
 * valid from the date of the act that made them to the date of the next act that changed them.
 * The closed periods are written by the fold as they close; the open ones (to {@link OPEN_END})
 * are rewritten with the case.
 */
const PERIOD_ROWS: SqlReadModel = {
  name: 'periods',
  version: 2,
  tables: ['deadline_periods', 'context_periods'],
  prepare: (db, rows) => {
    const removeOpen = ['deadline_periods', 'context_periods'].map((t) =>
      db.prepare(`DELETE FROM ${t} WHERE case_id = ? AND valid_to = '${OPEN_END}'`),
    );
    return {
      remove: (caseId) => {
        for (const statement of removeOpen) statement.run(caseId);
      },
      write: (caseId, fold) => {
        for (const d of fold.deadlines)
          rows.deadlinePeriods.push(
            caseId,
            d.kind,
            d.due,
            referenceColumn(d.reference),
            d.stage,
            d.timeLimit ? 1 : 0,
            d.n,
            d.from,
            OPEN_END,
          );
        if (fold.context)
          rows.contextPeriods.push(
            caseId,
            fold.context.from,
            OPEN_END,
            fold.context.sanctioned ? 1 : 0,
            fold.context.published ? 1 : 0,
            fold.context.json,
          );
      },
    };
  },
};

/** Every read model, in the order its rows are written. */
export const SQL_READ_MODELS: readonly SqlReadModel[] = [
  CASES,
  TIMELINE,
  OPEN_DEADLINES,
  LEDGER_ROWS,
  REGISTER_ROWS,
  PERIOD_ROWS,
];

/** The name, version and tables of every read model. */
export const READ_MODELS: readonly ReadModelDefinition[] = SQL_READ_MODELS.map(
  ({ name, version, tables }) => ({
    name,
    version,
    tables,
  }),
);
