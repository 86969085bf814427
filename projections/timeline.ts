/**
 * The timeline of a case: one row per fact, with the act, its reference, the stage and state
 * after it, and its source.
 */
import { CATALOGUE } from '../machines/catalogue.ts';
import type { IsoDate } from '../machines/dates.ts';
import { describeState, evolve, initialState, type ProcedureState, stageOf } from '../machines/decider.ts';
import type { EventType, ProcedureEvent, Source } from '../machines/events.ts';
import type { Stage } from '../machines/procedure.ts';
import type { StateValue } from 'xstate';
import type { Projection, RecordedFact } from './fact.ts';

export interface TimelineRow {
  readonly revision: number;
  readonly on: IsoDate;
  readonly type: EventType;
  readonly act: string;
  readonly actFr: string;
  readonly reference: string | null;
  readonly summary: string | null;
  readonly stage: Stage | null;
  readonly state: string;
  readonly source: Source | null;
}

export interface Timeline {
  readonly procedure: ProcedureState;
  readonly rows: readonly TimelineRow[];
}

const FRENCH = new Intl.NumberFormat('fr-FR');
const eur = (n: number) => `${FRENCH.format(n).replace(/\u202f/g, ' ')} €`;

/** The reference an act is known by. */
export const referenceOf = (e: ProcedureEvent): string | null => {
  switch (e.type) {
    case 'FormalNoticeIssued':
    case 'DecisionPublished':
    case 'PublicationAnonymised':
    case 'DecisionNotified':
      return e.data.reference;
    case 'ComplaintReceived':
      return e.data.reference ?? null;
    case 'FormalNoticeClosed':
      return e.data.reference ?? null;
    case 'InspectionOpened':
      return e.data.decisionRef ?? null;
    case 'FormalNoticePublicationDecided':
    case 'SanctionImposed':
    case 'PenaltyLiquidated':
      return e.data.deliberation;
    case 'ProceedingsDismissed':
      return e.data.deliberation ?? null;
    case 'AppealLodged':
      return e.data.decision;
    case 'AppealDecided':
      return e.data.ruling ?? e.data.decision;
    default:
      return null;
  }
};

/** A one-line summary of what the act decided. */
export const summaryOf = (e: ProcedureEvent): string | null => {
  switch (e.type) {
    case 'FormalNoticeIssued':
      return `GDPR art. ${e.data.breaches.join(', ')}; comply by ${e.data.deadline}`;
    case 'SanctionImposed': {
      const parts = [`fine ${eur(e.data.fine)}`];
      if (e.data.injunction)
        parts.push(
          `injunction by ${e.data.injunction.deadline}, ${eur(e.data.injunction.penaltyPerDay)}/day of delay`,
        );
      return parts.join('; ');
    }
    case 'PenaltyLiquidationNotified':
      return `proposed ${eur(e.data.proposedAmount)} for [${e.data.periodFrom}, ${e.data.periodTo})`;
    case 'PenaltyLiquidated':
      return `${eur(e.data.amount)} for [${e.data.periodFrom}, ${e.data.periodTo})`;
    case 'ComplaintReceived': {
      const { kind, name, personId } = e.data.complainant;
      return `by ${kind === 'individual' ? 'an individual' : name}${personId ? ` (${personId})` : ''}`;
    }
    case 'PersonalDataErased':
      return `${e.data.personId} (${e.data.ground})`;
    case 'InspectionOpened':
    case 'InspectionCarriedOut':
      return e.data.method;
    case 'ReferredToRestrictedCommittee':
      return `${e.data.procedure} procedure`;
    case 'DecisionPublished':
      return e.data.venue.join(', ');
    case 'AppealDecided':
      return e.data.outcome;
    default:
      return null;
  }
};

/** The timeline row of a fact, given the state the statechart reached with it. */
export const timelineRowOf = (fact: RecordedFact, after: { readonly value: StateValue }): TimelineRow => {
  const { label, labelFr } = CATALOGUE[fact.event.type];
  return {
    revision: fact.revision,
    on: fact.event.data.on,
    type: fact.event.type,
    act: label,
    actFr: labelFr,
    reference: referenceOf(fact.event),
    summary: summaryOf(fact.event),
    stage: stageOf(after),
    state: describeState(after.value),
    source: fact.metadata.source ?? null,
  };
};

export const timelineProjection: Projection<Timeline> = {
  name: 'timeline',
  version: 1,
  initial: () => ({ procedure: initialState(), rows: [] }),
  evolve: (timeline, fact) => {
    if ((timeline.rows.at(-1)?.revision ?? -1) >= fact.revision) return timeline; // re-delivered
    const procedure = evolve(timeline.procedure, fact.event);
    return { procedure, rows: [...timeline.rows, timelineRowOf(fact, procedure)] };
  },
};

/** The timeline of a history, folded once (one row appended per fact, no copy of the rows). */
export const buildTimeline = (facts: readonly RecordedFact[]): readonly TimelineRow[] => {
  const rows: TimelineRow[] = [];
  let procedure = initialState();
  for (const fact of facts) {
    if ((rows.at(-1)?.revision ?? -1) >= fact.revision) continue; // re-delivered
    procedure = evolve(procedure, fact.event);
    rows.push(timelineRowOf(fact, procedure));
  }
  return rows;
};
