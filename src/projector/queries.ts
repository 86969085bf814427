/**
 * The as-of queries, answered from the read-model database: every case's facts dated on or before
 * D are folded through the statechart (its fast path, as the projection runner does) and read with
 * the pure views of projections/. The ledger folds only the cases sanctioned by D.
 * Nothing here restates the law: deadlines, penalty arithmetic and anonymisation are theirs.
 */
import type { IsoDate } from '../../machines/dates.ts';
import { explainRefusal, initialState, ProcedureViolationError } from '../../machines/decider.ts';
import { procedureMachine } from '../../machines/procedure.ts';
import type { StateView } from '../../projections/deadlines.ts';
import { type DeadlineItem, deadlineItemsOf, sortDeadlines } from '../../projections/deadline-report.ts';
import type { RecordedFact } from '../../projections/fact.ts';
import { type Ledger, type LedgerEntry, ledgerEntryOf, ledgerOf } from '../../projections/ledger.ts';
import { type RegisterEntry, registerEntriesOf, sortRegister } from '../../projections/register.ts';
import { type Engine, fastEngine } from '../simulation/engine.ts';
import type { ReadModels } from './read-models.ts';

/**
 * A case's state after its facts, through the statechart's fast path (the same states as
 * `transition()`: test/projector/equivalence.test.ts).
 * @throws ProcedureViolationError on a fact the statechart refuses.
 */
let shared: Engine | undefined;
const foldState = (facts: readonly RecordedFact[]): StateView => {
  const engine = (shared ??= fastEngine());
  let state = engine.fromSnapshot(initialState());
  for (const { event } of facts) {
    const next = engine.step(state, event);
    if (next === null)
      throw new ProcedureViolationError(
        explainRefusal(
          procedureMachine.resolveState({ value: engine.valueOf(state), context: state.context }),
          event,
        ),
        event,
      );
    state = next;
  }
  return { value: engine.valueOf(state), context: state.context };
};

export interface DeadlinesReport {
  readonly asOf: IsoDate;
  readonly deadlines: readonly DeadlineItem[];
}

export interface RegisterReport {
  readonly asOf: IsoDate;
  readonly decisions: readonly RegisterEntry[];
}

const eachCase = <T>(
  readModels: ReadModels,
  asOf: IsoDate,
  view: (caseId: string, facts: readonly RecordedFact[]) => T[],
  having?: 'SanctionImposed',
): T[] => [...readModels.factsAsOf(asOf, having)].flatMap(([caseId, facts]) => view(caseId, facts));

/** Every deadline open on `asOf`, due or overdue, by date. */
export const deadlinesAsOf = (readModels: ReadModels, asOf: IsoDate): DeadlinesReport => ({
  asOf,
  deadlines: sortDeadlines(
    eachCase(readModels, asOf, (caseId, facts) => deadlineItemsOf(caseId, foldState(facts), asOf)),
  ),
});

/** Fines and penalties as of `asOf`: per sanctioned case, per year, and in total. */
export const ledgerAsOf = (readModels: ReadModels, asOf: IsoDate): Ledger =>
  ledgerOf(
    asOf,
    eachCase(
      readModels,
      asOf,
      (caseId, facts): LedgerEntry[] => {
        const entry = ledgerEntryOf(caseId, foldState(facts).context, asOf);
        return entry ? [entry] : [];
      },
      'SanctionImposed',
    ),
  );

/** The decisions published by `asOf`, names hidden where anonymisation is due. */
export const registerAsOf = (readModels: ReadModels, asOf: IsoDate): RegisterReport => ({
  asOf,
  decisions: sortRegister(
    eachCase(readModels, asOf, (caseId, facts) => registerEntriesOf(caseId, foldState(facts).context, asOf)),
  ),
});
