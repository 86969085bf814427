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

export const openDeadlines = (state: StateView, asOf: IsoDate): Deadline[] => {
  const c = state.context;
  const matches = (value: StateValue): boolean => matchesState(value, state.value);
  const deadlines: Deadline[] = [];
  const timeLimit = (kind: DeadlineKind, due: IsoDate) => {
    if (due >= asOf) deadlines.push({ kind, due });
  };
  if (matches('complaint') && c.complaints.length > 0) {
    const last = c.complaints.at(-1);
    if (last) timeLimit('complaintImplicitRejection', addMonths(last.on, COMPLAINT_SILENCE_MONTHS));
  }
  if (matches({ formalNotice: { compliance: 'running' } }) && c.formalNotice)
    deadlines.push({ kind: 'formalNoticeCompliance', due: nextWorkingDay(c.formalNotice.deadline) });
  if (matches('restrictedCommittee') && c.report)
    timeLimit('reportObservations', nextWorkingDay(c.report.responseDeadline));
  if (matches({ sanction: 'injunctionRunning' }) && c.injunction)
    deadlines.push({ kind: 'injunctionCompliance', due: c.injunction.deadline });
  if (matches({ penaltyLiquidation: 'liquidationNotified' }) && c.liquidationNotice)
    timeLimit(
      'liquidationObservations',
      legalDeadline(c.liquidationNotice.on, { days: LAW.liquidationObservationDays }),
    );
  for (const d of c.decisions) {
    if (
      (d.kind === 'sanction' || d.kind === 'liquidation') &&
      !c.appeals.some((a) => a.decision === d.reference)
    )
      timeLimit('appeal', appealDeadline(c, d));
    if (d.publishedOn && d.anonymiseAfter && !d.anonymisedOn)
      deadlines.push({ kind: 'anonymisation', due: d.anonymiseAfter });
  }
  return deadlines.sort((a, b) => a.due.localeCompare(b.due));
};
