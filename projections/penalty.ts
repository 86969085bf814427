/**
 * Penalty payment (astreinte) as of a date: the days in [first day of delay, D) — stopping at
 * compliance — times the daily rate. Liquidations are recorded separately. LIL art. 20 III; D art. 44.
 */
import type { ProcedureContext } from '../machines/context.ts';
import { daysBetween, type IsoDate, minDate } from '../machines/dates.ts';

export interface PenaltyView {
  readonly ratePerDay: number;
  readonly daysOfDelay: number;
  readonly accrued: number;
  readonly liquidated: number;
}

export const penaltyAsOf = (context: ProcedureContext, asOf: IsoDate): PenaltyView => {
  const injunction = context.injunction;
  const liquidated = context.liquidations.reduce((sum, l) => sum + l.amount, 0);
  if (!injunction) return { ratePerDay: 0, daysOfDelay: 0, accrued: 0, liquidated };
  const end = injunction.compliedOn ? minDate(injunction.compliedOn, asOf) : asOf;
  const daysOfDelay = injunction.delayFrom ? Math.max(0, daysBetween(injunction.delayFrom, end)) : 0;
  return {
    ratePerDay: injunction.penaltyPerDay,
    daysOfDelay,
    accrued: daysOfDelay * injunction.penaltyPerDay,
    liquidated,
  };
};
