/**
 * Simulation results are aggregated as runs finish: a tally keeps exact counts while it can, then a
 * sketch within 0.1 %; either way the order of the values and the split into parts do not matter.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addValue,
  createTally,
  EXACT_LIMIT,
  isExact,
  meanOf,
  mergeTally,
  quantileOf,
  RELATIVE_ACCURACY,
  sumOf,
  type Tally,
} from '../../src/simulation/tally.ts';

const tallyOf = (values: readonly number[]): Tally => {
  const t = createTally();
  for (const v of values) addValue(t, v);
  return t;
};

/** The nearest-rank quantile of the values, as the report defined it before aggregation. */
const nearestRank = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? 0 : (sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)] as number);
};

/** `n` distinct whole euros from 100 to about n²/50, in a scrambled order (7919 is prime). */
const euros = (n: number, salt = 1): number[] =>
  Array.from({ length: n }, (_, i) => {
    const k = (i * 7919 + salt) % n;
    return 100 + k + Math.floor((k * k) / 50);
  });

describe('a tally of simulated values', () => {
  it('gives the exact nearest-rank quantiles, mean and count while it holds few distinct values', () =>
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50_000_000 }), { maxLength: 300 }), (values) => {
        const t = tallyOf(values);
        expect(isExact(t)).toBe(true);
        expect(t.count).toBe(values.length);
        for (const q of [0.1, 0.5, 0.9, 1]) expect(quantileOf(t, q)).toBe(nearestRank(values, q));
        expect(sumOf(t)).toBe(values.reduce((s, v) => s + v, 0));
      }),
    ));

  it('is the same whichever way the values are split and merged', () =>
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1_000_000 }), { maxLength: 200 }),
        fc.nat(),
        (values, cut) => {
          const at = values.length === 0 ? 0 : cut % values.length;
          const merged = tallyOf(values.slice(at));
          mergeTally(merged, tallyOf(values.slice(0, at)));
          const whole = tallyOf(values);
          expect(quantileOf(merged, 0.5)).toBe(quantileOf(whole, 0.5));
          expect(quantileOf(merged, 0.9)).toBe(quantileOf(whole, 0.9));
          expect(sumOf(merged)).toBe(sumOf(whole));
        },
      ),
    ));

  it('switches to a sketch beyond EXACT_LIMIT distinct values, within 0.1 % of the exact quantiles', () => {
    const values = euros(EXACT_LIMIT + 5_000);
    const t = tallyOf(values);
    expect(isExact(t)).toBe(false);
    for (const q of [0.01, 0.25, 0.5, 0.9, 0.99]) {
      const exact = nearestRank(values, q);
      expect(Math.abs(quantileOf(t, q) - exact)).toBeLessThanOrEqual(RELATIVE_ACCURACY * exact + 1e-9);
    }
    expect(meanOf(t)).toBe(values.reduce((s, v) => s + v, 0) / values.length);
  });

  it('sketches the same multiset into the same tally whether one part or the merge overflowed', () => {
    const values = euros(EXACT_LIMIT + 2_000, 3);
    const whole = tallyOf(values);
    const half = Math.floor(values.length / 2);
    const a = tallyOf(values.slice(0, half));
    const b = tallyOf(values.slice(half));
    expect(isExact(a) && isExact(b)).toBe(true); // neither part overflows on its own…
    mergeTally(a, b);
    expect(isExact(a)).toBe(false); // …their union does
    expect(a).toEqual(whole);
  });

  it('keeps sums exact beyond 2⁵³ (a bigint takes over)', () => {
    const t = createTally();
    addValue(t, 2 ** 52, 3);
    addValue(t, 1);
    expect(t.big + BigInt(t.small)).toBe(3n * 2n ** 52n + 1n);
  });
});
