import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RunningHub } from '../../src/server/index';
import { WEB_ROOT } from '../helpers/browser';
import { useWebEditionSuite } from '../helpers/web-suite';
import { startTestHub, token } from '../helpers/hub';

const suite = useWebEditionSuite();
const { executable, cleanup } = suite;
let page: Page;

/** Publishes an issue event as falcon-pm's realtime design does: on the issue's channel and its project's. */
async function issueEvent(running: RunningHub, event: string, data: Record<string, unknown>): Promise<void> {
  const payload = { issueId: '42', projectId: 'web', ...data };
  await running.hub.publish('issue:42', event, payload);
  await running.hub.publish('project:web', event, payload);
}

const CARD = '[data-testid="issue-card"][data-issue-id="42"]';
const DRAWER = '[data-testid="issue-drawer"]';

function timeline(): Promise<string[]> {
  return page.$$eval(`${DRAWER} [data-testid="issue-timeline"] .issue-drawer-change`, (items) =>
    items.map((item) => item.textContent ?? ''),
  );
}

describe.skipIf(!executable)('Issue details in Chromium against a real hub', { timeout: 180_000 }, () => {
  it('shows fields and the timeline from history after a reload, opens the agent pane, and closes on Escape', async () => {
    const running = await startTestHub({ webRoot: WEB_ROOT });
    cleanup.push(() => running.close());
    await issueEvent(running, 'issue_created', { title: 'Checkout page', status: 'todo', stage: 'plan' });
    await issueEvent(running, 'agent_assigned', { agentId: 'agent-x' });
    await issueEvent(running, 'status_changed', { oldStatus: 'todo', newStatus: 'in_progress' });
    await issueEvent(running, 'stage_changed', { oldStage: 'plan', newStage: 'implement' });
    await running.hub.publish('project:web', 'agent_status', {
      agentId: 'agent-x',
      status: 'working',
      issueId: '42',
      projectId: 'web',
    });

    page = await suite.browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(60_000);
    cleanup.push(() => page.close());
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    cleanup.push(() => expect(errors).toEqual([]));
    await page.goto(`${running.url}/#token=${await token()}`);
    await page.waitForSelector(CARD);
    // A fresh page: nothing of the issue's past was received live, so the timeline must come from the hub.
    await page.reload();
    await page.waitForSelector(`${CARD}[data-status="in_progress"]`);

    await page.click(`${CARD} .issue-card-title`);
    const drawer = await page.waitForSelector(`${DRAWER}[role="dialog"]`);
    expect(await drawer.getAttribute('aria-modal')).toBe('false');
    await page.waitForFunction((selector) => document.activeElement?.matches(selector), DRAWER);
    const fields = await page.$$eval(`${DRAWER} dl > div`, (rows) =>
      Object.fromEntries(
        rows.map((row) => [row.querySelector('dt')?.textContent, row.querySelector('dd')?.textContent]),
      ),
    );
    expect(fields).toMatchObject({ Project: 'web', Status: 'In progress', Stage: 'implement', Agent: 'agent-x' });
    expect(await page.textContent(`${DRAWER} h2`)).toContain('Checkout page');

    await page.waitForFunction(
      (selector) => document.querySelectorAll(`${selector} [data-testid="issue-timeline"] li`).length >= 4,
      DRAWER,
    );
    expect(await timeline()).toEqual([
      'Created in To do',
      'Assigned to agent-x',
      'Status To do → In progress',
      'Stage plan → implement',
    ]);

    // A live change lands once, though it arrives on both the issue's and the project's channel.
    await issueEvent(running, 'status_changed', { oldStatus: 'in_progress', newStatus: 'in_review' });
    await page.waitForFunction(
      (selector) => document.querySelectorAll(`${selector} [data-testid="issue-timeline"] li`).length >= 5,
      DRAWER,
    );
    await page.waitForSelector(`${CARD}[data-status="in_review"]`);
    expect((await timeline()).slice(4)).toEqual(['Status In progress → In review']);
    if (process.env.DRAWER_SCREENSHOT) await page.screenshot({ path: process.env.DRAWER_SCREENSHOT });

    await page.click(`${DRAWER} button:has-text("Open agent-x's pane")`);
    await page.waitForSelector('[data-testid="agent-pane"][data-agent-id="agent-x"]');

    await page.focus(`${DRAWER} button[aria-label="Close issue details"]`);
    await page.keyboard.press('Escape');
    await page.waitForSelector(DRAWER, { state: 'detached' });
    await page.waitForFunction((selector) => document.activeElement?.matches(selector), CARD);
  });

  it('opens the details on Enter and the agent pane on o from a focused card', async () => {
    const running = await startTestHub({ webRoot: WEB_ROOT });
    cleanup.push(() => running.close());
    await issueEvent(running, 'issue_created', { title: 'Search box', status: 'todo', agentId: 'agent-y' });
    page = await suite.browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.setDefaultTimeout(60_000);
    cleanup.push(() => page.close());
    await page.goto(`${running.url}/#token=${await token()}`);
    await page.focus(CARD);
    await page.keyboard.press('Enter');
    await page.waitForSelector(DRAWER);
    expect(await page.$('[data-testid="agent-pane"]')).toBeNull();
    await page.keyboard.press('Escape');
    await page.waitForSelector(DRAWER, { state: 'detached' });
    await page.waitForFunction((selector) => document.activeElement?.matches(selector), CARD);
    await page.keyboard.press('o');
    await page.waitForSelector('[data-testid="agent-pane"][data-agent-id="agent-y"]');
    expect(await page.$(DRAWER)).toBeNull();
  });
});
