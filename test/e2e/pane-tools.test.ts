// Pane header and pane tools in the web edition, in Chromium, against a real hub (needs `npm run build`).
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RunningHub } from '../../src/server/index';
import { WEB_ROOT } from '../helpers/browser';
import { useWebEditionSuite } from '../helpers/web-suite';
import { startTestHub, token } from '../helpers/hub';

const suite = useWebEditionSuite();
const { executable, cleanup } = suite;
/** Where the screenshots go when PANE_TOOLS_SCREENSHOTS names a directory (for looking at them). */
const screenshots = process.env.PANE_TOOLS_SCREENSHOTS;
let page: Page;

const AGENTS = Array.from({ length: 9 }, (_, i) => `sonnet-reviewer-${i + 11}`);

async function hubWith(agents: string[]): Promise<RunningHub> {
  const running = await startTestHub({ port: 0, webRoot: WEB_ROOT, outputBatch: { intervalMs: 20 } });
  cleanup.push(() => running.close());
  await running.hub.publish('project:web', 'issue_created', {
    issueId: '1',
    projectId: 'web',
    title: 'Review the pane tools',
    status: 'in_progress',
    stage: 'review',
  });
  for (const agentId of agents) {
    await running.hub.publish('project:web', 'agent_status', {
      agentId,
      status: 'waiting_for_input',
      issueId: '1',
      projectId: 'web',
    });
  }
  return running;
}

async function open(url: string, width: number, height: number): Promise<Page> {
  const context = await suite.browser.newContext({ viewport: { width, height }, acceptDownloads: true });
  page = await context.newPage();
  // Chromium shares two cores with hubs and other suites: every step waits for its event up to a minute.
  page.setDefaultTimeout(60_000);
  cleanup.push(() => context.close());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  cleanup.push(() => expect(errors).toEqual([]));
  await page.goto(`${url}/#token=${await token()}`);
  return page;
}

async function openPane(agentId: string): Promise<void> {
  await page.click(`[data-testid="agent-row"][data-agent-id="${agentId}"]`);
  await page.waitForSelector(`[data-testid="agent-pane"][data-agent-id="${agentId}"] .xterm-rows`);
}

async function waitForPaneText(agentId: string, text: string): Promise<void> {
  await page.waitForFunction(
    ([id, wanted]) =>
      (document.querySelector(`[data-testid="agent-pane"][data-agent-id="${id}"] .xterm-rows`)?.textContent ?? '')
        .replace(/\u00a0/g, ' ')
        .includes(wanted),
    [agentId, text] as const,
  );
}

/** Each pane's id element: its text, and whether all of it is shown (nothing cut off by an ellipsis). */
function agentIds(): Promise<Array<{ text: string | null; fits: boolean }>> {
  return page.$$eval('.agent-pane-id', (elements) =>
    elements.map((element) => {
      // The laid-out text against the box: an ellipsis that cuts a fraction of a pixel still counts.
      const range = document.createRange();
      range.selectNodeContents(element);
      const box = element.getBoundingClientRect().width;
      const text = range.getBoundingClientRect().width;
      return {
        text: element.textContent,
        fits: box > 0 && text <= box + 0.01 && element.scrollWidth <= element.clientWidth,
      };
    }),
  );
}

describe.skipIf(!executable)('Pane tools in the web edition (Chromium, real hub)', { timeout: 180_000 }, () => {
  it.each([
    { panes: 9, width: 1440, height: 900 },
    { panes: 4, width: 1024, height: 700 },
  ])('shows every full agent id with $panes panes at $width×$height', async ({ panes, width, height }) => {
    const agents = AGENTS.slice(0, panes);
    const running = await hubWith(agents);
    await open(running.url, width, height);
    for (const agentId of agents) await openPane(agentId);
    // Output after the grid is complete: the panes are small (every agent waits, so each has its answer bar),
    // and what arrived before a pane shrank may have scrolled out of its few rows.
    for (const agentId of agents) running.hub.streamAgentOutput(agentId, `${agentId} is reviewing\r\n`);
    for (const agentId of agents) await waitForPaneText(agentId, `${agentId} is reviewing`);
    expect(await agentIds()).toEqual(agents.map((text) => ({ text, fits: true })));
    if (screenshots) await page.screenshot({ path: `${screenshots}/panetools-${panes}-panes-${width}x${height}.png` });
  });

  it('filters, saves and searches across panes with the hub streaming', async () => {
    const agents = AGENTS.slice(0, 2);
    const [a, b] = agents;
    const running = await hubWith(agents);
    await open(running.url, 1440, 900);
    running.hub.streamAgentOutput(a, 'build ok\r\nwarning: needle in A\r\ntests ok\r\n');
    running.hub.streamAgentOutput(b, 'compiling\r\nneedle found in B\r\n');
    await openPane(a);
    await openPane(b);
    await waitForPaneText(a, 'tests ok');
    await waitForPaneText(b, 'needle found in B');

    // Filter pane A (focus it first: pane keys act on the focused pane).
    const paneA = page.locator(`[data-testid="agent-pane"][data-agent-id="${a}"]`);
    await paneA.locator('.xterm-screen').click();
    await page.keyboard.press('Alt+l');
    await paneA.getByRole('searchbox', { name: 'Show only lines containing' }).fill('needle');
    await expect.poll(() => paneA.locator('.pane-filter-count').textContent()).toBe('1 of 3 lines');
    await page.waitForFunction(
      (id) =>
        !document
          .querySelector(`[data-testid="agent-pane"][data-agent-id="${id}"] .xterm-rows`)
          ?.textContent?.includes('tests ok'),
      a,
    );

    await page.keyboard.press('Alt+t');
    await page.waitForFunction(
      (id) =>
        /(\d\d:\d\d:\d\d|--:--:--)\swarning/.test(
          document.querySelector(`[data-testid="agent-pane"][data-agent-id="${id}"] .xterm-rows`)?.textContent ?? '',
        ),
      a,
    );
    if (screenshots) {
      await paneA.getByRole('button', { name: 'More pane tools' }).click();
      await page.getByRole('menu').waitFor();
      await page.screenshot({ path: `${screenshots}/panetools-filter-and-menu.png` });
      await page.keyboard.press('Escape');
    }
    await page.keyboard.press('Alt+t');

    // Saving while filtered keeps every line.
    const [download] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Control+s')]);
    const saved = await readFile(await download.path(), 'utf8');
    expect(saved).toContain('build ok\nwarning: needle in A\ntests ok');

    await paneA.getByRole('button', { name: 'Clear filter' }).click();
    await waitForPaneText(a, 'tests ok');

    // Search both panes and jump to B's match.
    await page.keyboard.press('Control+Shift+F');
    await page.getByRole('searchbox', { name: 'Search all panes' }).fill('needle');
    const matches = page.locator('.global-search-match');
    await expect.poll(() => matches.count()).toBe(2);
    if (screenshots) await page.screenshot({ path: `${screenshots}/panetools-search-all.png` });
    await page.locator(`.global-search-match[data-agent-id="${b}"]`).click();
    await page.waitForSelector(`[data-testid="agent-pane"][data-agent-id="${b}"].focused`);
    // The chosen pane has the keyboard, and its terminal selected the match.
    await expect
      .poll(() =>
        page.evaluate(() =>
          document.activeElement?.closest('[data-testid="agent-pane"]')?.getAttribute('data-agent-id'),
        ),
      )
      .toBe(b);
    await expect
      .poll(() =>
        page
          .locator(`[data-testid="agent-pane"][data-agent-id="${b}"] .xterm-selection div`)
          .count()
          .then((n) => n > 0),
      )
      .toBe(true);
  });
});
