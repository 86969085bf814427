/**
 * Seeded randomness, identical on every machine: one xoroshiro128+ generator (pure-rand) per run,
 * seeded from (seed, run index) alone, so a run's draws do not depend on which worker runs it or
 * how many runs came before. Floating-point draws use only IEEE operations and V8's fdlibm-based
 * `Math.log`/`Math.exp`/`Math.cos`, which give the same bits on every platform.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { Z90 } from './calibration.ts';
import type { Distribution } from './params.ts';

export type Rng = RandomGenerator;

/** A 32-bit mix of (seed, index) (murmur3 finaliser), the seed of run `index`. */
export const runSeed = (seed: number, index: number): number => {
  let h = (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(index | 0, 0x85ebca6b)) | 0;
  h ^= index >>> 16;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
};

export const runRng = (seed: number, index: number): Rng => xoroshiro128plus(runSeed(seed, index));

/** Uniform in [0, 1). */
export const uniform = (rng: Rng): number => uniformFloat64(rng);

export const bernoulli = (rng: Rng, probability: number): boolean => uniform(rng) < probability;

/** Picks a branch by its probability (in the order of the object's keys). */
export const branch = <K extends string>(rng: Rng, branches: Readonly<Record<K, number>>): K => {
  const u = uniform(rng);
  let acc = 0;
  let last: K | undefined;
  for (const key in branches) {
    last = key;
    acc += branches[key];
    if (u < acc) return key;
  }
  return last as K;
};

/** A standard normal draw (Box–Muller). */
export const normal = (rng: Rng): number => {
  const u1 = 1 - uniform(rng); // (0, 1]
  const u2 = uniform(rng);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
};

/** A real draw from a distribution, clamped to its min/max. */
export const draw = (rng: Rng, d: Distribution): number => {
  switch (d.distribution) {
    case 'fixed':
      return d.value;
    case 'uniform':
      return d.min + uniform(rng) * (d.max - d.min);
    case 'lognormal': {
      const sigma = Math.log(d.p90 / d.median) / Z90;
      const x = d.median * Math.exp(sigma * normal(rng));
      return Math.min(Math.max(x, d.min ?? 0), d.max ?? Number.POSITIVE_INFINITY);
    }
  }
};

/** A whole number of days (or euros) from a distribution. */
export const drawInt = (rng: Rng, d: Distribution): number => Math.round(draw(rng, d));

/** A whole number uniformly in [min, max]. */
export const intBetween = (rng: Rng, min: number, max: number): number =>
  max <= min ? min : min + Math.floor(uniform(rng) * (max - min + 1));
