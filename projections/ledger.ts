/**
 * The fines and penalty ledger as of a date: per case, the fine imposed and the penalty payment
 * (astreinte) accrued, liquidated and outstanding; totals per year and overall. Amounts in whole
 * euros. The penalty arithmetic is `penaltyAsOf` (LIL art. 20 III; D art. 44): this module only
 * adds up.
 */
import type { ProcedureContext } from '../machines/context.ts';
import type { IsoDate } from '../machines/dates.ts';
import { type AmountsDue, amountsDue, NOT_OWED_CAVEAT, penaltyAsOf } from './penalty.ts';

export { NOT_OWED_CAVEAT };

/** Raising the version rebuilds the stored ledger. */
export const LEDGER = { name: 'ledger', version: 1 } as const;

/** What of a case's context its ledger entry reads. */
export type LedgerContext = Pick<
  ProcedureContext,
  'controller' | 'sanction' | 'injunction' | 'liquidations' | 'courtReductions'
>;

export interface LedgerLiquidation {
  readonly deliberation: string;
  readonly on: IsoDate;
  readonly amount: number;
  readonly periodFrom: IsoDate;
  /** Exclusive. */
  readonly periodTo: IsoDate;
}

export interface LedgerEntry {
  readonly caseId: string;
  readonly controller: string | null;
  /** The sanction decision: its deliberation and date (the year the fine counts in). */
  readonly sanction: { readonly deliberation: string; readonly on: IsoDate };
  /** The fine as it stands (reformed or annulled on appeal: the amount the court left). */
  readonly fines: { readonly imposed: number };
  readonly penalty: {
    readonly ratePerDay: number;
    readonly daysOfDelay: number;
    readonly accrued: number;
    readonly liquidated: number;
    /** Days of delay no liquidation covers × rate: accrued, not owed (D art. 44). */
    readonly accruedNotLiquidated: number;
    /**
     * Accrued minus liquidated (kept for compatibility). Not an amount owed: only liquidated
     * penalties are due (D art. 44); see `accruedNotLiquidated` and `due`.
     */
    readonly outstanding: number;
  };
  /** What is owed: fines imposed + penalties liquidated − reductions by the court. */
  readonly due: AmountsDue;
  readonly liquidations: readonly LedgerLiquidation[];
}

export interface LedgerYear {
  readonly year: number;
  /** Fines imposed by decisions of that year. */
  readonly finesImposed: number;
  /** Penalties liquidated by decisions of that year. */
  readonly penaltiesLiquidated: number;
}

export interface LedgerTotals {
  readonly finesImposed: number;
  readonly penaltiesAccrued: number;
  readonly penaltiesLiquidated: number;
  /** Accrued minus liquidated, summed (kept for compatibility; not owed). */
  readonly penaltiesOutstanding: number;
  /** Accrued on days no liquidation covers: not owed (D art. 44). */
  readonly penaltiesAccruedNotLiquidated: number;
  /** Taken off by the Conseil d'État. */
  readonly reducedByCourt: number;
  /** Owed: fines imposed + penalties liquidated − reductions by the court. */
  readonly due: number;
}

export interface Ledger {
  readonly asOf: IsoDate;
  readonly cases: readonly LedgerEntry[];
  readonly byYear: readonly LedgerYear[];
  readonly totals: LedgerTotals;
}

/**
 * The ledger entry of a case whose facts up to `asOf` are folded into `context`; `null` when no
 * sanction has been imposed.
 */
export const ledgerEntryOf = (caseId: string, context: LedgerContext, asOf: IsoDate): LedgerEntry | null => {
  const sanction = context.sanction;
  if (!sanction) return null;
  const penalty = penaltyAsOf(context, asOf);
  return {
    caseId,
    controller: context.controller?.name ?? null,
    sanction: { deliberation: sanction.deliberation, on: sanction.on },
    fines: { imposed: sanction.fine },
    penalty: { ...penalty, outstanding: penalty.accrued - penalty.liquidated },
    due: amountsDue(context),
    liquidations: context.liquidations.map(({ deliberation, on, amount, periodFrom, periodTo }) => ({
      deliberation,
      on,
      amount,
      periodFrom,
      periodTo,
    })),
  };
};

const yearOf = (date: IsoDate): number => Number(date.slice(0, 4));

/** Adds the entries up: per year of decision, and overall. Entries are sorted by case id. */
export const ledgerOf = (asOf: IsoDate, entries: readonly LedgerEntry[]): Ledger => {
  const cases = [...entries].sort((a, b) => a.caseId.localeCompare(b.caseId));
  const years = new Map<number, { finesImposed: number; penaltiesLiquidated: number }>();
  const year = (y: number) => {
    let row = years.get(y);
    if (!row) {
      row = { finesImposed: 0, penaltiesLiquidated: 0 };
      years.set(y, row);
    }
    return row;
  };
  for (const entry of cases) {
    year(yearOf(entry.sanction.on)).finesImposed += entry.fines.imposed;
    for (const l of entry.liquidations) year(yearOf(l.on)).penaltiesLiquidated += l.amount;
  }
  const sum = (f: (e: LedgerEntry) => number) => cases.reduce((total, e) => total + f(e), 0);
  return {
    asOf,
    cases,
    byYear: [...years.entries()].sort(([a], [b]) => a - b).map(([y, row]) => ({ year: y, ...row })),
    totals: {
      finesImposed: sum((e) => e.fines.imposed),
      penaltiesAccrued: sum((e) => e.penalty.accrued),
      penaltiesLiquidated: sum((e) => e.penalty.liquidated),
      penaltiesOutstanding: sum((e) => e.penalty.outstanding),
      penaltiesAccruedNotLiquidated: sum((e) => e.penalty.accruedNotLiquidated),
      reducedByCourt: sum((e) => e.due.reducedByCourt),
      due: sum((e) => e.due.total),
    },
  };
};
