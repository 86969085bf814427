import { existsSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

/**
 * Suites that need more than Node and a C++ toolchain:
 * - the browser suites (`*.browser.test.ts`) drive Debian's Chromium (CHROMIUM_PATH, default
 *   /usr/bin/chromium). Where it is missing they are left out with one line saying so, unless
 *   CNIL_REQUIRE_BROWSER=1 (set by .ci/run), which makes them mandatory: they then fail.
 * - the real-EventStoreDB suites run when EVENTSTORE_CONNECTION_STRING is set (they skip, and say
 *   so, otherwise); the protocol-level test server always runs.
 *
 * `npm run test:long` (`vitest run --mode long`) runs the thorough variants of the property,
 * contention and crash suites; test/support/long.ts reads the flag.
 */
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const browserSuites = 'test/**/*.browser.test.ts';
const withoutBrowser = !existsSync(chromium) && process.env.CNIL_REQUIRE_BROWSER !== '1';
if (withoutBrowser && !process.env.VITEST_WORKER_ID)
  process.stderr.write(
    `\nSKIPPED: the browser suites (${browserSuites}) — no Chromium at ${chromium}. ` +
      'Install it (Debian: apt install chromium) or set CHROMIUM_PATH; CNIL_REQUIRE_BROWSER=1 makes them mandatory.\n\n',
  );

export default defineConfig(({ mode }) => ({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: withoutBrowser ? ['**/node_modules/**', browserSuites] : ['**/node_modules/**'],
    environment: 'node',
    // Generous: the CLI, browser and EventStoreDB tests start real processes, and CI has 2 cores.
    testTimeout: mode === 'long' ? 3_600_000 : 60_000,
    hookTimeout: 60_000,
    env: { CNIL_TEST_LONG: mode === 'long' ? '1' : '' },
  },
}));
