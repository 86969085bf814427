/**
 * The summary of a simulation: outcome distribution, money at stake, durations, time per stage.
 * Pure and deterministic: the same batch gives the same report (no timings in it).
 */
import { STAGES, type Stage } from '../../machines/procedure.ts';
import type { Batch } from './batch.ts';
import { ASSUMPTION_STATUS, OUTCOMES, type Outcome, type StartSpec } from './simulate.ts';

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

/** Nearest-rank quantile of sorted values. */
export const quantile = (sorted: ArrayLike<number>, q: number): number =>
  sorted.length === 0 ? 0 : (sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number);

export const distribution = (values: Float64Array | number[]): Distribution => {
  const sorted = Float64Array.from(values).sort();
  let sum = 0;
  for (const v of values) sum += v; // in run order: the same sum whatever the worker count
  return {
    mean: sorted.length === 0 ? 0 : Math.round(sum / sorted.length),
    median: Math.round(quantile(sorted, 0.5)),
    p90: Math.round(quantile(sorted, 0.9)),
  };
};

export const summarise = (batch: Batch, start: StartSpec): Report => {
  const n = batch.outcome.length;
  const counts = OUTCOMES.map(() => 0);
  for (const o of batch.outcome) counts[o] = (counts[o] ?? 0) + 1;
  const outcomes = Object.fromEntries(
    OUTCOMES.map((o, i) => [o, { runs: counts[i] ?? 0, share: share(counts[i] ?? 0, n) }]),
  ) as Report['outcomes'];
  const sanctionedRuns = outcomes.sanctioned.runs + outcomes.sanctionAnnulled.runs;
  const sanctionedFines: number[] = [];
  const liquidatedAmounts: number[] = [];
  const durations: number[] = [];
  for (let i = 0; i < n; i++) {
    const o = OUTCOMES[batch.outcome[i] as number];
    if (o === 'sanctioned' || o === 'sanctionAnnulled') sanctionedFines.push(batch.fine[i] as number);
    if ((batch.liquidated[i] as number) > 0) liquidatedAmounts.push(batch.liquidated[i] as number);
    if ((batch.duration[i] as number) >= 0) durations.push(batch.duration[i] as number);
  }
  const sortedDurations = Float64Array.from(durations).sort();
  const stages = Object.fromEntries(
    STAGES.filter((s) => s !== 'closed').map((stage) => {
      const s = STAGES.indexOf(stage);
      const spent: number[] = [];
      for (let i = 0; i < n; i++) {
        const d = batch.stageDays[i * STAGES.length + s] as number;
        if (d > 0) spent.push(d);
      }
      const sorted = Float64Array.from(spent).sort();
      const sum = spent.reduce((a, b) => a + b, 0);
      return [
        stage,
        {
          share: share(spent.length, n),
          meanDays: spent.length === 0 ? 0 : Number((sum / spent.length).toFixed(1)),
          medianDays: quantile(sorted, 0.5),
        },
      ];
    }),
  ) as Report['stages'];
  const a = start.assumptions.length;
  return {
    runs: n,
    outcomes,
    sanctioned: { runs: sanctionedRuns, share: share(sanctionedRuns, n) },
    liquidated: { runs: liquidatedAmounts.length, share: share(liquidatedAmounts.length, n) },
    fines: { ...distribution(batch.fine), whenSanctioned: distribution(sanctionedFines) },
    liquidatedPenalties: {
      ...distribution(batch.liquidated),
      whenLiquidated: distribution(liquidatedAmounts),
    },
    durationToClosure: {
      closedRuns: durations.length,
      closedShare: share(durations.length, n),
      medianDays: quantile(sortedDurations, 0.5),
      p90Days: quantile(sortedDurations, 0.9),
    },
    stages,
    assumptions: start.assumptions.map((assumption, j) => {
      const tally = ASSUMPTION_STATUS.map(() => 0);
      for (let i = 0; i < n; i++) {
        const k = batch.assumptions[i * a + j] as number;
        tally[k] = (tally[k] ?? 0) + 1;
      }
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
