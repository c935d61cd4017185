import { defineConfig } from 'vitest/config';

/**
 * Two projects: every test on the default in-memory engine, and the hub and
 * client suites again on the Redis engine (a real redis-server started by the
 * global setup), so both engines meet the same guarantees. Scale-out tests
 * (several hubs, Redis restarts) run in the Redis project only.
 */
const REDIS_SUITES = [
  'test/server/hub-*.test.ts',
  'test/server/http-api.test.ts',
  'test/client/reconnecting-connection.test.ts',
  'test/client/send-input.test.ts',
  'test/scale/**/*.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Socket- and browser-heavy suites share two cores: keep parallelism modest.
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: 'memory',
          include: ['test/**/*.test.{ts,tsx}'],
          // test/reliability runs on its own config (npm run test:reliability): it measures, one file at a time.
          exclude: ['test/scale/**', 'test/reliability/**', 'test/desktop/**'],
          environment: 'node',
        },
      },
      {
        extends: true,
        test: {
          name: 'redis',
          include: REDIS_SUITES,
          environment: 'node',
          env: { FALCON_TEST_ENGINE: 'redis' },
          globalSetup: ['test/helpers/redis-global-setup.ts'],
        },
      },
    ],
  },
});
