/**
 * The as-of queries, answered from the read-model database without folding any fact again: the
 * projection runner keeps, for every case, the periods over which its open deadlines and the part
 * of its context the ledger and the register read held (src/projector/read-models.ts), and the
 * pure views of projections/ read them as of D. Nothing here restates the law: deadlines, penalty
 * arithmetic and anonymisation are theirs. The answers equal folding each case's facts dated on or
 * before D through the statechart (test/projector/as-of.test.ts).
 */
import type { IsoDate } from '../../machines/dates.ts';
import { type DeadlineItem, sortDeadlines } from '../../projections/deadline-report.ts';
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

/** Every deadline open on `asOf`, due or overdue, by date. */
export const deadlinesAsOf = (readModels: ReadModels, asOf: IsoDate): DeadlinesReport => ({
  asOf,
  deadlines: sortDeadlines(
    readModels.deadlinesAt(asOf).map(({ caseId, stage, kind, due, reference }) => ({
      caseId,
      stage,
      kind,
      due,
      reference,
      status: due < asOf ? 'overdue' : 'due',
    })),
  ),
});

/** Fines and penalties as of `asOf`: per sanctioned case, per year, and in total. */
export const ledgerAsOf = (readModels: ReadModels, asOf: IsoDate): Ledger =>
  ledgerOf(
    asOf,
    [...readModels.contextsAt(asOf, 'sanctioned')].flatMap(([caseId, context]): LedgerEntry[] => {
      const entry = ledgerEntryOf(caseId, context, asOf);
      return entry ? [entry] : [];
    }),
  );

/** The decisions published by `asOf`, names hidden where anonymisation is due. */
export const registerAsOf = (readModels: ReadModels, asOf: IsoDate): RegisterReport => ({
  asOf,
  decisions: sortRegister(
    [...readModels.contextsAt(asOf, 'published')].flatMap(([caseId, context]) =>
      registerEntriesOf(caseId, context, asOf),
    ),
  ),
});
