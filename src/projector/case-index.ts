/**
 * The index of cases, answered from the `cases` table of the read models (src/projector/read-models.ts):
 * one row per case with its stage, its last act and its dates, kept by the projection runner. A page
 * of it costs one indexed range read, whatever the size of the event log:
 * - {@link CaseIndex.page}: a page of cases in case-id order, by keyset cursor (`after`/`before` a
 *   case id), optionally in one stage, with the total and the place of the page in it (what
 *   `serve` lists);
 * - {@link CaseIndex.listAsOf}: every case as it stood on a date (what `case list` prints): a case
 *   whose last act is on or before the date is its row; a case opened by then but acted on since is
 *   folded from its own facts up to the date; a case opened later is left out.
 *
 * Reads only. The read models must be caught up with the store first (`catchUp`), as every
 * read-model query does.
 *
 * @example
 * await catchUp(store, readModels);
 * const index = openCaseIndex(readModels);
 * index.page({ stage: 'sanction', limit: 100 }); // { cases: [...], total: 1234, next: 'acme-sas', ... }
 */
import Database from 'better-sqlite3';
import type { IsoDate } from '../../machines/dates.ts';
import type { EventMetadata, EventType, ProcedureEvent } from '../../machines/events.ts';
import type { Stage } from '../../machines/procedure.ts';
import { caseViewAsOf } from '../../projections/case-state.ts';
import type { RecordedFact } from '../../projections/fact.ts';
import type { ReadModels } from './read-models.ts';

/** A case as the index lists it. */
export interface CaseIndexRow {
  readonly caseId: string;
  /** The controller's name (a legal person: not personal data, machines/personal-data.ts). */
  readonly controller: string | null;
  readonly stage: Stage | null;
  /** The state, described (`formalNotice.issued`). */
  readonly state: string;
  /** 0-based revision of the case's last fact: the case holds `revision + 1` facts. */
  readonly revision: number;
  readonly openedOn: IsoDate | null;
  readonly lastEvent: { readonly type: EventType; readonly on: IsoDate } | null;
  readonly closed: { readonly on: IsoDate; readonly outcome: string | null } | null;
}

/** Which page: the first, the one after a case id, or the one before a case id. */
export interface PageQuery {
  readonly stage?: Stage;
  /** The page starts after this case id (the `next` cursor of the page before). */
  readonly after?: string;
  /** The page ends before this case id (the `previous` cursor of the page after). */
  readonly before?: string;
  /** Cases per page; default {@link DEFAULT_PAGE_SIZE}. */
  readonly limit?: number;
}

export interface CasePage {
  readonly cases: readonly CaseIndexRow[];
  /** Cases in the index (in `stage` when asked). */
  readonly total: number;
  /** How many cases come before this page (its first case is number `offset + 1`). */
  readonly offset: number;
  /** The cursor of the next page (`after`), or null on the last page. */
  readonly next: string | null;
  /** The cursor of the previous page (`before`), or null on the first page. */
  readonly previous: string | null;
}

/** A case as `case list` shows it. */
export interface CaseSummary {
  readonly caseId: string;
  readonly stage: Stage | null;
  readonly openedOn: IsoDate;
  readonly lastEvent: { readonly type: EventType; readonly on: IsoDate };
  /** How many facts are dated on or before the date asked. */
  readonly facts: number;
}

export const DEFAULT_PAGE_SIZE = 100;
/** The most cases one page may hold. */
export const MAX_PAGE_SIZE = 1000;

export interface CaseIndex {
  page(query?: PageQuery): CasePage;
  /** Cases in the index, or in `stage`. */
  count(stage?: Stage): number;
  /** Every case opened on or before `asOf`, as it stood then, by case id; only `stage` when given. */
  listAsOf(asOf: IsoDate, stage?: Stage): CaseSummary[];
  close(): void;
}

interface CaseRow {
  case_id: string;
  controller: string | null;
  stage: string | null;
  state: string;
  revision: number;
  opened_on: string | null;
  last_type: string | null;
  last_on: string | null;
  closed_on: string | null;
  closed_outcome: string | null;
}

interface FactRow {
  revision: number;
  event_id: string;
  position: number;
  type: string;
  data: string;
  metadata: string;
}

const COLUMNS =
  'case_id, controller, stage, state, revision, opened_on, last_type, last_on, closed_on, closed_outcome';

const toRow = (r: CaseRow): CaseIndexRow => ({
  caseId: r.case_id,
  controller: r.controller,
  stage: r.stage as Stage | null,
  state: r.state,
  revision: r.revision,
  openedOn: r.opened_on as IsoDate | null,
  lastEvent:
    r.last_type === null || r.last_on === null
      ? null
      : { type: r.last_type as EventType, on: r.last_on as IsoDate },
  closed: r.closed_on === null ? null : { on: r.closed_on as IsoDate, outcome: r.closed_outcome },
});

/**
 * The connection to read the read models with: theirs when they share it (`database`), else the
 * same file opened again, read-only. In-memory read models without a shared connection are read
 * through {@link ReadModels.dump} (see {@link openCaseIndex}).
 */
type WithDatabase = ReadModels & { readonly database?: Database.Database };

/** The rows of a query, in SQL (keyset pagination over the `cases` primary key). */
const indexOf = (db: Database.Database, close: () => void): CaseIndex => {
  const where = (stage: boolean, bound?: '>' | '<') =>
    [stage ? 'stage = @stage' : '', bound ? `case_id ${bound} @cursor` : ''].filter(Boolean).join(' AND ');
  const clause = (w: string) => (w ? `WHERE ${w}` : '');
  const statements = new Map<string, Database.Statement>();
  const prepared = (sql: string): Database.Statement => {
    let s = statements.get(sql);
    if (!s) statements.set(sql, (s = db.prepare(sql)));
    return s;
  };
  const count = (stage?: Stage, bound?: '<', cursor?: string): number =>
    (
      prepared(`SELECT COUNT(*) AS n FROM cases ${clause(where(stage !== undefined, bound))}`).get({
        ...(stage !== undefined ? { stage } : {}),
        ...(bound ? { cursor } : {}),
      }) as { n: number }
    ).n;
  const selectFactsUpTo = db.prepare<[string, string], FactRow>(
    `SELECT revision, event_id, position, type, data, metadata FROM facts
     WHERE case_id = ? AND on_date <= ? ORDER BY revision`,
  );
  const selectCasesOpenedBy = db.prepare<[string], CaseRow>(
    `SELECT ${COLUMNS} FROM cases WHERE opened_on <= ? ORDER BY case_id`,
  );
  return {
    page: ({ stage, after, before, limit = DEFAULT_PAGE_SIZE } = {}) => {
      checkLimit(limit);
      const backwards = after === undefined && before !== undefined;
      const bound = after !== undefined ? '>' : backwards ? '<' : undefined;
      const sql =
        `SELECT ${COLUMNS} FROM cases ${clause(where(stage !== undefined, bound))} ` +
        `ORDER BY case_id ${backwards ? 'DESC' : 'ASC'} LIMIT @limit`;
      const rows = prepared(sql).all({
        ...(stage !== undefined ? { stage } : {}),
        ...(bound ? { cursor: after ?? before } : {}),
        limit: limit + 1,
      }) as CaseRow[];
      const more = rows.length > limit;
      const shown = rows.slice(0, limit);
      if (backwards) shown.reverse();
      const first = shown[0]?.case_id;
      const last = shown.at(-1)?.case_id;
      const offset = first === undefined ? 0 : count(stage, '<', first);
      const total = count(stage);
      return {
        cases: shown.map(toRow),
        total,
        offset: first === undefined && after !== undefined ? total : offset,
        next: (backwards ? last !== undefined && offset + shown.length < total : more)
          ? (last ?? null)
          : null,
        previous: first !== undefined && offset > 0 ? first : null,
      };
    },
    count: (stage) => count(stage),
    listAsOf: (asOf, stage) => {
      const summaries: CaseSummary[] = [];
      for (const row of selectCasesOpenedBy.iterate(asOf)) {
        if (row.opened_on === null) continue;
        if (row.last_on !== null && row.last_type !== null && row.last_on <= asOf) {
          // Dates never go backwards in a case: every fact of it is dated on or before its last act.
          if (stage !== undefined && row.stage !== stage) continue;
          summaries.push({
            caseId: row.case_id,
            stage: row.stage as Stage | null,
            openedOn: row.opened_on as IsoDate,
            lastEvent: { type: row.last_type as EventType, on: row.last_on as IsoDate },
            facts: row.revision + 1,
          });
          continue;
        }
        const facts = selectFactsUpTo.all(row.case_id, asOf).map((f): RecordedFact => ({
          // Validated by the runner before it was stored.
          event: { type: f.type, data: JSON.parse(f.data) } as ProcedureEvent,
          metadata: JSON.parse(f.metadata) as EventMetadata,
          eventId: f.event_id,
          revision: f.revision,
          position: f.position,
        }));
        const summary = summaryOf(row.case_id, facts, asOf, stage);
        if (summary) summaries.push(summary);
      }
      return summaries;
    },
    close,
  };
};

const checkLimit = (limit: number): void => {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)
    throw new RangeError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${limit}`);
};

/** A case as it stood on `asOf`, from its facts dated on or before it; undefined when not in `stage`. */
const summaryOf = (
  caseId: string,
  facts: readonly RecordedFact[],
  asOf: IsoDate,
  stage: Stage | undefined,
): CaseSummary | undefined => {
  const first = facts[0];
  const view = caseViewAsOf(caseId, facts, asOf);
  if (!first || !view.lastEvent) return undefined;
  if (stage !== undefined && view.stage !== stage) return undefined;
  return {
    caseId,
    stage: view.stage,
    openedOn: first.event.data.on,
    lastEvent: view.lastEvent,
    facts: facts.length,
  };
};

/**
 * In-memory read models that do not share their connection: the index is read from their dump
 * (every table copied), once per checkpoint. Correct, but costs a copy of the read models: files
 * (the usual case: `project run` keeps one beside the store) are read directly.
 */
const dumpedIndex = (readModels: ReadModels): CaseIndex => {
  let cached: { checkpoint: number; rows: CaseIndexRow[] } | undefined;
  const rows = (): CaseIndexRow[] => {
    const checkpoint = readModels.checkpoint();
    if (cached?.checkpoint !== checkpoint)
      cached = {
        checkpoint,
        rows: ((readModels.dump().cases ?? []) as unknown as CaseRow[])
          .map(toRow)
          .sort((a, b) => (a.caseId < b.caseId ? -1 : a.caseId > b.caseId ? 1 : 0)),
      };
    return cached.rows;
  };
  const inStage = (stage?: Stage) => rows().filter((r) => stage === undefined || r.stage === stage);
  return {
    page: ({ stage, after, before, limit = DEFAULT_PAGE_SIZE } = {}) => {
      checkLimit(limit);
      const all = inStage(stage);
      let start: number;
      if (after !== undefined) start = all.findIndex((r) => r.caseId > after);
      else if (before !== undefined) {
        const end = all.findIndex((r) => r.caseId >= before);
        start = Math.max(0, (end === -1 ? all.length : end) - limit);
      } else start = 0;
      if (start === -1) start = all.length;
      const shown = all.slice(start, start + limit);
      return {
        cases: shown,
        total: all.length,
        offset: start,
        next: start + shown.length < all.length ? (shown.at(-1)?.caseId ?? null) : null,
        previous: start > 0 && shown[0] ? shown[0].caseId : null,
      };
    },
    count: (stage) => inStage(stage).length,
    listAsOf: (asOf, stage) =>
      [...readModels.factsAsOf(asOf)]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .flatMap(([caseId, facts]) => summaryOf(caseId, facts, asOf, stage) ?? []),
    close: () => undefined,
  };
};

/**
 * The index of the cases of `readModels`: through their own connection when they share it, else
 * the same file opened read-only, else (in-memory read models) their dump.
 */
export const openCaseIndex = (readModels: ReadModels): CaseIndex => {
  const shared = (readModels as WithDatabase).database;
  if (shared) return indexOf(shared, () => undefined);
  if (readModels.path === ':memory:') return dumpedIndex(readModels);
  const db = new Database(readModels.path, { readonly: true, fileMustExist: true });
  return indexOf(db, () => db.close());
};
