/**
 * The open deadlines of every case as of a date, each either still `due` or `overdue` (its date
 * has passed and the fact that ends it is not recorded). Which deadlines are open is
 * `openDeadlines`'s law (projections/deadlines.ts); this module only labels and orders them.
 */
import type { IsoDate } from '../machines/dates.ts';
import { stageOf } from '../machines/decider.ts';
import type { Stage } from '../machines/procedure.ts';
import { byDueDate, type DeadlineKind, openDeadlines, type StateView } from './deadlines.ts';

/** Raising the version rebuilds the stored deadlines. */
export const DEADLINES = { name: 'deadlines', version: 2 } as const;

export interface DeadlineItem {
  readonly caseId: string;
  readonly stage: Stage | null;
  readonly kind: DeadlineKind;
  readonly due: IsoDate;
  /** The decision it concerns, when it concerns one (`Deadline.reference`, deadlines.ts). */
  readonly reference: string | null;
  /** `overdue`: the date is before `asOf` and the deadline is still open. */
  readonly status: 'due' | 'overdue';
}

/** The open deadlines of a case whose facts up to `asOf` are folded into `state`. */
export const deadlineItemsOf = (caseId: string, state: StateView, asOf: IsoDate): DeadlineItem[] => {
  const stage = stageOf(state);
  return openDeadlines(state, asOf).map(({ kind, due, reference }) => ({
    caseId,
    stage,
    kind,
    due,
    reference,
    status: due < asOf ? 'overdue' : 'due',
  }));
};

/** Orders deadlines by date, then case, then kind, then decision. */
export const sortDeadlines = (items: readonly DeadlineItem[]): DeadlineItem[] =>
  [...items].sort(
    (a, b) => a.due.localeCompare(b.due) || a.caseId.localeCompare(b.caseId) || byDueDate(a, b),
  );
