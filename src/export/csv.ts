/**
 * CSV as RFC 4180 describes it (https://www.rfc-editor.org/rfc/rfc4180): a header row, fields
 * separated by commas, records ended by CRLF, a field quoted when it holds a comma, a quote or a
 * line break, quotes doubled inside. UTF-8, without a byte-order mark.
 *
 * A text cell that a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab
 * or a carriage return) is written with a leading apostrophe, as OWASP advises against CSV
 * injection (https://owasp.org/www-community/attacks/CSV_Injection); numbers are written as numbers.
 */
import type { ExportedCase } from './facts.ts';
import { referenceOf } from '../../projections/timeline.ts';

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
