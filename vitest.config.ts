import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.{ts,tsx}'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Socket- and browser-heavy suites share two cores: keep parallelism modest.
    maxWorkers: 2,
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
