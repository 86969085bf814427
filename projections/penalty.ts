/**
 * Penalty payment (astreinte) as of a date: the days in [first day of delay, D) — stopping at
 * compliance — times the daily rate. Liquidations are recorded separately. LIL art. 20 III; D art. 44.
 *
 * What accrues is not owed: only the amount the restricted committee liquidates is due, and it may
 * liquidate less than the rate × the days of delay (D art. 44). `amountsDue` says what is owed:
 * the fines imposed and the penalties liquidated, less what the Conseil d'État took off.
 */
import type { ProcedureContext } from '../machines/context.ts';
import { daysBetween, type IsoDate, maxDate, minDate } from '../machines/dates.ts';

export interface PenaltyView {
  readonly ratePerDay: number;
  readonly daysOfDelay: number;
  readonly accrued: number;
  readonly liquidated: number;
  /**
   * The days of delay no liquidation covers, times the rate: accrued, not owed (D art. 44). Days
   * a liquidation covers are not counted here even when the committee liquidated less for them.
   */
  readonly accruedNotLiquidated: number;
}

/** What is owed as of a date (D art. 44: only liquidated penalties are due). Whole euros. */
export interface AmountsDue {
  /** Fines as the CNIL imposed them. */
  readonly finesImposed: number;
  /** Penalties as the restricted committee liquidated them. */
  readonly penaltiesLiquidated: number;
  /** Taken off by the Conseil d'État (reformed or annulled decisions). */
  readonly reducedByCourt: number;
  /** finesImposed + penaltiesLiquidated − reducedByCourt. */
  readonly total: number;
}

/** The one-line caveat every view prints beside the amounts. */
export const NOT_OWED_CAVEAT =
  'Accrued penalty is not owed until the restricted committee liquidates it (D art. 44); only fines and liquidated penalties are due.';

/** The penalties the restricted committee liquidated in the case, as it liquidated them (whole euros). */
export const liquidatedTotal = (context: Pick<ProcedureContext, 'liquidations'>): number =>
  context.liquidations.reduce((sum, l) => sum + l.amount, 0);

export const amountsDue = (
  context: Pick<ProcedureContext, 'courtReductions' | 'sanction' | 'liquidations'>,
): AmountsDue => {
  const reductions = context.courtReductions;
  const finesImposed = (context.sanction?.fine ?? 0) + reductions.fine;
  const penaltiesLiquidated = liquidatedTotal(context) + reductions.penalties;
  const reducedByCourt = reductions.fine + reductions.penalties;
  return {
    finesImposed,
    penaltiesLiquidated,
    reducedByCourt,
    total: finesImposed + penaltiesLiquidated - reducedByCourt,
  };
};

export const penaltyAsOf = (
  context: Pick<ProcedureContext, 'injunction' | 'liquidations'>,
  asOf: IsoDate,
): PenaltyView => {
  const injunction = context.injunction;
  const liquidated = liquidatedTotal(context);
  if (!injunction) return { ratePerDay: 0, daysOfDelay: 0, accrued: 0, liquidated, accruedNotLiquidated: 0 };
  const end = injunction.compliedOn ? minDate(injunction.compliedOn, asOf) : asOf;
  const daysOfDelay = injunction.delayFrom ? Math.max(0, daysBetween(injunction.delayFrom, end)) : 0;
  // Days of [delayFrom, end) that a liquidation's period [periodFrom, periodTo) covers.
  const from = injunction.delayFrom;
  const covered = from
    ? context.liquidations.reduce(
        (days, l) => days + Math.max(0, daysBetween(maxDate(l.periodFrom, from), minDate(l.periodTo, end))),
        0,
      )
    : 0;
  return {
    ratePerDay: injunction.penaltyPerDay,
    daysOfDelay,
    accrued: daysOfDelay * injunction.penaltyPerDay,
    liquidated,
    accruedNotLiquidated: (daysOfDelay - covered) * injunction.penaltyPerDay,
  };
};
