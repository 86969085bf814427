/**
 * The index of cases, answered from the `cases` table of the read models (src/projector/read-models.ts):
 * one row per case with its stage, its last act and its dates, kept by the projection runner. A page
 * of it costs one indexed range read, whatever the size of the event log:
 * - {@link CaseIndex.page}: a page of cases in case-id order, by keyset cursor (`after`/`before` a
 *   case id), optionally in one stage, with the total and the place of the page in it (what
 *   `serve` lists);
 * - {@link CaseIndex.listAsOf}: every case as it stood on a date (what `case list` prints): a case
 *   whose last act is on or before the date is its row; a case opened by then but acted on since is
 *   read from its last timeline row dated on or before the date (the stage after that fact); a
 *   case opened later is left out.
 *
 * Reads only. The read models must be caught up with the store first (`catchUp`), as every
 * read-model query does.
 *
 * @example
 * await catchUp(store, readModels);
 * const index = openCaseIndex(readModels);
 * index.page({ stage: 'sanction', limit: 100 }); // { cases: [...], total: 1234, next: 'acme-sas', ... }
 */
import type Database from 'better-sqlite3';
import type { IsoDate } from '../../machines/dates.ts';
import type { EventType } from '../../machines/events.ts';
import type { Stage } from '../../machines/procedure.ts';
import type { ReadModels } from './read-models.ts';
import { connectionOf } from './connection.ts';

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

interface TimelineRow {
  revision: number;
  on_date: string;
  type: string;
  stage: string | null;
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
  const selectLastActBy = db.prepare<[string, string], TimelineRow>(
    `SELECT revision, on_date, type, stage FROM timeline
     WHERE case_id = ? AND on_date <= ? ORDER BY revision DESC LIMIT 1`,
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
        // Not acted on since `asOf`: its last act (dates never go backwards in a case, so every fact of
        // it is dated on or before that act); else the last fact dated on or before `asOf`.
        const last: TimelineRow | undefined =
          row.last_on !== null && row.last_type !== null && row.last_on <= asOf
            ? { revision: row.revision, on_date: row.last_on, type: row.last_type, stage: row.stage }
            : selectLastActBy.get(row.case_id, asOf);
        if (!last || (stage !== undefined && last.stage !== stage)) continue;
        summaries.push({
          caseId: row.case_id,
          stage: last.stage as Stage | null,
          openedOn: row.opened_on as IsoDate,
          lastEvent: { type: last.type as EventType, on: last.on_date as IsoDate },
          facts: last.revision + 1,
        });
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

/**
 * The index of the cases of `readModels`, read through their own connection (file or in memory;
 * nothing is copied). Closing the index leaves the read models open.
 */
export const openCaseIndex = (readModels: ReadModels): CaseIndex =>
  indexOf(connectionOf(readModels), () => undefined);
