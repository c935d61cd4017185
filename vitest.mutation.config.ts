import { defineConfig } from 'vitest/config';

/**
 * The tests StrykerJS runs against each mutant (npm run test:mutation): the
 * fast unit tests of the security-critical modules it mutates, on the
 * in-memory engine only. Kept apart from vitest.config.ts so a mutant run
 * never starts redis-server, browsers or the whole suite.
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    environment: 'node',
    include: [
      'test/server/auth.test.ts',
      'test/server/upgrade.test.ts',
      'test/server/http-api.test.ts',
      'test/server/http-input.test.ts',
      'test/shared/protocol*.test.ts',
      'test/shared/json-guard.test.ts',
      'test/shared/modules-load.test.ts',
      'test/shared/board-state*.test.ts',
      'test/main/link-policy*.test.ts',
      'test/main/ipc-schemas*.test.ts',
    ],
  },
});
