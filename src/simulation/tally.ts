/**
 * A multiset of non-negative numbers in bounded memory, for simulation results aggregated as runs
 * finish: exact counts per distinct value while there are at most `EXACT_LIMIT` distinct values,
 * then a logarithmic sketch whose quantiles are within `RELATIVE_ACCURACY` of the exact ones.
 *
 * The sketch is a function of the multiset alone (a value's bucket depends only on the value), and
 * a tally switches to it exactly when the whole multiset has more than `EXACT_LIMIT` distinct
 * values, so adding values in any order, or merging tallies of any split of the runs, gives the
 * same tally: a simulation's result does not depend on its number of worker threads.
 *
 * Sums are exact for whole numbers (a bigint takes over beyond 2⁵²), so means are those of the
 * values themselves whatever the order.
 *
 * @example
 * const t = createTally();
 * for (const fine of [0, 20_000_000, 150_000]) addValue(t, fine);
 * quantileOf(t, 0.5); // 150000 (nearest rank)
 */

/** Distinct values counted exactly before a tally switches to the sketch. */
export const EXACT_LIMIT = 131_072;
/** Relative accuracy of the sketch: a sketched quantile q̂ of the exact quantile q has |q̂ − q| ≤ 0.001·q (rounded to a whole number). */
export const RELATIVE_ACCURACY = 0.001;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
const CARRY = 2 ** 52;

export interface Tally {
  /** Number of values. */
  count: number;
  /** Exact sum = big + small (small stays below 2⁵² in magnitude). */
  small: number;
  big: bigint;
  /** value → count, while exact; null once sketched. */
  exact: Map<number, number> | null;
  /** Sketch: bucket index → count (values > 0), and the count of zeros. Null while exact. */
  buckets: Map<number, number> | null;
  zeros: number;
}

export const createTally = (): Tally => ({
  count: 0,
  small: 0,
  big: 0n,
  exact: new Map(),
  buckets: null,
  zeros: 0,
});

/** The sketch bucket of a value > 0: values in (γ^(i−1), γ^i] share bucket i. */
export const bucketOf = (value: number): number => Math.ceil(Math.log(value) / LOG_GAMMA);
/** The representative of bucket i: within RELATIVE_ACCURACY of every value of the bucket. */
export const bucketValue = (i: number): number => (2 * GAMMA ** i) / (GAMMA + 1);

const sketchAdd = (t: Tally, value: number, k: number): void => {
  if (value <= 0) {
    t.zeros += k;
    return;
  }
  const buckets = t.buckets as Map<number, number>;
  const b = bucketOf(value);
  buckets.set(b, (buckets.get(b) ?? 0) + k);
};

const toSketch = (t: Tally): void => {
  const exact = t.exact as Map<number, number>;
  t.exact = null;
  t.buckets = new Map();
  for (const [v, k] of exact) sketchAdd(t, v, k);
};

const addSum = (t: Tally, amount: number): void => {
  t.small += amount;
  if (t.small >= CARRY || t.small <= -CARRY) {
    const whole = Math.trunc(t.small);
    t.big += BigInt(whole);
    t.small -= whole;
  }
};

/** Adds `k` copies of `value` (a non-negative number; whole numbers keep sums exact). */
export const addValue = (t: Tally, value: number, k = 1): void => {
  t.count += k;
  addSum(t, value * k);
  if (t.exact) {
    t.exact.set(value, (t.exact.get(value) ?? 0) + k);
    if (t.exact.size > EXACT_LIMIT) toSketch(t);
  } else sketchAdd(t, value, k);
};

/** Adds every value of `from` into `into`. */
export const mergeTally = (into: Tally, from: Tally): void => {
  into.count += from.count;
  into.big += from.big;
  addSum(into, from.small);
  if (into.exact && from.exact) {
    for (const [v, k] of from.exact) into.exact.set(v, (into.exact.get(v) ?? 0) + k);
    if (into.exact.size > EXACT_LIMIT) toSketch(into);
    return;
  }
  if (into.exact) toSketch(into);
  if (from.exact) for (const [v, k] of from.exact) sketchAdd(into, v, k);
  else {
    into.zeros += from.zeros;
    const buckets = into.buckets as Map<number, number>;
    for (const [b, k] of from.buckets as Map<number, number>) buckets.set(b, (buckets.get(b) ?? 0) + k);
  }
};

/** A copy of a tally. */
export const copyTally = (t: Tally): Tally => ({
  ...t,
  exact: t.exact && new Map(t.exact),
  buckets: t.buckets && new Map(t.buckets),
});

/** True while the tally's quantiles are exact. */
export const isExact = (t: Tally): boolean => t.exact !== null;

/** The exact sum of the values. */
export const sumOf = (t: Tally): number => (t.big === 0n ? t.small : Number(t.big) + t.small);

export const meanOf = (t: Tally): number => (t.count === 0 ? 0 : sumOf(t) / t.count);

/**
 * (value, count) in increasing value: the distinct values while exact, else each bucket's
 * representative (0 for the zeros).
 */
export const entriesOf = (t: Tally): [number, number][] => {
  if (t.exact) return [...t.exact].sort((a, b) => a[0] - b[0]);
  const buckets = [...(t.buckets as Map<number, number>)].sort((a, b) => a[0] - b[0]);
  const entries = buckets.map(([b, k]): [number, number] => [bucketValue(b), k]);
  return t.zeros > 0 ? [[0, t.zeros], ...entries] : entries;
};

/** Nearest-rank quantile: the smallest value v with at least ⌈q·n⌉ values ≤ v (0 when empty). */
export const quantileOf = (t: Tally, q: number, entries = entriesOf(t)): number => {
  if (t.count === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * t.count));
  let seen = 0;
  for (const [v, k] of entries) {
    seen += k;
    if (seen >= rank) return v;
  }
  return (entries.at(-1) as [number, number])[0];
};
