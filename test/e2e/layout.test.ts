/**
 * The main window's layout in Chromium against a real hub: the board/panes
 * splitter (pointer and keyboard, remembered across a reload), the board
 * collapsed, a pane maximised, the layout keys, no page scroll at the three
 * sizes people use, and board columns that stay put across projects.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { RunningHub } from '../../src/server/index';
import { WEB_ROOT } from '../helpers/browser';
import { useWebEditionSuite } from '../helpers/web-suite';
import { startTestHub, token } from '../helpers/hub';

const suite = useWebEditionSuite();
const { executable, cleanup } = suite;
let page: Page;

async function hub(): Promise<RunningHub> {
  const running = await startTestHub({ webRoot: WEB_ROOT, outputBatch: { intervalMs: 20 } });
  cleanup.push(() => running.close());
  return running;
}

const WEB_STATUSES = ['backlog', 'todo', 'in_progress', 'in_review', 'blocked', 'done'];

/** Project `web` uses every known status, with long titles; project `api` has a to-do and (optionally) a status of its own. */
async function seed(running: RunningHub, agents: string[] = [], { spike = true } = {}): Promise<void> {
  let n = 0;
  for (const status of WEB_STATUSES) {
    for (let i = 0; i < 4; i++) {
      n++;
      await running.hub.publish('project:web', 'issue_created', {
        issueId: String(n),
        projectId: 'web',
        title: `Issue number ${n} with a title long enough to need two lines on any card`,
        status,
        stage: 'plan',
      });
    }
  }
  await running.hub.publish('project:api', 'issue_created', {
    issueId: 'a1',
    projectId: 'api',
    title: 'An api issue',
    status: 'todo',
  });
  if (spike) {
    await running.hub.publish('project:api', 'issue_created', {
      issueId: 'a2',
      projectId: 'api',
      title: 'A spike',
      status: 'spike',
    });
  }
  for (const agentId of agents) {
    await running.hub.publish('project:web', 'agent_status', { agentId, status: 'working', projectId: 'web' });
    running.hub.streamAgentOutput(agentId, `hello from ${agentId}\r\n`);
  }
}

async function open(url: string, viewport = { width: 1440, height: 900 }): Promise<Page> {
  page = await suite.browser.newPage({ viewport });
  page.setDefaultTimeout(60_000);
  cleanup.push(() => page.close());
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  cleanup.push(() => expect(errors).toEqual([]));
  await page.goto(`${url}/#token=${await token()}`);
  await page.waitForSelector('[data-testid="issue-card"]');
  return page;
}

async function openPane(agentId: string): Promise<void> {
  await page.click(`[data-testid="agent-row"][data-agent-id="${agentId}"]`);
  await page.waitForSelector(`[data-testid="agent-pane"][data-agent-id="${agentId}"] .xterm-rows`);
}

const height = (selector: string) =>
  page.$eval(selector, (element) => Math.round(element.getBoundingClientRect().height));
const splitterValue = async () => Number(await page.getAttribute('[role="separator"]', 'aria-valuenow'));
const paneVisible = (agentId: string) =>
  page.$eval(`[data-testid="agent-pane"][data-agent-id="${agentId}"]`, (pane) => pane.checkVisibility());

/** The page itself never scrolls: its scrolling element is no bigger than the viewport. */
function pageOverflow(): Promise<{ width: number; height: number; viewportWidth: number; viewportHeight: number }> {
  return page.evaluate(() => {
    const root = document.scrollingElement ?? document.documentElement;
    return {
      width: root.scrollWidth,
      height: root.scrollHeight,
      viewportWidth: window.innerWidth,
      viewportHeight: window.innerHeight,
    };
  });
}

const columnStatuses = () =>
  page.$$eval('.board-column', (columns) => columns.map((column) => column.getAttribute('data-status')));

describe.skipIf(!executable)('Layout in Chromium against a real hub', { timeout: 180_000 }, () => {
  it('resizes the board with the splitter by pointer and keyboard, and remembers it across a reload', async () => {
    const running = await hub();
    await seed(running, ['opus-1']);
    await open(running.url);
    await openPane('opus-1');
    const splitter = page.locator('[role="separator"]');
    expect(await splitter.getAttribute('aria-orientation')).toBe('horizontal');
    expect(await splitter.getAttribute('aria-controls')).toBe('board-area');
    expect(await splitter.getAttribute('aria-valuemin')).toBe('15');
    expect(await splitter.getAttribute('aria-valuemax')).toBe('85');
    expect(await splitterValue()).toBe(42);
    const boardBefore = await height('#board-area');
    const panesBefore = await height('.panes-area');

    // Drag it down by 150 px: the board grows and the panes shrink by as much.
    const box = (await splitter.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + 75, { steps: 4 });
    await page.mouse.move(box.x + box.width / 2, box.y + 150, { steps: 4 });
    await page.mouse.up();
    await page.waitForFunction(
      (before) => document.getElementById('board-area')!.offsetHeight > before + 100,
      boardBefore,
    );
    expect(await height('.panes-area')).toBeLessThan(panesBefore - 100);
    const dragged = await splitterValue();
    expect(dragged).toBeGreaterThan(50);

    // Keyboard: it took focus with the drag; Up moves it 5 points, Home and End to the bounds, Enter resets.
    await page.keyboard.press('ArrowUp');
    expect(Math.abs((await splitterValue()) - (dragged - 5))).toBeLessThanOrEqual(1);
    await page.keyboard.press('End');
    expect(await splitterValue()).toBe(85);
    await page.keyboard.press('Home');
    expect(await splitterValue()).toBe(15);
    expect(await height('#board-area')).toBeLessThan(boardBefore);
    await page.keyboard.press('Enter');
    expect(await splitterValue()).toBe(42);
    await splitter.dblclick();
    expect(await splitterValue()).toBe(42);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await splitterValue()).toBe(52);
    const boardAt52 = await height('#board-area');

    await page.reload();
    await page.waitForSelector('[data-testid="agent-pane"][data-agent-id="opus-1"]');
    expect(await splitterValue()).toBe(52);
    expect(Math.abs((await height('#board-area')) - boardAt52)).toBeLessThanOrEqual(2);
  });

  it('collapses the board with its button and with b, gives the room to the panes, and remembers it', async () => {
    const running = await hub();
    await seed(running, ['opus-1']);
    await open(running.url);
    // No pane yet: the board takes most of the height, the pane area keeps just its bar and hint.
    const main = await height('.app-main');
    expect(await height('#board-area')).toBeGreaterThan(main * 0.7);
    expect(await page.locator('[role="separator"]').count()).toBe(0);

    await openPane('opus-1');
    const toggle = page.getByRole('button', { name: 'Board', exact: true });
    expect(await toggle.getAttribute('aria-expanded')).toBe('true');
    const panesSplit = await height('.panes-area');
    await toggle.click();
    await page.waitForSelector('#board-area[hidden]', { state: 'attached' });
    expect(await toggle.getAttribute('aria-expanded')).toBe('false');
    expect(await page.locator('[data-testid="issue-card"]').count()).toBe(0);
    expect(await height('.panes-area')).toBeGreaterThan(panesSplit + 200);
    expect(await height('.panes-area')).toBeGreaterThanOrEqual(main - 2);

    await page.reload();
    await page.waitForSelector('[data-testid="agent-pane"][data-agent-id="opus-1"]');
    expect(await page.getByRole('button', { name: 'Board', exact: true }).getAttribute('aria-expanded')).toBe('false');

    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('b');
    await page.waitForSelector('[data-testid="issue-card"]');
    // A letter typed into the filter stays text.
    await page.locator('.filter-text').press('b');
    expect(await page.locator('.filter-text').inputValue()).toBe('b');
    expect(await page.getByRole('button', { name: 'Board', exact: true }).getAttribute('aria-expanded')).toBe('true');
  });

  it('maximises the focused pane with Ctrl+Shift+Enter from its terminal, keeps the others running, and restores', async () => {
    const running = await hub();
    await seed(running, ['opus-1', 'opus-2', 'opus-3']);
    await open(running.url);
    for (const agentId of ['opus-1', 'opus-2', 'opus-3']) await openPane(agentId);
    const area = await page.$eval('.pane-grid', (grid) => grid.getBoundingClientRect().width);
    await page.click('[data-testid="agent-pane"][data-agent-id="opus-2"] .xterm-screen');
    expect(await page.evaluate(() => document.activeElement?.className)).toContain('xterm-helper-textarea');

    await page.keyboard.press('Control+Shift+Enter');
    await page.waitForSelector('.pane-grid-root[data-maximized="true"]');
    expect(await paneVisible('opus-2')).toBe(true);
    expect(await paneVisible('opus-1')).toBe(false);
    expect(await paneVisible('opus-3')).toBe(false);
    const width = await page.$eval(
      '[data-testid="agent-pane"][data-agent-id="opus-2"]',
      (pane) => pane.getBoundingClientRect().width,
    );
    expect(width).toBeGreaterThan(area * 0.9);
    // Hidden panes stay mounted and keep their output.
    running.hub.streamAgentOutput('opus-1', 'written while hidden\r\n');

    // The key again (focus is still in the terminal) restores.
    await page.keyboard.press('Control+Shift+Enter');
    await page.waitForSelector('.pane-grid-root:not([data-maximized])');
    expect(await paneVisible('opus-1')).toBe(true);
    await page.waitForFunction(() =>
      (document.querySelector('[data-testid="agent-pane"][data-agent-id="opus-1"] .xterm-rows')?.textContent ?? '')
        .replace(/\u00a0/g, ' ')
        .includes('written while hidden'),
    );

    // Maximised again, the Restore button in the pane bar restores too.
    await page.keyboard.press('Control+Shift+Enter');
    await page.getByRole('button', { name: 'Restore' }).click();
    await page.waitForSelector('.pane-grid-root:not([data-maximized])');
    expect(await paneVisible('opus-3')).toBe(true);
  });

  it('closes the focused pane with Ctrl+Shift+X, switches grid and tabs with g, focuses the project with p, opens Settings with Ctrl+,', async () => {
    const running = await hub();
    await seed(running, ['opus-1', 'opus-2']);
    await open(running.url);
    await openPane('opus-1');
    await openPane('opus-2');
    await page.click('[data-testid="agent-pane"][data-agent-id="opus-2"] .xterm-screen');
    await page.keyboard.press('Control+Shift+X');
    await page.waitForSelector('[data-testid="agent-pane"][data-agent-id="opus-2"]', { state: 'detached' });
    expect(await page.locator('[data-testid="agent-pane"]').count()).toBe(1);

    // Letters act outside text fields, and a terminal's input is one: leave it.
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await page.keyboard.press('g');
    await page.waitForSelector('.pane-grid-root[data-mode="tabs"]');
    await page.keyboard.press('g');
    await page.waitForSelector('.pane-grid-root[data-mode="grid"]');

    await page.keyboard.press('p');
    expect(await page.evaluate(() => document.activeElement?.closest('.project-switcher') !== null)).toBe(true);

    await page.keyboard.press('Control+,');
    await page.waitForSelector('dialog[open]');
    // With the dialog open, the letters are the dialog's.
    await page.keyboard.press('b');
    expect(
      await page.getByRole('button', { name: 'Board', exact: true, includeHidden: true }).getAttribute('aria-expanded'),
    ).toBe('true');
  });

  it('never scrolls the page at 1024×700, 1440×900 and 1920×1080, with the board and panes both full', async () => {
    const running = await hub();
    const agents = ['opus-1', 'opus-2', 'opus-3', 'opus-4'];
    await seed(running, agents);
    // One agent waits, so the header carries its widest form (the attention button too).
    await running.hub.publish('project:web', 'agent_status', {
      agentId: 'opus-5',
      status: 'waiting_for_input',
      projectId: 'web',
    });
    await open(running.url, { width: 1024, height: 700 });
    await page.waitForSelector('[data-testid="attention-toggle"][data-count="1"]');
    for (const agentId of agents) await openPane(agentId);
    for (const viewport of [
      { width: 1024, height: 700 },
      { width: 1440, height: 900 },
      { width: 1920, height: 1080 },
    ]) {
      await page.setViewportSize(viewport);
      await page.waitForFunction(({ width }) => window.innerWidth === width, viewport);
      const size = await pageOverflow();
      const label = `${viewport.width}×${viewport.height}: ${JSON.stringify(size)}`;
      expect(size.width, label).toBeLessThanOrEqual(viewport.width);
      expect(size.height, label).toBeLessThanOrEqual(viewport.height);
      // The header keeps to one row: no control starts below the bottom of the highest one.
      const wrapped = await page.$eval('.app-header', (header) => {
        const boxes = [...header.children]
          .map((child) => child.getBoundingClientRect())
          .filter((box) => box.width > 1 && box.height > 1);
        const firstBottom = Math.min(...boxes.map((box) => box.bottom));
        return boxes.filter((box) => box.top >= firstBottom).length;
      });
      expect(wrapped, `${label}: header controls on a second row`).toBe(0);
    }
  });

  it('keeps the same board columns whatever project is selected; past the width, the board scrolls, not the page', async () => {
    const running = await hub();
    await seed(running);
    await open(running.url, { width: 1024, height: 700 });
    await page.waitForSelector('.board-column[data-status="spike"]');
    const select = page.locator('.project-switcher select');
    await select.selectOption('web');
    await page.waitForSelector('[data-testid="issue-card"][data-issue-id="1"]');
    const web = await columnStatuses();
    expect(web).toEqual([...WEB_STATUSES, 'spike']);
    await select.selectOption('api');
    await page.waitForSelector('[data-testid="issue-card"][data-issue-id="a1"]');
    expect(await columnStatuses()).toEqual(web);
    // Seven columns do not fit in 1024 px: the board's row scrolls sideways within itself.
    const row = await page.$eval('.board-columns', (element) => ({
      scrollWidth: element.scrollWidth,
      clientWidth: element.clientWidth,
    }));
    expect(row.scrollWidth).toBeGreaterThan(row.clientWidth);
    expect((await pageOverflow()).width).toBeLessThanOrEqual(1024);
    await page.locator('.board-column[data-status="spike"]').scrollIntoViewIfNeeded();
    expect(await page.locator('.board-column[data-status="spike"]').isVisible()).toBe(true);
  });

  it('fits the six workflow columns in the board at 1440 px, with the agents list beside it', async () => {
    const running = await hub();
    await seed(running, ['opus-1'], { spike: false });
    await open(running.url, { width: 1440, height: 900 });
    await page.locator('.project-switcher select').selectOption('web');
    await page.waitForSelector('[data-testid="issue-card"][data-issue-id="1"]');
    expect(await columnStatuses()).toEqual(WEB_STATUSES);
    const row = await page.$eval('.board-columns', (element) => element.scrollWidth <= element.clientWidth);
    expect(row).toBe(true);
    const agents = await page.$eval('.agents-area', (element) => element.getBoundingClientRect().width);
    expect(agents).toBeGreaterThanOrEqual(260);
  });
});
