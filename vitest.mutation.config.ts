import { defineConfig } from 'vitest/config';

/**
 * The tests StrykerJS runs against each mutant of stryker.config.mjs (npm run
 * test:mutation): the fast unit tests of the security-critical modules it
 * mutates. Kept apart from vitest.config.ts so a mutant run never starts
 * redis-server, browsers or the whole suite; the HTTP API has its own pair
 * (stryker.http.config.mjs, vitest.mutation-http.config.ts).
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    environment: 'node',
    include: [
      'test/server/auth.test.ts',
      'test/server/upgrade.test.ts',
      'test/server/request-target.test.ts',
      'test/server/connection-caps.test.ts',
      'test/server/rate-limiter.test.ts',
      'test/server/http-input-parse.test.ts',
      'test/shared/protocol*.test.ts',
      'test/shared/json-guard.test.ts',
      'test/shared/modules-load.test.ts',
      'test/shared/board-state*.test.ts',
      'test/shared/board-event.test.ts',
      'test/server/publish-authorization.test.ts',
      'test/server/snapshot-filter.test.ts',
      'test/main/link-policy*.test.ts',
      'test/main/ipc-schemas*.test.ts',
    ],
  },
});
