/**
 * The summary of a simulation: outcome distribution, money at stake, durations, time per stage.
 * Pure and deterministic: the same aggregate gives the same report (no timings in it). Means are
 * exact; medians and p90s are exact nearest-rank quantiles while a tally is exact (tally.ts), else
 * within 0.1 % of them.
 */
import { STAGES, type Stage } from '../../machines/procedure.ts';
import type { Aggregate } from './aggregate.ts';
import { OUTCOMES, type Outcome, type StartSpec } from './run.ts';
import { addValue, copyTally, meanOf, quantileOf, type Tally } from './tally.ts';

export interface Distribution {
  readonly mean: number;
  readonly median: number;
  readonly p90: number;
}

export interface Report {
  readonly runs: number;
  readonly outcomes: Record<Outcome, { readonly runs: number; readonly share: number }>;
  readonly sanctioned: { readonly runs: number; readonly share: number };
  readonly liquidated: { readonly runs: number; readonly share: number };
  /** Fines finally owed, whole euros: over all runs, and over sanctioned runs. */
  readonly fines: Distribution & { readonly whenSanctioned: Distribution };
  /** Penalties liquidated, whole euros: over all runs, and over runs with a liquidation. */
  readonly liquidatedPenalties: Distribution & { readonly whenLiquidated: Distribution };
  /** Days from the start (fresh complaint, or the day after --as-of) to closure, closed runs only. */
  readonly durationToClosure: {
    readonly closedRuns: number;
    readonly closedShare: number;
    readonly medianDays: number;
    readonly p90Days: number;
  };
  /** Days spent in each stage: share of runs that spent time there, mean over those runs. */
  readonly stages: Record<
    Exclude<Stage, 'closed'>,
    { readonly share: number; readonly meanDays: number; readonly medianDays: number }
  >;
  readonly assumptions: readonly {
    readonly event: string;
    readonly on: string;
    readonly applied: number;
    readonly notApplicable: number;
    readonly refused: number;
    readonly notReached: number;
  }[];
}

const share = (k: number, n: number): number => (n === 0 ? 0 : Number((k / n).toFixed(4)));

/** Mean, median and p90 of a tally, rounded to whole numbers. */
export const distribution = (t: Tally): Distribution => ({
  mean: Math.round(meanOf(t)),
  median: Math.round(quantileOf(t, 0.5)),
  p90: Math.round(quantileOf(t, 0.9)),
});

/** The tally with `zeros` more zeros (the runs without a fine, or without a liquidation). */
const withZeros = (t: Tally, zeros: number): Tally => {
  const all = copyTally(t);
  if (zeros > 0) addValue(all, 0, zeros);
  return all;
};

export const summarise = (a: Aggregate, start: StartSpec): Report => {
  const n = a.runs;
  const outcomes = Object.fromEntries(
    OUTCOMES.map((o, i) => [o, { runs: a.outcomes[i] ?? 0, share: share(a.outcomes[i] ?? 0, n) }]),
  ) as Report['outcomes'];
  const sanctionedRuns = outcomes.sanctioned.runs + outcomes.sanctionAnnulled.runs;
  const liquidatedRuns = a.liquidatedAmounts.count;
  const stages = Object.fromEntries(
    STAGES.filter((s) => s !== 'closed').map((stage, s) => {
      const spent = a.stageDays[s] as Tally;
      return [
        stage,
        {
          share: share(spent.count, n),
          meanDays: spent.count === 0 ? 0 : Number(meanOf(spent).toFixed(1)),
          medianDays: Math.round(quantileOf(spent, 0.5)),
        },
      ];
    }),
  ) as Report['stages'];
  return {
    runs: n,
    outcomes,
    sanctioned: { runs: sanctionedRuns, share: share(sanctionedRuns, n) },
    liquidated: { runs: liquidatedRuns, share: share(liquidatedRuns, n) },
    fines: {
      ...distribution(withZeros(a.sanctionedFines, n - a.sanctionedFines.count)),
      whenSanctioned: distribution(a.sanctionedFines),
    },
    liquidatedPenalties: {
      ...distribution(withZeros(a.liquidatedAmounts, n - liquidatedRuns)),
      whenLiquidated: distribution(a.liquidatedAmounts),
    },
    durationToClosure: {
      closedRuns: a.daysToClosure.count,
      closedShare: share(a.daysToClosure.count, n),
      medianDays: Math.round(quantileOf(a.daysToClosure, 0.5)),
      p90Days: Math.round(quantileOf(a.daysToClosure, 0.9)),
    },
    stages,
    assumptions: start.assumptions.map((assumption, j) => {
      const tally = a.assumptions[j] ?? [];
      return {
        event: assumption.type,
        on: assumption.on,
        notReached: tally[0] ?? 0,
        applied: tally[1] ?? 0,
        notApplicable: tally[2] ?? 0,
        refused: tally[3] ?? 0,
      };
    }),
  };
};
