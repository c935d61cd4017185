import { defineConfig } from 'vitest/config';

/**
 * The reliability and security suite (`npm run test:reliability`): faults,
 * floods and bad input, each scenario failing when its figure is missed.
 * Figures of the last run go to bench/results/reliability.json and
 * docs/reliability.md. The 30-minute soak runs only with FALCON_SOAK=1.
 */
export default defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 60_000,
    // One file at a time: these tests measure, and two cores are easily saturated.
    fileParallelism: false,
    maxWorkers: 1,
    // Memory figures are taken after a forced garbage collection.
    execArgv: ['--expose-gc'],
    globalSetup: ['test/reliability/reset-figures.ts', 'test/helpers/redis-global-setup.ts'],
  },
});
