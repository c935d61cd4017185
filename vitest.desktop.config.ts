import { defineConfig } from 'vitest/config';

/**
 * The desktop suite (`npm run test:desktop`, docs/desktop.md "The desktop
 * suite"): the same scenarios on the emulation driver (Electron's APIs over
 * real Chromium, here and in .ci/run) and on real Electron where its binary
 * exists (the desktop workflow). Builds out/ first when it is stale.
 */
export default defineConfig({
  test: {
    include: ['test/desktop/**/*.test.ts'],
    environment: 'node',
    testTimeout: 300_000,
    hookTimeout: 120_000,
    // Each scenario launches an app with its own Chromium: one at a time on two cores.
    fileParallelism: false,
    maxWorkers: 1,
    globalSetup: ['test/desktop/global-setup.ts'],
  },
});
