// The pane header and pane tools (wrap, timestamps, filter, save, new lines, search across panes)
// with real terminals in Chromium: pane-page.tsx, driven through window.paneKit.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../../src/shared/delivery';
import type { AgentState } from '../../../src/shared/protocol';
import { chromium, usePanePage } from './pane-browser';

const page = usePanePage();

const deliver = (batch: Delivery[]) => page().evaluate((b) => window.paneKit.deliver(b), batch);
const write = (agentId: string, text: string) => deliver([{ kind: 'output', channel: `agent:${agentId}`, text }]);
const bufferText = (index = 0) => page().evaluate((i) => window.paneKit.text(i), index);
const layoutState = () =>
  page().evaluate(() => {
    const { focusedPaneId, maximizedPaneId } = window.paneKit.services.layout.getState();
    return { focusedPaneId, maximizedPaneId };
  });
const paneOf = (agentId: string) => page().locator(`[data-testid="agent-pane"][data-agent-id="${agentId}"]`);

/** The rows a pane's terminal draws (xterm's DOM renderer: one div per row), trailing spaces dropped. */
function rows(agentId: string): Promise<string[]> {
  return paneOf(agentId)
    .locator('.xterm-rows')
    .evaluate((element) =>
      [...element.children].map((row) => (row.textContent ?? '').replace(/\u00a0/g, ' ').trimEnd()),
    );
}

/** Waits until the pane's drawn rows (empty ones left out) satisfy `check`; resolves with them. */
async function rowsUntil(agentId: string, check: (drawn: string[]) => boolean): Promise<string[]> {
  let drawn: string[] = [];
  await expect
    .poll(async () => {
      drawn = (await rows(agentId)).filter(Boolean);
      return check(drawn);
    })
    .toBe(true);
  return drawn;
}

/** Long ids, the longest status label: what the header must make room for. */
const LONG_IDS = Array.from({ length: 9 }, (_, i) => `sonnet-reviewer-${i + 11}`);

async function gridOf(agentIds: string[]): Promise<string[]> {
  const paneIds = await page().evaluate((ids) => window.paneKit.paneGrid(ids), agentIds);
  const agents: AgentState[] = agentIds.map((agentId) => ({ agentId, status: 'waiting_for_input', issueId: '1234' }));
  await deliver([{ kind: 'snapshot', channel: 'project:beta', data: { issues: [], agents } }]);
  await page().waitForFunction((count) => document.querySelectorAll('.xterm-rows').length === count, agentIds.length);
  return paneIds;
}

/** Focuses a pane's terminal as a click would (its keys then reach the pane tools). */
async function focusTerminal(agentId: string): Promise<void> {
  await paneOf(agentId).locator('.xterm-screen').click();
}

describe.skipIf(!chromium)('Pane tools (real terminals, Chromium)', { timeout: 90_000 }, () => {
  // The app's pane area: the window less the 320-px agent list, under the board (42 %).
  it.each([
    { panes: 9, width: 1440 - 320, height: 470 },
    { panes: 4, width: 1024 - 320, height: 330 },
  ])('keeps every full agent id readable with $panes panes in a $width × $height pane area', async (size) => {
    await page().evaluate(({ width, height }) => window.paneKit.resize(width, height), size);
    await gridOf(LONG_IDS.slice(0, size.panes));
    const ids = await page().$$eval('.agent-pane-id', (elements) =>
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
    expect(ids).toEqual(LONG_IDS.slice(0, size.panes).map((text) => ({ text, fits: true })));
    // Every tool is still there, named.
    for (const name of ['Find in output', 'Maximise pane', 'More pane tools', 'Close pane']) {
      expect(await page().getByRole('button', { name, exact: true }).count()).toBe(size.panes);
    }
  });

  it('maximises a pane and restores it with its header button', async () => {
    const [first, second] = await gridOf(['agent-a', 'agent-b']);
    const button = paneOf('agent-a').getByRole('button', { name: 'Maximise pane' });
    expect(await button.getAttribute('aria-pressed')).toBe('false');
    await button.click();
    expect(await layoutState()).toEqual({ focusedPaneId: first, maximizedPaneId: first });
    expect(await button.getAttribute('aria-pressed')).toBe('true');
    await button.click();
    expect((await layoutState()).maximizedPaneId).toBeNull();
    expect(await button.getAttribute('aria-pressed')).toBe('false');
    expect(second).toBeTruthy();
  });

  it('opens the tools menu from the keyboard: arrows move, Escape closes and gives focus back', async () => {
    await gridOf(['agent-a']);
    const button = page().getByRole('button', { name: 'More pane tools' });
    await button.focus();
    await page().keyboard.press('Enter');
    const menu = page().getByRole('menu', { name: 'More pane tools' });
    await menu.waitFor();
    expect(await button.getAttribute('aria-haspopup')).toBe('menu');
    expect(await button.getAttribute('aria-expanded')).toBe('true');
    const focused = () => page().evaluate(() => document.activeElement?.textContent ?? '');
    expect(await focused()).toContain('Wrap long lines');
    await page().keyboard.press('ArrowDown');
    expect(await focused()).toContain('Show timestamps');
    await page().keyboard.press('ArrowUp');
    await page().keyboard.press('ArrowUp');
    // Wrapped round to the last item: the agent waits, so it can be interrupted.
    expect(await focused()).toContain('Interrupt agent…');
    await page().keyboard.press('ArrowUp');
    expect(await focused()).toContain('Clear output');
    await page().keyboard.press('Home');
    expect(await focused()).toContain('Wrap long lines');
    expect(await page().getByRole('menuitemcheckbox', { name: 'Wrap long lines' }).getAttribute('aria-checked')).toBe(
      'true',
    );
    await page().keyboard.press('Escape');
    expect(await menu.count()).toBe(0);
    expect(await page().evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('More pane tools');
  });

  it('turns wrapping off (one row per line, scrolling sideways) and on again with Alt+Z', async () => {
    await page().evaluate(() => window.paneKit.resize(700, 400));
    await gridOf(['agent-a']);
    const long = `start-${'x'.repeat(140)}-end`;
    await write('agent-a', `${long}\r\nshort\r\n`);
    await rowsUntil('agent-a', (drawn) => drawn.includes('short'));
    const cols = () => page().evaluate(() => window.paneKit.terminals()[0].cols);
    const wrappedCols = await cols();
    expect(wrappedCols).toBeLessThan(long.length);
    expect((await rows('agent-a')).some((row) => row.includes('-end') && !row.includes('start-'))).toBe(true);

    await focusTerminal('agent-a');
    await page().keyboard.press('Alt+z');
    await expect.poll(cols).toBe(250);
    const drawn = await rowsUntil('agent-a', (all) => all.includes(long));
    expect(drawn).toEqual([long, 'short']);
    expect(await paneOf('agent-a').getAttribute('data-wrap')).toBe('false');
    const scroller = paneOf('agent-a').locator('.agent-pane-scroller');
    expect(await scroller.evaluate((element) => element.scrollWidth > element.clientWidth)).toBe(true);

    await page().keyboard.press('Alt+z');
    await expect.poll(cols).toBe(wrappedCols);
    await rowsUntil('agent-a', (all) => all.some((row) => row.includes('-end') && !row.includes('start-')));
    expect(await bufferText()).toBe(`${long}\nshort`);
  });

  it('shows and hides the time each line arrived with Alt+T', async () => {
    await gridOf(['agent-a']);
    await deliver([{ kind: 'tail', channel: 'agent:agent-a', text: 'from history\r\n' }]);
    await write('agent-a', 'first\r\nsecond\r\n');
    await rowsUntil('agent-a', (drawn) => drawn.includes('second'));
    await focusTerminal('agent-a');
    await page().keyboard.press('Alt+t');
    const stamped = await rowsUntil('agent-a', (drawn) => drawn.some((row) => /^\d\d:\d\d:\d\d second$/.test(row)));
    expect(stamped).toEqual([
      '--:--:-- from history',
      expect.stringMatching(/^\d\d:\d\d:\d\d first$/),
      expect.stringMatching(/^\d\d:\d\d:\d\d second$/),
    ]);
    // Live output gets its time too.
    await write('agent-a', 'third\r\n');
    await rowsUntil('agent-a', (drawn) => drawn.some((row) => /^\d\d:\d\d:\d\d third$/.test(row)));
    expect(await paneOf('agent-a').getAttribute('data-timestamps')).toBe('true');
    await page().keyboard.press('Alt+t');
    expect(await rowsUntil('agent-a', (drawn) => drawn[0] === 'from history')).toEqual([
      'from history',
      'first',
      'second',
      'third',
    ]);
  });

  it('filters lines with Alt+L: only matching lines show, with a count; clearing shows everything again', async () => {
    await gridOf(['agent-a']);
    const all = ['compiling', 'ERROR: disk full', 'linking', 'retry after error', 'done'];
    await write('agent-a', `${all.join('\r\n')}\r\n`);
    await rowsUntil('agent-a', (drawn) => drawn.includes('done'));
    await focusTerminal('agent-a');
    await page().keyboard.press('Alt+l');
    const input = page().getByRole('searchbox', { name: 'Show only lines containing' });
    await input.waitFor();
    expect(await page().evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
      'Show only lines containing',
    );
    await input.fill('error');
    expect(await rowsUntil('agent-a', (drawn) => drawn.length === 2)).toEqual([
      'ERROR: disk full',
      'retry after error',
    ]);
    const count = paneOf('agent-a').locator('.pane-filter-count');
    await expect.poll(() => count.textContent()).toBe('2 of 5 lines');
    expect(await paneOf('agent-a').getAttribute('data-filtered')).toBe('true');
    // New output is filtered as it arrives, and counted.
    await write('agent-a', 'still fine\r\nanother Error\r\n');
    await rowsUntil('agent-a', (drawn) => drawn.includes('another Error'));
    expect((await rows('agent-a')).filter(Boolean)).not.toContain('still fine');
    await expect.poll(() => count.textContent()).toBe('3 of 7 lines');

    await input.press('Escape');
    expect(await input.count()).toBe(0);
    expect(await rowsUntil('agent-a', (drawn) => drawn.length === 7)).toEqual([...all, 'still fine', 'another Error']);
    expect(await paneOf('agent-a').getAttribute('data-filtered')).toBe('false');
  });

  it('saves the whole buffer to a text file with Ctrl+S', async () => {
    await gridOf(['agent-a']);
    await write('agent-a', 'line one\r\n\x1b[32mgreen two\x1b[0m\r\nline three\r\n');
    await rowsUntil('agent-a', (drawn) => drawn.includes('line three'));
    await focusTerminal('agent-a');
    const [download] = await Promise.all([page().waitForEvent('download'), page().keyboard.press('Control+s')]);
    expect(download.suggestedFilename()).toMatch(/^agent-a-\d{4}-\d\d-\d\d-\d{6}\.txt$/);
    const saved = await readFile(await download.path(), 'utf8');
    expect(saved).toBe(await bufferText());
    expect(saved).toBe('line one\ngreen two\nline three');
  });

  it('saves through the tools menu too, unfiltered while a filter hides lines', async () => {
    await gridOf(['agent-a']);
    await write('agent-a', 'keep\r\nhide\r\nkeep too\r\n');
    await rowsUntil('agent-a', (drawn) => drawn.includes('keep too'));
    await page().getByRole('button', { name: 'More pane tools' }).click();
    await page().getByRole('menuitemcheckbox', { name: 'Filter lines' }).click();
    await page().getByRole('searchbox', { name: 'Show only lines containing' }).fill('keep');
    await rowsUntil('agent-a', (drawn) => drawn.length === 2);
    await page().getByRole('button', { name: 'More pane tools' }).click();
    const [download] = await Promise.all([
      page().waitForEvent('download'),
      page().getByRole('menuitem', { name: 'Save output to a file' }).click(),
    ]);
    expect(await readFile(await download.path(), 'utf8')).toBe('keep\nhide\nkeep too');
  });

  it('counts the new lines on the jump-to-live button while scrolled up', async () => {
    await gridOf(['agent-a']);
    await write('agent-a', Array.from({ length: 200 }, (_, i) => `line ${i + 1}\r\n`).join(''));
    await rowsUntil('agent-a', (drawn) => drawn.includes('line 200'));
    await focusTerminal('agent-a');
    await page().keyboard.press('PageUp');
    const jump = page().getByRole('button', { name: /Jump to live output/ });
    await jump.waitFor();
    expect(await jump.textContent()).toBe('Jump to live ↓');
    await write('agent-a', 'new 1\r\nnew 2\r\nnew 3\r\n');
    await expect.poll(() => jump.textContent()).toBe('3 new lines · Jump to live ↓');
    await write('agent-a', 'new 4\r\nnew 5\r\n');
    await expect.poll(() => jump.textContent()).toBe('5 new lines · Jump to live ↓');
    expect(await jump.getAttribute('aria-label')).toBe('Jump to live output, 5 new lines');
    await jump.click();
    await rowsUntil('agent-a', (drawn) => drawn.includes('new 5'));
    expect(await jump.count()).toBe(0);
    expect(await page().evaluate(() => window.paneKit.unseenLines(0))).toBe(0);
  });

  it('searches all panes with Ctrl+Shift+F and jumps to the match chosen', async () => {
    const [paneA, paneB] = await gridOf(['agent-a', 'agent-b']);
    await write('agent-a', 'alpha start\r\nthe needle in A\r\nalpha end\r\n');
    await write(
      'agent-b',
      `${Array.from({ length: 150 }, (_, i) => `b line ${i}\r\n`).join('')}found a NEEDLE in B\r\n${Array.from(
        { length: 150 },
        (_, i) => `b tail ${i}\r\n`,
      ).join('')}`,
    );
    await rowsUntil('agent-b', (drawn) => drawn.includes('b tail 149'));
    expect((await rows('agent-b')).join('\n')).not.toContain('NEEDLE');
    await page().evaluate(() => window.paneKit.run(() => void 0));
    await page().keyboard.press('Control+Shift+F');
    const input = page().getByRole('searchbox', { name: 'Search all panes' });
    await input.waitFor();
    await input.fill('needle');
    const matches = page().locator('.global-search-match');
    await expect.poll(() => matches.count()).toBe(2);
    expect(await matches.allTextContents()).toEqual(['the needle in A', 'found a NEEDLE in B']);
    expect(await page().locator('.global-search-summary').textContent()).toBe('2 lines in 2 panes');
    expect(await page().getByRole('region', { name: 'Matches in agent-b' }).count()).toBe(1);

    await page().evaluate(() => window.paneKit.run(() => window.paneKit.services.layout.getState().focusPane(null)));
    await matches.nth(1).click();
    await expect.poll(async () => (await layoutState()).focusedPaneId).toBe(paneB);
    expect(await input.count()).toBe(0);
    // The match is on screen and selected in B's terminal, which has the keyboard.
    await rowsUntil('agent-b', (drawn) => drawn.includes('found a NEEDLE in B'));
    await expect.poll(() => page().evaluate(() => window.paneKit.selection(1))).toBe('NEEDLE');
    expect(
      await page().evaluate(() =>
        document.activeElement?.closest('[data-testid="agent-pane"]')?.getAttribute('data-agent-id'),
      ),
    ).toBe('agent-b');
    expect(paneA).toBeTruthy();
  });
});
