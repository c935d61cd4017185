// @ts-check
import base from './stryker.config.mjs';

/**
 * Mutation testing of the HTTP API's input handling (the second half of npm
 * run test:mutation). Its tests start real hubs on port 0, so they run only
 * against this module's mutants rather than against every module's.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  ...base,
  vitest: { configFile: 'vitest.mutation-http.config.ts', related: false },
  mutate: ['src/server/http-api.ts'],
  htmlReporter: { fileName: 'reports/mutation/http-api.html' },
  jsonReporter: { fileName: 'reports/mutation/http-api.json' },
  // A ratchet: 75.9 % on 2026-12-01 (docs/reliability.md#mutation-scores). Raise it
  // to the 90 % of the other modules once request-target parsing has its own tests.
  thresholds: { ...base.thresholds, break: 75 },
};
