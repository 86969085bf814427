/**
 * The deadline scheduler: the statechart has no timers (DESIGN.md §4), so the passing of a
 * deadline whose lapse is a legal fact is appended as an event when its date comes. `advance`
 * records, for every case, the `…DeadlineElapsed` facts due by a date D:
 *
 * - `FormalNoticeDeadlineElapsed` on the day after the formal notice's deadline (LIL art. 20 II;
 *   D art. 38) while compliance is still running; a deadline on a Saturday, a Sunday or a public
 *   holiday runs to the next working day (CPC art. 642), as every procedural time limit does;
 * - `InjunctionDeadlineElapsed` on the day after the injunction's deadline, the first day of delay
 *   from which the penalty accrues (LIL art. 20 III; D art. 44). The one exception to the calendar
 *   rule: the restricted committee counts the penalty from the next calendar day even when the
 *   deadline is a Sunday (SAN-2023-005; RULES.injunctionDeadlinePassed).
 *
 * Each goes through the case service, so the statechart and the rules decide: a fact the machine
 * refuses at that point (an act already recorded after that day, say) is reported, not forced.
 * Event ids derive from the case, the event and the deadline: a second `advance` appends nothing.
 */
import { dayAfterTimeLimit } from '../../machines/calendar.ts';
import { addDays, type IsoDate } from '../../machines/dates.ts';
import type { ProcedureState } from '../../machines/decider.ts';
import type { Source } from '../../machines/events.ts';
import type { RecordedFact } from '../../projections/fact.ts';
import { type CaseService, HistoryDivergenceError } from '../cases/service.ts';
import { deterministicUuid } from '../history/dataset.ts';
import { CASE_STREAM_PREFIX } from '../projector/read-models.ts';
import type { EventStore } from '../store/port.ts';

export type ScheduledType = 'FormalNoticeDeadlineElapsed' | 'InjunctionDeadlineElapsed';

/** A deadline whose lapse the scheduler records. */
export interface ScheduledFact {
  readonly type: ScheduledType;
  /** The first day after the deadline. */
  readonly on: IsoDate;
  readonly deadline: IsoDate;
  /** The decision that set the deadline (formal notice reference, sanction deliberation). */
  readonly reference: string;
}

/** The legal text a scheduled fact rests on when the decision's own source is not recorded. */
const LIL_URL = 'https://www.legifrance.gouv.fr/loda/id/JORFTEXT000000886460';

/** The next deadline of a case whose lapse is a fact to record, if one is running. */
export const nextScheduledFact = (state: ProcedureState): ScheduledFact | null => {
  const c = state.context;
  if (state.matches({ formalNotice: { compliance: 'running' } }) && c.formalNotice)
    return {
      type: 'FormalNoticeDeadlineElapsed',
      on: dayAfterTimeLimit(c.formalNotice.deadline),
      deadline: c.formalNotice.deadline,
      reference: c.formalNotice.reference,
    };
  if (state.matches({ sanction: 'injunctionRunning' }) && c.injunction && c.sanction)
    return {
      type: 'InjunctionDeadlineElapsed',
      on: addDays(c.injunction.deadline, 1),
      deadline: c.injunction.deadline,
      reference: c.sanction.deliberation,
    };
  return null;
};

/** The event id of a scheduled fact: the same case, event and deadline always give the same id. */
export const scheduledEventId = (caseId: string, fact: ScheduledFact): string =>
  deterministicUuid(`scheduler/${caseId}/${fact.type}/${fact.deadline}`);

/** Says the fact was computed, and points to the decision that set the deadline. */
const sourceOf = (fact: ScheduledFact, facts: readonly RecordedFact[]): Source => {
  const setBy = facts.findLast((f) =>
    fact.type === 'FormalNoticeDeadlineElapsed'
      ? f.event.type === 'FormalNoticeIssued' || f.event.type === 'FormalNoticeDeadlineExtended'
      : f.event.type === 'SanctionImposed',
  );
  return {
    title: `Computed by the deadline scheduler: the deadline of ${fact.reference} (${fact.deadline}) passed; ${fact.on} is the first day after it`,
    reference: fact.reference,
    url: setBy?.metadata.source?.url ?? LIL_URL,
    date: 'inferred',
    note: 'Appended by `advance`: no fact ending the deadline (compliance, closure, extension) was recorded on or before it.',
  };
};

/** `advance` was asked to go past today: deadlines are recorded once they have passed. */
export class AdvanceBeyondTodayError extends Error {
  override readonly name = 'AdvanceBeyondTodayError';
  constructor(
    readonly to: IsoDate,
    readonly today: IsoDate,
  ) {
    super(`${to} is after today (${today}): a deadline is recorded once it has passed`);
  }
}

export interface AppendedFact extends ScheduledFact {
  readonly caseId: string;
  readonly eventId: string;
  readonly revision: number;
}

export interface SkippedFact extends ScheduledFact {
  readonly caseId: string;
  /** Why the procedure refused it (the refusal's message). */
  readonly reason: string;
}

export interface AdvanceReport {
  readonly to: IsoDate;
  /** Cases examined. */
  readonly cases: number;
  readonly appended: readonly AppendedFact[];
  readonly skipped: readonly SkippedFact[];
}

export interface AdvanceOptions {
  readonly store: EventStore;
  readonly service: CaseService;
  readonly to: IsoDate;
  readonly today: IsoDate;
}

/** Each case has at most a formal notice and an injunction deadline to record. */
const MAX_FACTS_PER_CASE = 4;

/** Records the `…DeadlineElapsed` facts due by `to` on every case of the store. */
export const advance = async ({ store, service, to, today }: AdvanceOptions): Promise<AdvanceReport> => {
  if (to > today) throw new AdvanceBeyondTodayError(to, today);
  const caseIds = new Set<string>();
  for await (const event of store.readAll({ streamPrefix: CASE_STREAM_PREFIX }))
    caseIds.add(event.streamId.slice(CASE_STREAM_PREFIX.length));

  const appended: AppendedFact[] = [];
  const skipped: SkippedFact[] = [];
  for (const caseId of [...caseIds].sort()) {
    for (let step = 0; step < MAX_FACTS_PER_CASE; step++) {
      const history = await service.load(caseId);
      const fact = nextScheduledFact(history.state);
      if (!fact || fact.on > to) break;
      const eventId = scheduledEventId(caseId, fact);
      if (history.facts.some((f) => f.eventId === eventId)) break;
      let outcome;
      try {
        outcome = await service.record(caseId, {
          type: fact.type,
          data: { on: fact.on },
          eventId,
          actor: 'scheduler',
          source: sourceOf(fact, history.facts),
          correlationId: `scheduler:advance:${to}`,
        });
      } catch (error) {
        // Another `advance` recorded the same fact between our read and our append.
        if (error instanceof HistoryDivergenceError) continue;
        throw error;
      }
      if (outcome.status === 'refused') {
        skipped.push({ ...fact, caseId, reason: outcome.refusal.message });
        break;
      }
      if (outcome.status === 'invalid')
        throw new RangeError(
          `scheduled ${fact.type} on case ${caseId} is invalid: ${outcome.issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
        );
      appended.push({ ...fact, caseId, eventId, revision: outcome.revision });
    }
  }
  return { to, cases: caseIds.size, appended, skipped };
};
