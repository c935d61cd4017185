import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { chromiumPath, ensureWebBuild, launchChromium } from './browser';

export interface WebEditionSuite {
  /** Debian's Chromium, or null where it is absent (suites skip with a notice; never under CI). */
  readonly executable: string | null;
  /** The suite's one Chromium, launched before the first test. */
  readonly browser: Browser;
  /** Undo steps (close a page, a hub, …), run after each test, last first. */
  readonly cleanup: Array<() => unknown>;
}

/**
 * Hooks for an end-to-end suite of the web edition in Chromium: the built web
 * edition (`npm run build`, checked once), one browser per file, and per-test
 * cleanup that runs even when a test fails. Each suite keeps its own hub and
 * page helpers: what it seeds and how it opens the page is its own.
 */
export function useWebEditionSuite(): WebEditionSuite {
  const executable = chromiumPath();
  let browser: Browser | undefined;
  const cleanup: Array<() => unknown> = [];
  beforeAll(async () => {
    if (!executable) return;
    ensureWebBuild();
    browser = await launchChromium(executable);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const undo of cleanup.splice(0).reverse()) await undo();
  });
  return {
    executable,
    get browser() {
      if (!browser) throw new Error('Chromium is not running: use the suite inside describe.skipIf(!executable)');
      return browser;
    },
    cleanup,
  };
}
