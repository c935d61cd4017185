import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RunningHub } from '../../src/server/index';
import { WEB_ROOT } from '../helpers/browser';
import { useWebEditionSuite } from '../helpers/web-suite';
import { startTestHub, token } from '../helpers/hub';

/**
 * Issue 16, findings 6 and 7, in the web edition against real hubs: a hub
 * restarted on the same port reloads the board (what the new hub does not
 * know goes, with a notice), and while the page is not connected what it
 * shows looks stale; a token close to its expiry is warned about.
 */
const suite = useWebEditionSuite();
const { executable, cleanup } = suite;
let page: Page;

async function hub(port = 0): Promise<RunningHub> {
  const running = await startTestHub({ port, webRoot: WEB_ROOT, outputBatch: { intervalMs: 20 } });
  cleanup.push(() => running.close());
  return running;
}

async function seed(running: RunningHub, issues: string[], agents: string[], extraProject = false): Promise<void> {
  for (const id of issues) {
    await running.hub.publish('project:web', 'issue_created', {
      issueId: id,
      projectId: 'web',
      title: `Issue number ${id}`,
      status: 'in_progress',
      stage: 'implement',
    });
  }
  for (const [index, agentId] of agents.entries()) {
    await running.hub.publish('project:web', 'agent_status', {
      agentId,
      status: 'working',
      issueId: issues[index % issues.length],
      projectId: 'web',
    });
  }
  if (extraProject) {
    await running.hub.publish('project:zeta', 'issue_created', { issueId: '90', projectId: 'zeta', title: 'Old work' });
  }
}

async function open(url: string, tokenValue: string, viewport = { width: 1440, height: 900 }): Promise<Page> {
  page = await suite.browser.newPage({ viewport });
  // Chromium shares two cores with the other helpers' hubs: every step waits for its event up to a minute.
  page.setDefaultTimeout(60_000);
  cleanup.push(() => page.close());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  cleanup.push(() => expect(errors).toEqual([]));
  await page.goto(`${url}/#token=${tokenValue}`);
  return page;
}

const agentIds = () =>
  page.$$eval('[data-testid="agent-row"]', (rows) => rows.map((row) => (row as HTMLElement).dataset.agentId).sort());
const issueIds = () =>
  page.$$eval('[data-testid="issue-card"]', (cards) =>
    cards.map((card) => (card as HTMLElement).dataset.issueId).sort(),
  );
const projectOptions = () =>
  page.$$eval('.project-switcher option', (options) => options.map((option) => (option as HTMLOptionElement).value));

describe.skipIf(!executable)('web edition: honest state', () => {
  it('after a hub restart, reloads the board from the new hub with a notice, and looked stale meanwhile', async () => {
    let running = await hub();
    const port = running.port;
    await seed(running, ['1', '2', '3'], ['opus-1', 'ghost'], true);
    await open(running.url, await token());
    await page.waitForSelector('[data-testid="connection-banner"][data-status="open"]');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="issue-card"]').length === 3);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="agent-row"]').length === 2);
    await page.waitForFunction(() => document.querySelectorAll('.project-switcher option').length === 2);
    expect(await page.getAttribute('html', 'data-stale')).toBeNull();
    const badge = '[data-testid="agent-row"][data-agent-id="opus-1"] .agent-status';
    expect(await page.getAttribute(badge, 'data-stale')).toBeNull();

    await running.close();
    await page.waitForSelector('[data-testid="connection-banner"][data-status="reconnecting"]');
    // Not connected: dimmed, and the status says it is what was last known.
    await page.waitForSelector('html[data-stale="true"]');
    expect(await page.getAttribute(badge, 'data-stale')).toBe('true');
    expect(await page.textContent(badge)).toMatch(/Working.*· as of \d\d:\d\d/);
    expect(await page.textContent('[data-testid="connection-banner"]')).toMatch(
      /Connection lost at \d\d:\d\d.*Showing what was known at \d\d:\d\d/,
    );
    const opacity = await page.$eval('[data-testid="agent-row"]', (row) => getComputedStyle(row).opacity);
    expect(Number(opacity)).toBeLessThan(1);
    await page.screenshot({ path: '/tmp/honest-stale.png' });

    // The new hub knows issues 1 and 2 and agent opus-1; not issue 3, agent "ghost" or project "zeta".
    running = await hub(port);
    await seed(running, ['1', '2'], ['opus-1']);
    await page.evaluate(() =>
      document.querySelector<HTMLButtonElement>('[data-testid="connection-banner"] button')?.click(),
    );
    await page.waitForSelector('[data-testid="connection-banner"][data-status="open"]');
    await page.waitForSelector('[data-testid="reload-notice"]');
    expect(await page.textContent('[data-testid="reload-notice"]')).toContain(
      'The hub restarted; the board was reloaded from it',
    );
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="issue-card"]').length === 2);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="agent-row"]').length === 1);
    expect(await issueIds()).toEqual(['1', '2']);
    expect(await agentIds()).toEqual(['opus-1']);
    await page.waitForFunction(() => document.querySelectorAll('.project-switcher option').length === 1);
    expect(await projectOptions()).toEqual(['web']);
    expect(await page.getAttribute('html', 'data-stale')).toBeNull();
    await page.screenshot({ path: '/tmp/honest-restart.png' });

    await page.click('[data-testid="reload-notice"] button');
    await page.waitForSelector('[data-testid="reload-notice"]', { state: 'detached' });
  }, 240_000);

  it('warns before the token expires', async () => {
    const running = await hub();
    await seed(running, ['1'], ['opus-1']);
    await open(running.url, await token({ ttlSeconds: 5 * 60 }));
    await page.waitForSelector('[data-testid="connection-banner"][data-status="open"]');
    await page.waitForSelector('[data-testid="token-expiry-warning"]');
    expect(await page.textContent('[data-testid="token-expiry-warning"]')).toMatch(
      /Your token expires in [45] min .* sign in again/,
    );
    await page.screenshot({ path: '/tmp/honest-token-warning.png' });
  }, 120_000);

  it('does not warn about a token with a day left', async () => {
    const running = await hub();
    await seed(running, ['1'], ['opus-1']);
    await open(running.url, await token());
    await page.waitForSelector('[data-testid="connection-banner"][data-status="open"]');
    await page.waitForSelector('[data-testid="agent-row"]');
    expect(await page.$('[data-testid="token-expiry-warning"]')).toBeNull();
  }, 120_000);

  it('holds the agent order under the pointer and keyboard focus, but not after a click once the pointer has left', async () => {
    const running = await hub();
    await seed(running, ['1', '2', '3'], ['agent-1', 'agent-2', 'agent-3']);
    await open(running.url, await token());
    const order = () =>
      page.$$eval('[data-testid="agent-row"]', (rows) => rows.map((row) => (row as HTMLElement).dataset.agentId));
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="agent-row"]').length === 3);
    expect(await order()).toEqual(['agent-1', 'agent-2', 'agent-3']);

    // Under the pointer, a status change does not move the rows.
    await page.hover('[data-testid="agent-row"][data-agent-id="agent-2"]');
    await running.hub.publish('project:web', 'agent_status', { agentId: 'agent-3', status: 'waiting_for_input' });
    await page.waitForSelector('[data-testid="agent-row"][data-agent-id="agent-3"][data-status="waiting_for_input"]');
    expect(await order()).toEqual(['agent-1', 'agent-2', 'agent-3']);

    // A click opens the pane and leaves focus on the row; once the pointer leaves, the list sorts again.
    await page.click('[data-testid="agent-row"][data-agent-id="agent-2"]');
    await page.waitForSelector('[data-testid="agent-pane"][data-agent-id="agent-2"]');
    await page.mouse.move(2, 2);
    await page.waitForFunction(
      () => (document.querySelector('[data-testid="agent-row"]') as HTMLElement | null)?.dataset.agentId === 'agent-3',
    );
    expect(await order()).toEqual(['agent-3', 'agent-1', 'agent-2']);

    // Keyboard focus (j/k) holds it while it stays in the list.
    await page.focus('[data-testid="agent-row"][data-agent-id="agent-3"]');
    await page.keyboard.press('j');
    await running.hub.publish('project:web', 'agent_status', { agentId: 'agent-2', status: 'failed' });
    await page.waitForSelector('[data-testid="agent-row"][data-agent-id="agent-2"][data-status="failed"]');
    expect(await order()).toEqual(['agent-3', 'agent-1', 'agent-2']);
  }, 120_000);
});
