/**
 * The case-state projection and the as-of view: the state of a case on any date D, folding
 * only the facts whose `on` is ≤ D through the statechart. JSON fields: DESIGN.md §7.
 */
import type { IsoDate } from '../machines/dates.ts';
import { evolve, initialState, type ProcedureState, stageOf } from '../machines/decider.ts';
import type { EventType } from '../machines/events.ts';
import type { Stage } from '../machines/procedure.ts';
import { type Deadline, openDeadlines } from './deadlines.ts';
import { factsAsOf, type Projection, type RecordedFact } from './fact.ts';
import { type AmountsDue, amountsDue, type PenaltyView, penaltyAsOf } from './penalty.ts';

export interface CaseState {
  readonly procedure: ProcedureState;
  readonly revision: number;
  readonly lastEvent: { readonly type: EventType; readonly on: IsoDate } | null;
}

export const caseStateProjection: Projection<CaseState> = {
  name: 'case-state',
  version: 1,
  initial: () => ({ procedure: initialState(), revision: -1, lastEvent: null }),
  evolve: (state, fact) =>
    fact.revision <= state.revision
      ? state // re-delivered: already folded
      : {
          procedure: evolve(state.procedure, fact.event),
          revision: fact.revision,
          lastEvent: { type: fact.event.type, on: fact.event.data.on },
        },
};

/** The JSON view of a case (DESIGN.md §7). Amounts in whole euros. */
export interface CaseView {
  readonly caseId: string;
  readonly asOf: IsoDate;
  readonly stage: Stage | null;
  readonly state: ProcedureState['value'] | null;
  readonly revision: number;
  readonly fines: { readonly imposed: number };
  readonly penalty: PenaltyView;
  /** What is owed: fines imposed + penalties liquidated − reductions by the court (D art. 44). */
  readonly due: AmountsDue;
  readonly deadlines: readonly Deadline[];
  readonly lastEvent: { readonly type: EventType; readonly on: IsoDate } | null;
}

export const foldCase = (facts: readonly RecordedFact[]): CaseState =>
  facts.reduce(caseStateProjection.evolve, caseStateProjection.initial());

export const toCaseView = (caseId: string, state: CaseState, asOf: IsoDate): CaseView => {
  const opened = stageOf(state.procedure) !== null;
  return {
    caseId,
    asOf,
    stage: stageOf(state.procedure),
    state: opened ? state.procedure.value : null,
    revision: state.revision,
    fines: { imposed: state.procedure.context.sanction?.fine ?? 0 },
    penalty: penaltyAsOf(state.procedure.context, asOf),
    due: amountsDue(state.procedure.context),
    deadlines: openDeadlines(state.procedure, asOf),
    lastEvent: state.lastEvent,
  };
};

/** The case as it stood on `asOf`. */
export const caseViewAsOf = (caseId: string, facts: readonly RecordedFact[], asOf: IsoDate): CaseView =>
  toCaseView(caseId, foldCase(factsAsOf(facts, asOf)), asOf);
