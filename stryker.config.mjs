// @ts-check
/**
 * Mutation testing of the security-critical modules (npm run test:mutation;
 * the HTTP API runs second, with its own tests: stryker.http.config.mjs).
 * See docs/development.md for when it runs and docs/reliability.md for the
 * scores. Equivalent mutants are disabled where they occur, with a comment
 * `// Stryker disable next-line <mutator>: <why it is equivalent>`.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutation.config.ts', related: false },
  mutate: [
    'src/server/auth.ts',
    'src/shared/channel-glob.ts',
    'src/shared/protocol.ts',
    'src/shared/json-guard.ts',
    'src/shared/board-state.ts',
    'src/shared/board-event.ts',
    'src/server/publish-authorization.ts',
    'src/server/snapshot-filter.ts',
    'src/server/upgrade.ts',
    'src/server/request-target.ts',
    'src/server/connection-caps.ts',
    'src/server/rate-limiter.ts',
    'src/server/http-input.ts',
    'src/main/link-policy.ts',
    'src/main/ipc-schemas.ts',
  ],
  coverageAnalysis: 'perTest',
  // The machine is shared: one test process at a time.
  concurrency: 1,
  timeoutMS: 20_000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 95, low: 90, break: 90 },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
