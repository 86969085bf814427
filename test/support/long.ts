/**
 * The thorough mode of the trust suites: `npm run test:long` (vitest `--mode long`) sets
 * CNIL_TEST_LONG=1; `npm test` runs the fast variants.
 */
export const LONG = process.env.CNIL_TEST_LONG === '1';

/** `fast` in `npm test`, `long` in `npm run test:long`. */
export const scale = <T>(fast: T, long: T): T => (LONG ? long : fast);
