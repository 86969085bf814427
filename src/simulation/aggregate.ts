/**
 * The results of many simulated runs, aggregated as each run finishes: counts, tallies of values
 * (tally.ts: exact, or a sketch within 0.1 %) and exact sums. Memory does not grow with the number
 * of runs. Aggregates of any split of the runs merge into the aggregate of all of them, so a
 * simulation gives the same result in one thread or several.
 */
import { STAGES } from '../../machines/procedure.ts';
import { dayOf } from './days.ts';
import { ASSUMPTION_STATUS, OUTCOMES, type RunResult, type StartSpec } from './run.ts';
import { addValue, createTally, mergeTally, type Tally } from './tally.ts';

export interface Aggregate {
  runs: number;
  /** Runs per outcome, in OUTCOMES order. */
  readonly outcomes: number[];
  /** Fines finally owed by runs with a sanction (outcomes sanctioned and sanctionAnnulled), whole euros. */
  readonly sanctionedFines: Tally;
  /** Penalties liquidated, runs with a liquidation (> 0), whole euros. */
  readonly liquidatedAmounts: Tally;
  /** Days from the start to closure, closed runs. */
  readonly daysToClosure: Tally;
  /** Days from the start to the restricted committee's decision (sanction or dismissal), runs with one. */
  readonly daysToDecision: Tally;
  /** Days of delay under an injunction (first day of delay to compliance, or to the horizon), runs with a delay. */
  readonly penaltyDays: Tally;
  /** Days spent in each stage but `closed` (STAGES order), runs that spent time there. */
  readonly stageDays: Tally[];
  /** Per assumption, runs per status (ASSUMPTION_STATUS order). */
  readonly assumptions: number[][];
}

const OPEN_STAGES = STAGES.length - 1; // every stage but `closed`, which is last
const SANCTIONED = OUTCOMES.indexOf('sanctioned');
const ANNULLED = OUTCOMES.indexOf('sanctionAnnulled');
const DISMISSED = OUTCOMES.indexOf('dismissed');

export const emptyAggregate = (assumptions: number): Aggregate => ({
  runs: 0,
  outcomes: OUTCOMES.map(() => 0),
  sanctionedFines: createTally(),
  liquidatedAmounts: createTally(),
  daysToClosure: createTally(),
  daysToDecision: createTally(),
  penaltyDays: createTally(),
  stageDays: Array.from({ length: OPEN_STAGES }, createTally),
  assumptions: Array.from({ length: assumptions }, () => ASSUMPTION_STATUS.map(() => 0)),
});

/**
 * Adds one run. `base` is the first simulated day (the start's `base`) and `horizon` the last
 * day a run may reach (base + horizonDays), both as day numbers (days.ts `dayOf`).
 */
export const addRun = (a: Aggregate, r: RunResult, base: number, horizon: number): void => {
  a.runs++;
  const o = OUTCOMES.indexOf(r.outcome);
  a.outcomes[o] = (a.outcomes[o] ?? 0) + 1;
  if (o === SANCTIONED || o === ANNULLED) addValue(a.sanctionedFines, r.fine);
  if (r.liquidated > 0) addValue(a.liquidatedAmounts, r.liquidated);
  if (r.durationDays >= 0) addValue(a.daysToClosure, r.durationDays);
  const c = r.finalContext;
  const decidedOn = c.sanction?.on ?? (o === DISMISSED ? c.closed?.on : undefined);
  if (decidedOn !== undefined) addValue(a.daysToDecision, Math.max(0, dayOf(decidedOn) - base)); // 0: decided before a fork
  const delayFrom = c.injunction?.delayFrom;
  if (delayFrom) {
    const until = c.injunction?.compliedOn ? dayOf(c.injunction.compliedOn) : horizon; // [first day of delay, until)
    const days = until - dayOf(delayFrom);
    if (days > 0) addValue(a.penaltyDays, days);
  }
  for (let s = 0; s < OPEN_STAGES; s++) {
    const d = r.stageDays[s] ?? 0;
    if (d > 0) addValue(a.stageDays[s] as Tally, d);
  }
  for (let j = 0; j < a.assumptions.length; j++) {
    const tally = a.assumptions[j] as number[];
    const k = ASSUMPTION_STATUS.indexOf(r.assumptions[j] ?? 'notReached');
    tally[k] = (tally[k] ?? 0) + 1;
  }
};

/** Adds every run of `from` into `into` (returns `into`). */
export const mergeAggregate = (into: Aggregate, from: Aggregate): Aggregate => {
  into.runs += from.runs;
  from.outcomes.forEach((k, i) => (into.outcomes[i] = (into.outcomes[i] ?? 0) + k));
  mergeTally(into.sanctionedFines, from.sanctionedFines);
  mergeTally(into.liquidatedAmounts, from.liquidatedAmounts);
  mergeTally(into.daysToClosure, from.daysToClosure);
  mergeTally(into.daysToDecision, from.daysToDecision);
  mergeTally(into.penaltyDays, from.penaltyDays);
  from.stageDays.forEach((t, s) => mergeTally(into.stageDays[s] as Tally, t));
  from.assumptions.forEach((row, j) =>
    row.forEach(
      (k, i) => ((into.assumptions[j] as number[])[i] = ((into.assumptions[j] as number[])[i] ?? 0) + k),
    ),
  );
  return into;
};

/** Merges aggregates of any split of the runs (the result does not depend on the order). */
export const mergeAggregates = (parts: readonly Aggregate[], assumptions: number): Aggregate =>
  parts.reduce(mergeAggregate, emptyAggregate(assumptions));

/** The day numbers `addRun` needs for a start. */
export const windowOf = (start: StartSpec, horizonDays: number): { base: number; horizon: number } => {
  const base = dayOf(start.base);
  return { base, horizon: base + horizonDays };
};
