/**
 * The as-of queries, answered from the read-model database: every case's facts dated on or before
 * D are folded through the statechart (`foldCase`) and read with the pure views of projections/.
 * Nothing here restates the law: deadlines, penalty arithmetic and anonymisation are theirs.
 */
import type { IsoDate } from '../../machines/dates.ts';
import { foldCase } from '../../projections/case-state.ts';
import { type DeadlineItem, deadlineItemsOf, sortDeadlines } from '../../projections/deadline-report.ts';
import type { RecordedFact } from '../../projections/fact.ts';
import { type Ledger, type LedgerEntry, ledgerEntryOf, ledgerOf } from '../../projections/ledger.ts';
import { type RegisterEntry, registerEntriesOf, sortRegister } from '../../projections/register.ts';
import type { ReadModels } from './read-models.ts';

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
): T[] => [...readModels.factsAsOf(asOf)].flatMap(([caseId, facts]) => view(caseId, facts));

/** Every deadline open on `asOf`, due or overdue, by date. */
export const deadlinesAsOf = (readModels: ReadModels, asOf: IsoDate): DeadlinesReport => ({
  asOf,
  deadlines: sortDeadlines(
    eachCase(readModels, asOf, (caseId, facts) => deadlineItemsOf(caseId, foldCase(facts).procedure, asOf)),
  ),
});

/** Fines and penalties as of `asOf`: per sanctioned case, per year, and in total. */
export const ledgerAsOf = (readModels: ReadModels, asOf: IsoDate): Ledger =>
  ledgerOf(
    asOf,
    eachCase(readModels, asOf, (caseId, facts): LedgerEntry[] => {
      const entry = ledgerEntryOf(caseId, foldCase(facts).procedure.context, asOf);
      return entry ? [entry] : [];
    }),
  );

/** The decisions published by `asOf`, names hidden where anonymisation is due. */
export const registerAsOf = (readModels: ReadModels, asOf: IsoDate): RegisterReport => ({
  asOf,
  decisions: sortRegister(
    eachCase(readModels, asOf, (caseId, facts) =>
      registerEntriesOf(caseId, foldCase(facts).procedure.context, asOf),
    ),
  ),
});
