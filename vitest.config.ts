import { defineConfig } from 'vitest/config';

// `npm run test:long` (`vitest run --mode long`) runs the thorough variants of the property, contention
// and crash suites; test/support/long.ts reads the flag.
export default defineConfig(({ mode }) => ({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Generous: the CLI, browser and EventStoreDB tests start real processes, and CI has 2 cores.
    testTimeout: mode === 'long' ? 3_600_000 : 60_000,
    hookTimeout: 60_000,
    env: { CNIL_TEST_LONG: mode === 'long' ? '1' : '' },
  },
}));
