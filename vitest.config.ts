import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Generous: the CLI, browser and EventStoreDB tests start real processes, and CI has 2 cores.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
