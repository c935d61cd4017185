import { defineConfig } from 'vitest/config';

/** The tests StrykerJS runs against each mutant of stryker.http.config.mjs: the HTTP API's, on the in-memory engine. */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    environment: 'node',
    // hub-boundary covers the routing, Origin, caps and metrics glue; it makes the run ~45 min (weekly only).
    include: ['test/server/http-api.test.ts', 'test/server/http-input.test.ts', 'test/server/hub-boundary.test.ts'],
  },
});
