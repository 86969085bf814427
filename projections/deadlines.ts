/**
 * The deadlines of a case that are open on a date. Two kinds:
 * - deadlines whose passing is a fact to record (a formal notice, an injunction, an
 *   anonymisation): open until that fact is recorded, even once overdue;
 * - time limits a party may use (observations, appeal): open until they pass.
 *
 * Every due date is the last day of its period, moved to the next working day when it falls on a
 * Saturday, a Sunday or a public holiday (CPC art. 642), except the injunction's deadline, which
 * the restricted committee does not move (SAN-2023-005; see RULES.injunctionDeadlinePassed).
 */
import { legalDeadline, nextWorkingDay } from '../machines/calendar.ts';
import { addMonths, type IsoDate } from '../machines/dates.ts';
import { matchesState, type StateValue } from 'xstate';
import type { ProcedureContext } from '../machines/context.ts';
import { appealDeadline, LAW } from '../machines/rules.ts';

export type DeadlineKind =
  | 'complaintImplicitRejection'
  | 'formalNoticeCompliance'
  | 'reportObservations'
  | 'injunctionCompliance'
  | 'liquidationObservations'
  | 'appeal'
  | 'anonymisation';

export interface Deadline {
  readonly kind: DeadlineKind;
  readonly due: IsoDate;
  /**
   * The decision the deadline concerns, when it concerns one: the formal notice to comply with, the
   * sanction whose injunction runs, the decision open to appeal or to anonymise (two decisions
   * published together have two anonymisations due the same day).
   */
  readonly reference: string | null;
}

/** D art. 10: three months of silence on a complaint amount to its rejection. */
const COMPLAINT_SILENCE_MONTHS = 3;

/**
 * A state of the statechart as the deadlines need it: its value and context (an XState snapshot is
 * one; so is a state of the fast path, src/simulation/engine.ts, with its value).
 */
export interface StateView {
  readonly value: StateValue;
  readonly context: ProcedureContext;
}

/**
 * A deadline the state holds, whatever the date: a `timeLimit` is open only until it passes; the
 * others stay open, even once overdue, until the fact that ends them is recorded.
 */
export interface DeadlineCandidate extends Deadline {
  readonly timeLimit: boolean;
}

/** The states a deadline depends on; which of them a state value is in, computed once per value. */
const DEADLINE_STATES = {
  complaint: 'complaint',
  formalNoticeRunning: { formalNotice: { compliance: 'running' } },
  restrictedCommittee: 'restrictedCommittee',
  injunctionRunning: { sanction: 'injunctionRunning' },
  liquidationNotified: { penaltyLiquidation: 'liquidationNotified' },
} as const satisfies Record<string, StateValue>;
type DeadlineStates = Record<keyof typeof DEADLINE_STATES, boolean>;
const statesOfObject = new WeakMap<object, DeadlineStates>();
const statesOfString = new Map<string, DeadlineStates>();
const deadlineStatesOf = (value: StateValue): DeadlineStates => {
  const cached = typeof value === 'string' ? statesOfString.get(value) : statesOfObject.get(value);
  if (cached) return cached;
  const states = Object.fromEntries(
    Object.entries(DEADLINE_STATES).map(([name, parent]) => [name, matchesState(parent, value)]),
  ) as DeadlineStates;
  if (typeof value === 'string') statesOfString.set(value, states);
  else statesOfObject.set(value, states);
  return states;
};

/** Every deadline the state holds, before the date filters time limits that have passed. */
export const deadlineCandidates = (state: StateView): DeadlineCandidate[] => {
  const c = state.context;
  const states = deadlineStatesOf(state.value);
  const deadlines: DeadlineCandidate[] = [];
  const timeLimit = (kind: DeadlineKind, due: IsoDate, reference: string | null = null) =>
    deadlines.push({ kind, due, reference, timeLimit: true });
  const untilRecorded = (kind: DeadlineKind, due: IsoDate, reference: string | null = null) =>
    deadlines.push({ kind, due, reference, timeLimit: false });
  if (states.complaint && c.complaints.length > 0) {
    const last = c.complaints.at(-1);
    if (last) timeLimit('complaintImplicitRejection', addMonths(last.on, COMPLAINT_SILENCE_MONTHS));
  }
  if (states.formalNoticeRunning && c.formalNotice)
    untilRecorded(
      'formalNoticeCompliance',
      nextWorkingDay(c.formalNotice.deadline),
      c.formalNotice.reference,
    );
  if (states.restrictedCommittee && c.report)
    timeLimit('reportObservations', nextWorkingDay(c.report.responseDeadline));
  if (states.injunctionRunning && c.injunction)
    untilRecorded('injunctionCompliance', c.injunction.deadline, c.sanction?.deliberation ?? null);
  if (states.liquidationNotified && c.liquidationNotice)
    timeLimit(
      'liquidationObservations',
      legalDeadline(c.liquidationNotice.on, { days: LAW.liquidationObservationDays }),
    );
  for (const d of c.decisions) {
    if (
      (d.kind === 'sanction' || d.kind === 'liquidation') &&
      !c.appeals.some((a) => a.decision === d.reference)
    )
      timeLimit('appeal', appealDeadline(c, d), d.reference);
    if (d.publishedOn && d.anonymiseAfter && !d.anonymisedOn)
      untilRecorded('anonymisation', d.anonymiseAfter, d.reference);
  }
  return deadlines;
};

/** Orders deadlines by date, then kind, then decision. */
export const byDueDate = (a: Deadline, b: Deadline): number =>
  a.due.localeCompare(b.due) ||
  a.kind.localeCompare(b.kind) ||
  (a.reference ?? '').localeCompare(b.reference ?? '');

/** The deadlines open on `asOf`: the state's candidates, less the time limits passed by then. */
export const openDeadlinesOf = (candidates: readonly DeadlineCandidate[], asOf: IsoDate): Deadline[] =>
  candidates
    .filter((d) => !d.timeLimit || d.due >= asOf)
    .map(({ kind, due, reference }) => ({ kind, due, reference }))
    .sort(byDueDate);

export const openDeadlines = (state: StateView, asOf: IsoDate): Deadline[] =>
  openDeadlinesOf(deadlineCandidates(state), asOf);
