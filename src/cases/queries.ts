/**
 * Questions about the cases of a store that no single fact answers: which cases there are and
 * where each stands (`cnil case list`), and what a case accepts next with the fields each fact
 * needs (`cnil case next`).
 */
import { CATALOGUE } from '../../machines/catalogue.ts';
import type { IsoDate } from '../../machines/dates.ts';
import { describeState, type ProcedureState, stageOf } from '../../machines/decider.ts';
import type { EventType } from '../../machines/events.ts';
import { type EventField, eventFields } from '../../machines/json-schema.ts';
import type { Stage } from '../../machines/procedure.ts';
import { caseViewAsOf } from '../../projections/case-state.ts';
import type { RecordedFact } from '../../projections/fact.ts';
import type { CaseSummary } from '../projector/case-index.ts';
import type { EventStore } from '../store/port.ts';
import { toFact } from './codec.ts';

export type { CaseSummary };

const CASE_PREFIX = 'case-';

/**
 * The cases of a store as they stood on `asOf` (cases opened later are left out), optionally only
 * those in `stage`, ordered by case id. Reads the whole log: `case list` answers from the read
 * models instead (src/projector/case-index.ts `listAsOf`); this is the reference it is tested against.
 */
export const listCases = async (
  store: EventStore,
  { asOf, stage }: { readonly asOf: IsoDate; readonly stage?: string },
): Promise<CaseSummary[]> => {
  const byCase = new Map<string, RecordedFact[]>();
  for await (const recorded of store.readAll({ streamPrefix: CASE_PREFIX })) {
    const fact = toFact(recorded);
    if (fact.event.data.on > asOf) continue;
    const caseId = recorded.streamId.slice(CASE_PREFIX.length);
    let facts = byCase.get(caseId);
    if (!facts) byCase.set(caseId, (facts = []));
    facts.push(fact);
  }
  const rows: CaseSummary[] = [];
  for (const [caseId, facts] of [...byCase].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const first = facts[0];
    const view = caseViewAsOf(caseId, facts, asOf);
    if (!first || !view.lastEvent) continue;
    if (stage !== undefined && view.stage !== stage) continue;
    rows.push({
      caseId,
      stage: view.stage,
      openedOn: first.event.data.on,
      lastEvent: view.lastEvent,
      facts: facts.length,
    });
  }
  return rows;
};

/** A fact a case accepts now. */
export interface NextEvent {
  readonly type: EventType;
  readonly label: string;
  readonly labelFr: string;
  readonly actor: string;
  readonly basis: string;
  readonly fields: readonly EventField[];
}

export interface NextEvents {
  readonly caseId: string;
  readonly stage: Stage | null;
  readonly state: string;
  /** Accepted by the procedure in this state; the rules of law are checked when the fact is recorded. */
  readonly accepts: readonly NextEvent[];
}

/** What a case in `state` accepts, with the fields of each event's data. */
export const nextEvents = (
  caseId: string,
  state: ProcedureState,
  accepted: readonly EventType[],
): NextEvents => ({
  caseId,
  stage: stageOf(state),
  state: describeState(state.value),
  accepts: accepted.map((type) => ({ type, ...CATALOGUE[type], fields: eventFields(type) })),
});
