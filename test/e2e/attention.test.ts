import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RunningHub } from '../../src/server/index';
import { WEB_ROOT } from '../helpers/browser';
import { useWebEditionSuite } from '../helpers/web-suite';
import { startTestHub, token } from '../helpers/hub';

const suite = useWebEditionSuite();
const { executable, cleanup } = suite;
const AGENTS = ['opus-1', 'opus-2', 'opus-3'];
let page: Page;

async function hub(): Promise<RunningHub> {
  const running = await startTestHub({ port: 0, webRoot: WEB_ROOT, outputBatch: { intervalMs: 20 } });
  cleanup.push(() => running.close());
  await running.hub.publish('project:web', 'issue_created', {
    issueId: '1',
    projectId: 'web',
    title: 'Issue number 1',
    status: 'in_progress',
  });
  for (const agentId of AGENTS) await setStatus(running, agentId, 'working');
  return running;
}

function setStatus(running: RunningHub, agentId: string, status: string, message?: string): Promise<unknown> {
  return running.hub.publish('project:web', 'agent_status', {
    agentId,
    status,
    issueId: '1',
    projectId: 'web',
    ...(message ? { message } : {}),
  });
}

/**
 * Opens the page in its own context. `recordNotifications` grants the
 * permission and wraps the browser's Notification constructor so the test
 * sees each notification the page creates (the real one is still created).
 */
async function open(running: RunningHub, recordNotifications = false): Promise<Page> {
  const context: BrowserContext = await suite.browser.newContext({ viewport: { width: 1400, height: 900 } });
  cleanup.push(() => context.close());
  if (recordNotifications) {
    await context.grantPermissions(['notifications'], { origin: running.url });
    await context.addInitScript(() => {
      const Original = window.Notification;
      const record = window as unknown as {
        shown: Array<{ title: string; body?: string; tag?: string }>;
        notifications: Notification[];
        permissionRequests: number;
      };
      record.shown = [];
      record.notifications = [];
      record.permissionRequests = 0;
      class Recorded extends Original {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          record.shown.push({ title, body: options?.body, tag: options?.tag });
          record.notifications.push(this);
        }
        static override requestPermission(): Promise<NotificationPermission> {
          record.permissionRequests++;
          return Original.requestPermission();
        }
      }
      window.Notification = Recorded;
    });
  }
  page = await context.newPage();
  // Chromium shares two cores with hubs and other helpers: every step waits for its event up to a minute.
  page.setDefaultTimeout(60_000);
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  cleanup.push(() => expect(errors).toEqual([]));
  await page.goto(`${running.url}/#token=${await token()}`);
  for (const agentId of AGENTS) await page.waitForSelector(`[data-testid="agent-row"][data-agent-id="${agentId}"]`);
  return page;
}

/** Waits for the tab title; on a timeout says which title the page had instead. */
async function waitForTitle(title: string): Promise<void> {
  try {
    await page.waitForFunction((wanted) => document.title === wanted, title);
  } catch (error) {
    throw new Error(`title is "${await page.title()}", not "${title}"`, { cause: error });
  }
}
const favicon = () => page.evaluate(() => document.querySelector('link#favicon')?.getAttribute('href') ?? '');

/** Waits until the given agent's pane is the focused one, and says where keyboard focus is. */
async function waitForFocusedPane(agentId: string): Promise<'pane' | 'terminal' | 'elsewhere'> {
  const pane = `[data-testid="agent-pane"][data-agent-id="${agentId}"]`;
  await page.waitForSelector(`${pane}.focused`);
  await page.waitForFunction((selector) => document.querySelector(selector)?.contains(document.activeElement), pane);
  return page.evaluate((selector) => {
    const active = document.activeElement;
    if (active === document.querySelector(selector)) return 'pane';
    return active?.closest('.xterm') ? 'terminal' : 'elsewhere';
  }, pane);
}

describe.skipIf(!executable)('Attention queue in Chromium against a real hub', { timeout: 180_000 }, () => {
  it('jumps oldest first with a, marks handled with h, and counts in the title and the favicon', async () => {
    const running = await hub();
    await open(running);
    expect(await page.title()).toBe('Falcon Monitor');
    const plainIcon = await favicon();

    // Oldest first is not alphabetical here: opus-3 waits first, then opus-1 fails, then opus-2 waits.
    await setStatus(running, 'opus-3', 'waiting_for_input', 'Run the migration?');
    await waitForTitle('(1) Falcon Monitor');
    const oneIcon = await favicon();
    expect(oneIcon).not.toBe(plainIcon);
    expect(decodeURIComponent(oneIcon)).toContain('>1</text>');
    await setStatus(running, 'opus-1', 'failed', 'tests failed');
    await waitForTitle('(2) Falcon Monitor');
    await setStatus(running, 'opus-2', 'waiting_for_input');
    await waitForTitle('(3) Falcon Monitor');
    expect(decodeURIComponent(await favicon())).toContain('>3</text>');
    await page.waitForSelector('[data-testid="attention-toggle"][data-count="3"]');
    expect(await page.textContent('[data-testid="attention-toggle"]')).toContain('3 need you');

    await page.locator('body').click({ position: { x: 700, y: 880 } });
    await page.keyboard.press('a');
    expect(await waitForFocusedPane('opus-3')).toBe('pane');
    await page.keyboard.press('a');
    expect(await waitForFocusedPane('opus-1')).toBe('pane');

    // From a terminal, where `a` would be typing, Ctrl+Shift+A jumps and lands in the next terminal.
    await page.click('[data-testid="agent-pane"][data-agent-id="opus-1"] .xterm-screen');
    await page.keyboard.press('Control+Shift+A');
    expect(await waitForFocusedPane('opus-2')).toBe('terminal');

    // The header menu lists the queue oldest first; its button marks one handled.
    await page.click('[data-testid="attention-toggle"]');
    const rows = () =>
      page.$$eval('[data-testid="attention-row"]', (items) => items.map((item) => item.getAttribute('data-agent-id')));
    expect(await rows()).toEqual(['opus-3', 'opus-1', 'opus-2']);
    await page.click('button[aria-label="Mark opus-1 handled"]');
    await waitForTitle('(2) Falcon Monitor');
    expect(await rows()).toEqual(['opus-3', 'opus-2']);
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="attention-row"]', { state: 'detached' });

    // h marks the focused pane's agent: focus opus-2's pane itself (not its terminal) with a.
    await page.keyboard.press('a');
    expect(await waitForFocusedPane('opus-3')).toBe('pane');
    await page.keyboard.press('a');
    expect(await waitForFocusedPane('opus-2')).toBe('pane');
    await page.keyboard.press('h');
    await waitForTitle('(1) Falcon Monitor');
    await page.keyboard.press('a');
    expect(await waitForFocusedPane('opus-3')).toBe('pane');
    await page.keyboard.press('h');
    await waitForTitle('Falcon Monitor');
    await page.waitForFunction(
      (icon) => document.querySelector('link#favicon')?.getAttribute('href') === icon,
      plainIcon,
    );

    // A handled agent stays out while its status holds, and is back with its next wait.
    await setStatus(running, 'opus-3', 'waiting_for_input', 'Run the migration? (asked again)');
    await setStatus(running, 'opus-2', 'working');
    await setStatus(running, 'opus-2', 'waiting_for_input', 'A new question');
    await waitForTitle('(1) Falcon Monitor');
    await page.click('[data-testid="attention-toggle"]');
    expect(await rows()).toEqual(['opus-2']);
    await page.screenshot({ path: '/tmp/attention-menu.png' });
  });

  it('notifies in the browser once turned on in Settings, coalescing like the desktop, and a click opens the pane', async () => {
    const running = await hub();
    await open(running, true);
    const shown = () => page.evaluate(() => (window as unknown as { shown: Array<{ title: string }> }).shown);

    // Off by default: a wait only shows in the title.
    await setStatus(running, 'opus-1', 'waiting_for_input');
    await waitForTitle('(1) Falcon Monitor');
    await setStatus(running, 'opus-1', 'working');
    await waitForTitle('Falcon Monitor');

    await page.click('button:has-text("Settings")');
    const enable = page.getByLabel('Notify in this browser while this tab is open');
    await enable.check();
    await page.screenshot({ path: '/tmp/attention-settings.png' });
    await page.keyboard.press('Escape');
    // Granted in the context already: the page never had to ask, on load or on the click.
    expect(await page.evaluate(() => (window as unknown as { permissionRequests: number }).permissionRequests)).toBe(0);

    await setStatus(running, 'opus-1', 'waiting_for_input', 'Run the migration?');
    await page.waitForFunction(() => (window as unknown as { shown: unknown[] }).shown.length === 1);
    expect(await shown()).toEqual([
      { title: 'opus-1 needs your input', body: 'Run the migration?', tag: 'falcon:agent:opus-1' },
    ]);

    // Three changes together are one summary, as on the desktop.
    await Promise.all([
      setStatus(running, 'opus-2', 'failed', 'tests failed'),
      setStatus(running, 'opus-3', 'waiting_for_input'),
      setStatus(running, 'opus-1', 'failed'),
    ]);
    await page.waitForFunction(() => (window as unknown as { shown: unknown[] }).shown.length === 2);
    const summary = (await shown())[1] as { title: string; body: string; tag: string };
    expect(summary).toMatchObject({ title: '3 updates', tag: 'falcon:summary' });
    for (const part of ['opus-1 failed', 'opus-2 failed', 'opus-3 needs your input'])
      expect(summary.body).toContain(part);

    // The browser fires click on a notification the person clicks: the page opens that agent's pane.
    await page.evaluate(() =>
      (window as unknown as { notifications: Notification[] }).notifications[0].dispatchEvent(new Event('click')),
    );
    expect(await waitForFocusedPane('opus-1')).toBe('pane');
  });
});
