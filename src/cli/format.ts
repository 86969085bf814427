/** Text rendering of case views and timelines for the terminal. */

import { describeState } from '../../machines/decider.ts';
import type { CaseView } from '../../projections/case-state.ts';
import { NOT_OWED_CAVEAT } from '../../projections/penalty.ts';
import type { TimelineRow } from '../../projections/timeline.ts';
import type { NextEvents } from '../cases/queries.ts';

export const euros = (n: number): string => `${n.toLocaleString('en-US').replace(/,/g, ' ')} €`;

/**
 * A plain-text table: columns padded to their widest cell, a rule under the header; a column is
 * aligned left unless `align` says `right` for it (figures).
 */
export const table = (
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly ('left' | 'right')[] = [],
): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) =>
        align[i] === 'right'
          ? c.padStart(widths[i] ?? 0)
          : i === cells.length - 1
            ? c
            : c.padEnd(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)].join('\n');
};

export const formatTimeline = (rows: readonly TimelineRow[]): string =>
  table(
    ['Date', 'Act', 'Reference', 'Stage after'],
    rows.map((r) => [
      `${r.on}${r.source?.date === 'inferred' ? '~' : ' '}`,
      r.summary ? `${r.act} — ${r.summary}` : r.act,
      r.reference ?? '',
      r.stage ?? '',
    ]),
  ) + (rows.some((r) => r.source?.date === 'inferred') ? '\n~ date inferred, not stated by the source' : '');

export const formatHistory = (rows: readonly TimelineRow[]): string =>
  rows
    .map((r) =>
      [
        `#${r.revision}  ${r.on}  ${r.type}${r.reference ? `  ${r.reference}` : ''}  → ${r.state}`,
        r.summary ? `    ${r.summary}` : null,
        r.source
          ? `    source (${r.source.date} date): ${r.source.title}\n    ${r.source.url}${r.source.note ? `\n    note: ${r.source.note}` : ''}`
          : null,
      ]
        .filter((l) => l !== null)
        .join('\n'),
    )
    .join('\n');

export const formatCaseView = (view: CaseView): string => {
  if (view.stage === null) return `Case ${view.caseId} — as of ${view.asOf}: not opened on that date.`;
  const p = view.penalty;
  // An anonymisation takes effect on its date (the register no longer names the controller): what
  // is late is only the record of it (PublicationAnonymised).
  const overdue = (kind: string, due: string) =>
    due >= view.asOf ? '' : kind === 'anonymisation' ? ' (in effect, not recorded)' : ' (overdue)';
  const lines: [string, string][] = [
    ['Stage', `${view.stage}${view.state ? `  (${describeState(view.state)})` : ''}`],
    [
      'Revision',
      `${view.revision}${view.lastEvent ? `  (last act: ${view.lastEvent.type} on ${view.lastEvent.on})` : ''}`,
    ],
    ['Fines imposed', euros(view.fines.imposed)],
    [
      'Penalty',
      p.ratePerDay === 0
        ? 'none'
        : `${euros(p.ratePerDay)}/day × ${p.daysOfDelay} days of delay = ${euros(p.accrued)} accrued`,
    ],
    ['Liquidated', euros(p.liquidated)],
    ['Not liquidated', `${euros(p.accruedNotLiquidated)} accrued, not owed`],
    [
      'Due',
      `${euros(view.due.total)}  (fines ${euros(view.due.finesImposed)} + liquidated ${euros(view.due.penaltiesLiquidated)}${view.due.reducedByCourt > 0 ? ` − reduced by the court ${euros(view.due.reducedByCourt)}` : ''})`,
    ],
    [
      'Open deadlines',
      view.deadlines.length === 0
        ? 'none'
        : view.deadlines
            .map(
              (d) =>
                `${d.kind}${d.reference === null ? '' : ` of ${d.reference}`} ${d.due}${overdue(d.kind, d.due)}`,
            )
            .join('; '),
    ],
  ];
  return [
    `Case ${view.caseId} — as of ${view.asOf}`,
    ...lines.map(([k, v]) => `  ${k.padEnd(15)} ${v}`),
    ...(p.ratePerDay > 0 ? [`  ${NOT_OWED_CAVEAT}`] : []),
  ].join('\n');
};

/** `case next`: each fact the case accepts, with its fields (* required). */
export const formatNext = (next: NextEvents): string =>
  next.accepts.length === 0
    ? `Case ${next.caseId} (${next.state}) accepts no further fact.`
    : [
        `Case ${next.caseId} is in ${next.state}. It accepts:`,
        ...next.accepts.map(
          (e) =>
            `\n${e.type} — ${e.label} (${e.basis})\n` +
            e.fields.map((f) => `  ${f.required ? '*' : ' '} ${f.field}: ${f.type}`).join('\n'),
        ),
        '\n* required. Rules of law are checked when the fact is recorded: cnil case record <caseId> <Type> --data …',
      ].join('\n');
