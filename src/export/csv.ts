/**
 * CSV as RFC 4180 describes it (https://www.rfc-editor.org/rfc/rfc4180): a header row, fields
 * separated by commas, records ended by CRLF, a field quoted when it holds a comma, a quote or a
 * line break, quotes doubled inside. UTF-8, without a byte-order mark.
 *
 * A text cell that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab
 * or a carriage return) is written with a leading apostrophe, as OWASP advises against CSV
 * injection (https://owasp.org/www-community/attacks/CSV_Injection); numbers are written as numbers.
 */
import type { DeadlineItem } from '../../projections/deadline-report.ts';
import type { Ledger } from '../../projections/ledger.ts';
import type { RegisterEntry } from '../../projections/register.ts';
import { referenceOf, type TimelineRow } from '../../projections/timeline.ts';
import type { ExportedCase } from './facts.ts';

export type Cell = string | number | boolean | null | undefined;

const FORMULA = /^[=+\-@\t\r]/;

const field = (cell: Cell): string => {
  if (cell === null || cell === undefined) return '';
  if (typeof cell !== 'string') return String(cell);
  const text = FORMULA.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};

/** A CSV document: the header, then one record per row. */
export const csv = (header: readonly string[], rows: readonly (readonly Cell[])[]): string =>
  [header, ...rows].map((row) => `${row.map(field).join(',')}\r\n`).join('');

/** The columns of the event log, in order. */
export const EVENT_LOG_COLUMNS = [
  'case_id',
  'activity',
  'timestamp',
  'resource',
  'reference',
  'stage_after',
  'event_id',
] as const;

/**
 * The event log: one record per fact, case by case in stream order — the case, the activity (the
 * event type), the legal date (YYYY-MM-DD), who acted, the reference of the act, the stage after
 * it, and the event id (the same as in the OCEL and XES exports). It holds no personal data.
 */
export const eventLogCsv = (cases: readonly ExportedCase[]): string =>
  csv(
    EVENT_LOG_COLUMNS,
    cases.flatMap(({ caseId, facts }) =>
      facts.map(({ fact, stageAfter }) => [
        caseId,
        fact.event.type,
        fact.event.data.on,
        fact.metadata.actor,
        referenceOf(fact.event),
        stageAfter,
        fact.eventId,
      ]),
    ),
  );

// ── The reports of `ledger`, `deadlines`, `register` and `case history`, as CSV ────────────────

/** `ledger --format csv`: one record per sanctioned case, amounts in whole euros. */
export const ledgerCsv = (ledger: Ledger): string =>
  csv(
    [
      'as_of',
      'case_id',
      'controller',
      'sanction_deliberation',
      'sanction_on',
      'fine_imposed_eur',
      'penalty_per_day_eur',
      'days_of_delay',
      'penalty_accrued_eur',
      'penalty_liquidated_eur',
      'penalty_outstanding_eur',
    ],
    ledger.cases.map((e) => [
      ledger.asOf,
      e.caseId,
      e.controller,
      e.sanction.deliberation,
      e.sanction.on,
      e.fines.imposed,
      e.penalty.ratePerDay,
      e.penalty.daysOfDelay,
      e.penalty.accrued,
      e.penalty.liquidated,
      e.penalty.outstanding,
    ]),
  );

/** `deadlines --format csv`: one record per open deadline. */
export const deadlinesCsv = (report: {
  readonly asOf: string;
  readonly deadlines: readonly DeadlineItem[];
}): string =>
  csv(
    ['as_of', 'due', 'status', 'case_id', 'stage', 'deadline', 'decision'],
    report.deadlines.map((d) => [report.asOf, d.due, d.status, d.caseId, d.stage, d.kind, d.reference]),
  );

/** `register --format csv`: one record per published decision (names hidden once anonymised). */
export const registerCsv = (report: {
  readonly asOf: string;
  readonly decisions: readonly RegisterEntry[];
}): string =>
  csv(
    [
      'as_of',
      'published_on',
      'reference',
      'kind',
      'decided_on',
      'case_id',
      'company',
      'anonymise_after',
      'anonymised_on',
      'anonymised',
    ],
    report.decisions.map((d) => [
      report.asOf,
      d.publishedOn,
      d.reference,
      d.kind,
      d.decidedOn,
      d.caseId,
      d.company,
      d.anonymiseAfter,
      d.anonymisedOn,
      d.anonymised,
    ]),
  );

/** `case history --format csv`: one record per fact, as the text view shows it. */
export const historyCsv = (
  rows: readonly (TimelineRow & { readonly eventId?: string | undefined })[],
): string =>
  csv(
    [
      'revision',
      'on',
      'type',
      'act',
      'reference',
      'summary',
      'stage_after',
      'state_after',
      'source_title',
      'source_url',
      'source_date',
      'event_id',
    ],
    rows.map((r) => [
      r.revision,
      r.on,
      r.type,
      r.act,
      r.reference,
      r.summary,
      r.stage,
      r.state,
      r.source?.title,
      r.source?.url,
      r.source?.date,
      r.eventId,
    ]),
  );
