import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { chromiumPath, launchChromium } from '../../helpers/browser';
import { type ComponentPage, buildComponentPage } from '../../helpers/component-page';

/** Debian's Chromium; the pane suites are skipped with a notice where it is absent (never in CI). */
export const chromium = chromiumPath();

/**
 * Hooks for a pane suite: pane-page.html built once per file, one Chromium,
 * and a fresh page (own storage) per test, ready when `window.paneKit` is.
 * Any uncaught error in the page fails the test.
 */
export function usePanePage(): () => Page {
  let built: ComponentPage | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let errors: string[] = [];

  beforeAll(async () => {
    if (!chromium) return;
    built = await buildComponentPage(join(import.meta.dirname, 'pane-page.html'));
    browser = await launchChromium(chromium);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await built?.close();
  });
  beforeEach(async () => {
    if (!browser || !built) return;
    context = await browser.newContext({ viewport: { width: 1200, height: 800 } });
    page = await context.newPage();
    // Two cores shared with other suites: each step waits for its condition, generously.
    page.setDefaultTimeout(20_000);
    errors = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(built.url);
    await page.waitForFunction(() => 'paneKit' in window);
  });
  afterEach(async () => {
    await context?.close();
    expect(errors).toEqual([]);
  });

  return () => {
    if (!page) throw new Error('no page: Chromium is missing');
    return page;
  };
}
