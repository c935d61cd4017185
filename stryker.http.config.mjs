// @ts-check
import base from './stryker.config.mjs';

/**
 * Mutation testing of the HTTP API's routing and handlers (the second half of
 * npm run test:mutation; its input parsing is in the unit half). Its tests start real hubs on port 0, so they run only
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
  // A ratchet at what it scores: 49.7 % on 2026-12-01 (docs/reliability.md#mutation-scores),
  // now that the input parsing (http-input.ts, request-target.ts) is scored in the unit run
  // and only routing and handler glue is left here; 106 of its 294 mutants are not covered by
  // these two suites (static web edition, metrics listener, caps, Origin). Raise it as tests land.
  thresholds: { ...base.thresholds, break: 49 },
};
