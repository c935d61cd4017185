// Quick answers on a card and an agent row, with the app's CSS, in Chromium (card-page.tsx): hostile labels stay inside.
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_REQUEST_LIMITS, type AgentState } from '../../../src/shared/protocol';
import { chromiumPath, launchChromium } from '../../helpers/browser';
import { type ComponentPage, buildComponentPage } from '../../helpers/component-page';

const chromium = chromiumPath();

const HTML = '<img src=x onerror=alert(1)>';
const label = (i: number) =>
  `${i} ${HTML}\u202Eevil 🙂${'W'.repeat(AGENT_REQUEST_LIMITS.choiceLabelLength)}`.slice(
    0,
    AGENT_REQUEST_LIMITS.choiceLabelLength,
  );
const AGENT: AgentState = {
  agentId: 'agent-1',
  status: 'waiting_for_input',
  projectId: 'alpha',
  issueId: '12',
  requestId: 'r1',
  prompt: `${HTML} ${'P'.repeat(3900)}`,
  choices: Array.from({ length: AGENT_REQUEST_LIMITS.choices }, (_, i) => ({ id: `c${i}`, label: label(i) })),
};

describe.skipIf(!chromium)('QuickAnswer layout (Chromium)', { timeout: 60_000 }, () => {
  let built: ComponentPage | undefined;
  let browser: Browser | undefined;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    built = await buildComponentPage(join(import.meta.dirname, 'card-page.html'));
    browser = await launchChromium(chromium as string);
    page = await browser.newPage({ viewport: { width: 1024, height: 700 } });
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('dialog', (dialog) => {
      errors.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    await page.goto(built.url);
    await page.waitForFunction(() => 'cardKit' in window);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await built?.close();
  });

  it('keeps 16 choices of 128 characters and a 4 000-character prompt inside a 240 px card and row', async () => {
    await page.evaluate((agent) => window.cardKit.render(agent, 240), AGENT);
    await page.getByTestId('quick-answer').first().waitFor();
    const boxes = await page.evaluate(() =>
      [...document.querySelectorAll<HTMLElement>('[data-testid="quick-answer"]')].map((quick) => {
        const container = quick.closest<HTMLElement>('[data-testid="column"], [data-testid="sidebar"]');
        const limit = container?.getBoundingClientRect();
        const outside = [...quick.querySelectorAll<HTMLElement>('*')]
          .filter((element) => {
            const box = element.getBoundingClientRect();
            return limit && box.width > 0 && (box.right > limit.right + 0.5 || box.left < limit.left - 0.5);
          })
          .map((element) => element.className || element.tagName);
        return {
          outside,
          choices: quick.querySelectorAll('.quick-answer-choice').length,
          scrolls: quick.scrollWidth - quick.clientWidth,
          height: quick.getBoundingClientRect().height,
        };
      }),
    );
    expect(boxes).toHaveLength(2);
    for (const box of boxes) {
      expect(box.outside).toEqual([]);
      expect(box.scrolls).toBeLessThanOrEqual(0);
      expect(box.choices).toBe(3);
      // One line per choice, one for the prompt, the "More…" and the badge: no wall of text on the board.
      expect(box.height).toBeLessThan(200);
    }
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1024);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'More…' }).count()).toBe(2);
    expect(errors).toEqual([]);
  });
});
