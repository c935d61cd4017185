import type { Browser, Page } from 'puppeteer-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningHub } from '../../src/server/index';
import { WEB_ROOT, ensureWebBuild } from '../helpers/browser';
import { firefoxPath, launchFirefox } from '../helpers/firefox';
import { startTestHub, token } from '../helpers/hub';

/**
 * The web edition in Firefox (issue 16, finding 10), driven by puppeteer-core over WebDriver
 * BiDi against a real hub: what Chromium's suite (web-edition.test.ts) shows, in the other engine,
 * plus what only Firefox got wrong (a CSP violation at load, white scrollbars in the dark theme).
 */
const executable = firefoxPath();
let browser: Browser;
let page: Page;
const cleanup: Array<() => unknown> = [];

/** What the page reported about itself: CSP violations (event and console) and uncaught errors. */
interface PageReports {
  consoleErrors: string[];
  pageErrors: string[];
}

beforeAll(async () => {
  if (!executable) return;
  ensureWebBuild();
  browser = await launchFirefox(executable);
}, 180_000);
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

async function hub(): Promise<RunningHub> {
  const running = await startTestHub({ webRoot: WEB_ROOT, outputBatch: { intervalMs: 20 } });
  cleanup.push(() => running.close());
  return running;
}

async function seed(running: RunningHub, issues = 3): Promise<void> {
  for (let id = 1; id <= issues; id++) {
    await running.hub.publish('project:web', 'issue_created', {
      issueId: String(id),
      projectId: 'web',
      title: `Issue number ${id}`,
      status: 'todo',
      stage: 'plan',
    });
  }
  await running.hub.publish('project:web', 'agent_status', {
    agentId: 'opus-1',
    status: 'working',
    issueId: '1',
    projectId: 'web',
  });
}

async function open(url: string, tokenValue: string): Promise<PageReports> {
  page = await browser.newPage();
  // Firefox shares two cores with hubs and other browsers: every step waits for its condition up to a minute.
  page.setDefaultTimeout(60_000);
  cleanup.push(() => page.close());
  await page.setViewport({ width: 1400, height: 900 });
  const reports: PageReports = { consoleErrors: [], pageErrors: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') reports.consoleErrors.push(message.text());
  });
  // Firefox reports a CSP violation as an error in the page's log, which puppeteer passes on as a page error.
  page.on('pageerror', (error) => reports.pageErrors.push(error instanceof Error ? error.message : String(error)));
  // Before any script of the page runs: record every violation the document reports.
  await page.evaluateOnNewDocument(() => {
    const violations: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = violations;
    document.addEventListener('securitypolicyviolation', (event) =>
      violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`),
    );
  });
  await page.goto(`${url}/#token=${tokenValue}`);
  return reports;
}

function cspViolations(): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { cspViolations?: string[] }).cspViolations ?? ['(not recorded)']);
}

async function waitForPaneText(agentId: string, text: string): Promise<void> {
  await page.waitForFunction(
    (id: string, wanted: string) =>
      (document.querySelector(`[data-testid="agent-pane"][data-agent-id="${id}"] .xterm-rows`)?.textContent ?? '')
        .replace(/\u00a0/g, ' ')
        .includes(wanted),
    { polling: 100 },
    agentId,
    text,
  );
}

/** The scrollbar colours of the root and of every region that scrolls now, next to the theme's variables. */
function scrollbarColours(): Promise<{ expected: string; root: string; regions: string[]; width: string[] }> {
  return page.evaluate(() => {
    const resolve = (value: string): string => {
      const probe = document.createElement('span');
      probe.style.color = value;
      document.body.append(probe);
      const colour = getComputedStyle(probe).color;
      probe.remove();
      return colour;
    };
    const scrolling = [...document.querySelectorAll<HTMLElement>('body *')].filter((element) => {
      const style = getComputedStyle(element);
      return /auto|scroll/.test(style.overflowY) && element.scrollHeight > element.clientHeight;
    });
    return {
      expected: `${resolve('var(--scrollbar-thumb)')} ${resolve('var(--scrollbar-track)')}`,
      root: getComputedStyle(document.documentElement).scrollbarColor,
      regions: scrolling.map((element) => getComputedStyle(element).scrollbarColor),
      width: scrolling.map((element) => getComputedStyle(element).scrollbarWidth),
    };
  });
}

describe.skipIf(!executable)('Web edition in Firefox (WebDriver BiDi) against a real hub', { timeout: 180_000 }, () => {
  it('loads, connects, shows the board, and logs no CSP violation (zod runs jitless from the start)', async () => {
    const running = await hub();
    await seed(running);
    const reports = await open(running.url, await token());
    await page.waitForSelector('[data-testid="connection-banner"][data-status="open"]');
    expect(await page.$eval('[data-testid="connection-banner"]', (banner) => banner.textContent)).toMatch(/connected/i);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="issue-card"]').length === 3, {
      polling: 100,
    });
    expect(await page.$eval('[data-testid="issue-card"][data-issue-id="2"]', (card) => card.textContent)).toContain(
      'Issue number 2',
    );
    // A violation is reported in a task queued when it happens, long before the hub's snapshot arrived.
    expect(await cspViolations()).toEqual([]);
    expect(reports.consoleErrors.filter((text) => /Content-Security-Policy|CSP/i.test(text))).toEqual([]);
    expect(reports.pageErrors).toEqual([]);
  });

  it("streams an agent's output into its pane", async () => {
    const running = await hub();
    await seed(running);
    running.hub.streamAgentOutput('opus-1', 'history line A\r\nhistory line B\r\n');
    const reports = await open(running.url, await token());
    await page.click('[data-testid="agent-row"][data-agent-id="opus-1"]');
    await page.waitForSelector('[data-testid="agent-pane"][data-agent-id="opus-1"] .xterm-rows');
    await waitForPaneText('opus-1', 'history line B');
    running.hub.streamAgentOutput('opus-1', '\x1b[32mlive line C\x1b[0m\r\n');
    await waitForPaneText('opus-1', 'live line C');
    expect(reports.pageErrors).toEqual([]);
  });

  it('draws scrollbars in the theme colours, dark and light, on every region that scrolls', async () => {
    const running = await hub();
    // Enough cards that the To do column scrolls.
    await seed(running, 40);
    await open(running.url, await token());
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="issue-card"]').length === 40, {
      polling: 100,
    });

    const dark = await scrollbarColours();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(dark.root).not.toBe('auto');
    expect(dark.root).toBe(dark.expected);
    expect(dark.regions.length).toBeGreaterThan(0);
    for (const colour of dark.regions) expect(colour).toBe(dark.expected);
    for (const width of dark.width) expect(width).toBe('thin');

    // Switch the theme the way a person does: Settings → Appearance → Theme.
    await page.click('button::-p-text(Settings)');
    const themeSelect = await page.waitForSelector('label::-p-text(Theme) select');
    await themeSelect?.select('light');
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'light', { polling: 100 });
    await page.keyboard.press('Escape');

    const light = await scrollbarColours();
    expect(light.root).toBe(light.expected);
    expect(light.root).not.toBe(dark.root);
    for (const colour of light.regions) expect(colour).toBe(light.expected);
  });
});
