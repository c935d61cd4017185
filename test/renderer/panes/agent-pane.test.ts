// AgentPane with its real TerminalView (xterm) in Chromium: pane-page.tsx, driven through window.paneKit.
import { describe, expect, it } from 'vitest';
import type { Delivery } from '../../../src/shared/delivery';
import { chromium, usePanePage } from './pane-browser';

const page = usePanePage();

const pane = () => page().getByTestId('agent-pane');
const searchCount = () => page().locator('.pane-search-count');
const terminals = () => page().evaluate(() => window.paneKit.terminals());
const subscriptions = () => page().evaluate(() => window.paneKit.subscriptions);
/** The terminal's buffer as text (after xterm parsed everything written so far). */
const bufferText = (index = 0) => page().evaluate((i) => window.paneKit.text(i), index);
const deliver = (batch: Delivery[]) => page().evaluate((b) => window.paneKit.deliver(b), batch);
const write = (content: string) => deliver([{ kind: 'output', channel: 'agent:agent-1', text: content }]);
/** Chooses an item of the pane's "More pane tools" menu. */
async function menuItem(name: string): Promise<void> {
  await page().getByRole('button', { name: 'More pane tools' }).click();
  await page().getByRole('menuitem', { name }).click();
}
const activeLabel = () => page().evaluate(() => document.activeElement?.getAttribute('aria-label') ?? null);

/** Resolves once the terminal has drawn `text` on screen (xterm's DOM renderer: one div per row). */
async function shown(text: string): Promise<void> {
  await page().waitForFunction(
    (wanted) => (document.querySelector('.xterm-rows')?.textContent ?? '').replace(/\u00a0/g, ' ').includes(wanted),
    text,
  );
}

/** Moves the mouse over a cell of the terminal and clicks it. */
async function clickCell(column: number, row: number): Promise<void> {
  const [{ cols, rows }] = await terminals();
  const box = await page().locator('.xterm-screen').boundingBox();
  if (!box) throw new Error('the terminal has no screen');
  const x = box.x + ((column + 0.5) * box.width) / cols;
  const y = box.y + ((row + 0.5) * box.height) / rows;
  await page().mouse.move(x, y);
  await page().mouse.move(x + 1, y);
  await page().mouse.click(x + 1, y);
}

describe.skipIf(!chromium)('AgentPane (real terminal, Chromium)', { timeout: 60_000 }, () => {
  it('mounts one terminal in the pane and feeds it the agent channel', async () => {
    await page().evaluate(() => window.paneKit.agentPane());
    expect(await terminals()).toMatchObject([{ channel: 'agent:agent-1', disposed: false, visible: true }]);
    expect(await pane().locator('.xterm').count()).toBe(1);
    const tailLines = await page().evaluate(() => window.paneKit.services.preferences.getState().tailLines);
    expect(await subscriptions()).toEqual([
      { channel: 'agent:agent-1', options: { tail: tailLines, urgent: true }, urgent: [], unsubscribed: 0 },
    ]);

    await deliver([
      { kind: 'tail', channel: 'agent:agent-1', text: 'old\n' },
      { kind: 'subscribed', channel: 'agent:agent-1', resumed: false },
      { kind: 'output', channel: 'agent:agent-1', text: 'hello\n' },
      { kind: 'output', channel: 'agent:agent-2', text: 'not mine\n' },
    ]);
    const lines = (await bufferText()).split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('old');
    expect(lines[1]).toMatch(/^── live output ─+$/);
    expect(lines[2]).toBe('hello');
    await shown('hello');
  });

  it('opens http(s) links the user clicks through the bridge, and no other scheme', async () => {
    await page().evaluate(() => window.paneKit.agentPane());
    await write('docs: https://example.com/docs\r\n');
    // An OSC 8 hyperlink whose target is not http(s): its text is clickable, its target refused.
    await write('\x1b]8;;javascript:alert(1)\x07click me\x1b]8;;\x07\r\n');
    await shown('click me');
    await clickCell(3, 1);
    await clickCell(12, 0);
    await expect.poll(() => page().evaluate(() => window.paneKit.opened)).toEqual(['https://example.com/docs']);
  });

  it('marks the subscription urgent only while the pane is focused and visible', async () => {
    await page().evaluate(() => window.paneKit.agentPane({ focused: false }));
    expect((await subscriptions())[0].options?.urgent).toBe(false);
    await page().evaluate(() => window.paneKit.rerender({ focused: true }));
    expect(await subscriptions()).toMatchObject([{ urgent: [true] }]);
    await page().evaluate(() => window.paneKit.rerender({ focused: true, visible: false }));
    expect(await subscriptions()).toMatchObject([{ urgent: [true, false] }]);
    expect(await terminals()).toMatchObject([{ visible: false, disposed: false }]);
  });

  it('tells a terminal that mounts hidden (a background tab) that it is not visible', async () => {
    await page().evaluate(() => window.paneKit.agentPane({ visible: false }));
    expect(await terminals()).toMatchObject([{ visible: false }]);
    expect((await subscriptions())[0].options?.urgent).toBe(false);
  });

  it('unsubscribes, leaves the router and disposes the terminal on unmount', async () => {
    await page().evaluate(() => window.paneKit.agentPane());
    await write('before\n');
    expect(await bufferText()).toBe('before');
    await page().evaluate(() => window.paneKit.unmount());
    expect(await subscriptions()).toMatchObject([{ unsubscribed: 1 }]);
    expect(await terminals()).toMatchObject([{ disposed: true }]);
    expect(await page().locator('.xterm').count()).toBe(0);
    // Output for the closed pane goes nowhere (a write to a disposed terminal would throw in the page).
    await write('late\n');
  });

  it('shows the agent, its status and issue, and exposes renderer and follow state', async () => {
    await page().evaluate(() => window.paneKit.agentPane());
    expect(await pane().getAttribute('data-agent-id')).toBe('agent-1');
    const text = await pane().textContent();
    expect(text).toContain('agent-1');
    expect(text).toContain('Waiting for input');
    expect(text).toContain('#42');
    expect(await pane().locator('.agent-pane-dot').getAttribute('data-status')).toBe('waiting_for_input');
    // Headless Chromium has no hardware GPU: the terminal draws with its DOM renderer, and the pane says so.
    const [{ renderer }] = await terminals();
    expect(renderer).toBe('dom');
    expect(await pane().getAttribute('data-renderer')).toBe(renderer);
    expect(await pane().getAttribute('data-follow')).toBe('true');
  });

  it('offers "Jump to live" only while the user has scrolled up, and jumps back to the newest line', async () => {
    await page().evaluate(() => window.paneKit.agentPane());
    await write(Array.from({ length: 300 }, (_, i) => `line ${i + 1}\n`).join(''));
    await shown('line 300');
    const jump = page().getByRole('button', { name: 'Jump to live output' });
    expect(await jump.count()).toBe(0);
    await page().locator('.xterm-screen').click();
    await page().keyboard.press('PageUp');
    await page().waitForSelector('[data-testid="agent-pane"][data-follow="false"]');
    expect(await terminals()).toMatchObject([{ following: false }]);
    await page().waitForFunction(() => !document.querySelector('.xterm-rows')?.textContent?.includes('line 300'));
    await jump.click();
    await page().waitForSelector('[data-testid="agent-pane"][data-follow="true"]');
    expect(await terminals()).toMatchObject([{ following: true }]);
    await shown('line 300');
    expect(await jump.count()).toBe(0);
  });

  it('opens search with Ctrl+F when focused: Enter finds the next match, Shift+Enter the previous, Escape closes', async () => {
    await page().evaluate(() => window.paneKit.agentPane());
    await write('error 1\nok\nerror 2\nerror 3\nERROR 4\nerror 5\n');
    await shown('error 5');
    await page().keyboard.press('Control+f');
    const input = page().getByRole('searchbox', { name: 'Search output' });
    await input.waitFor();
    expect(await activeLabel()).toBe('Search output');

    await input.fill('error');
    await expect.poll(() => searchCount().textContent()).toBe('1 of 5');
    expect(await page().evaluate(() => window.paneKit.selection())).toBe('error');
    await input.press('Enter');
    await expect.poll(() => searchCount().textContent()).toBe('2 of 5');
    await input.press('Shift+Enter');
    await expect.poll(() => searchCount().textContent()).toBe('1 of 5');
    await page().getByRole('button', { name: 'Previous match' }).click();
    await expect.poll(() => searchCount().textContent()).toBe('5 of 5');
    await page().getByRole('button', { name: 'Next match' }).click();
    await expect.poll(() => searchCount().textContent()).toBe('1 of 5');
    await page().getByRole('button', { name: 'Next match' }).click();
    await expect.poll(() => searchCount().textContent()).toBe('2 of 5');

    await input.press('Escape');
    expect(await page().getByRole('searchbox').count()).toBe(0);
    // The match is no longer selected (Copy would take all output), and the terminal has the keyboard again.
    expect(await page().evaluate(() => window.paneKit.selection())).toBe(await bufferText());
    expect(await page().evaluate(() => document.activeElement?.classList.contains('xterm-helper-textarea'))).toBe(true);
  });

  it('passes case and regex options to the search', async () => {
    await page().evaluate(() => window.paneKit.agentPane());
    await write('error\nERROR\ne.r literal\n');
    await shown('e.r literal');
    await page().keyboard.press('Control+f');
    const input = page().getByRole('searchbox', { name: 'Search output' });
    /** What Enter selects, pressed `times` times: the matches the terminal's search finds. */
    const matches = async (times: number) => {
      const found = new Set<string>();
      for (let i = 0; i < times; i++) {
        await input.press('Enter');
        found.add(await page().evaluate(() => window.paneKit.selection()));
      }
      return found;
    };
    await input.fill('e.r');
    // Plain text, any case: only the literal "e.r".
    await expect.poll(() => searchCount().textContent()).toBe('1 of 1');
    expect(await matches(2)).toEqual(new Set(['e.r']));
    await page().getByRole('button', { name: 'Use regular expression' }).click();
    expect(await page().getByRole('button', { name: 'Use regular expression' }).getAttribute('aria-pressed')).toBe(
      'true',
    );
    // A regular expression, any case: "err", "ERR" and "e.r" — and the count says so (the search
    // addon alone would keep the plain-text count when only an option changed).
    expect(await matches(3)).toEqual(new Set(['err', 'ERR', 'e.r']));
    await expect.poll(() => searchCount().textContent()).toMatch(/^\d of 3$/);
    await page().getByRole('button', { name: 'Match case' }).click();
    // …and matching case: "err" and "e.r".
    expect(await matches(3)).toEqual(new Set(['err', 'e.r']));
    await expect.poll(() => searchCount().textContent()).toMatch(/^\d of 2$/);
  });

  it('ignores Ctrl+F when another pane is focused', async () => {
    await page().evaluate(() => window.paneKit.agentPane({ focused: false }));
    await page().keyboard.press('Control+f');
    expect(await page().getByRole('searchbox').count()).toBe(0);
  });

  it('copies all output through the bridge, and clears the terminal', async () => {
    await page().evaluate(() => window.paneKit.agentPane());
    await write('line one\nline two\n');
    expect(await bufferText()).toBe('line one\nline two');
    await menuItem('Copy output');
    await expect.poll(() => page().evaluate(() => window.paneKit.clipboard)).toEqual(['line one\nline two']);
    // The pane's own notice (the answer bar has a status line of its own).
    const notice = () => page().locator('.agent-pane-notice[role="status"]').textContent();
    await expect.poll(notice).toBe('Copied');
    await menuItem('Clear output');
    // The notice was about the output just cleared: it goes with it, not seconds later.
    expect(await notice()).toBe('');
    await expect.poll(bufferText).toBe('');
    await page().waitForFunction(() => !document.querySelector('.xterm-rows')?.textContent?.includes('line one'));
  });

  it('offers Detach only when the bridge can open windows', async () => {
    await page().evaluate(() => window.paneKit.agentPane());
    await page().getByRole('button', { name: 'More pane tools' }).click();
    expect(await page().getByRole('menuitem', { name: 'Detach to its own window' }).count()).toBe(0);
    await page().keyboard.press('Escape');
    await page().evaluate(() => window.paneKit.unmount());
    await page().evaluate(() => window.paneKit.agentPane({}, { detachable: true }));
    await menuItem('Detach to its own window');
    expect(await page().evaluate(() => window.paneKit.windows)).toEqual([{ kind: 'agent', id: 'agent-1' }]);
  });

  it('closes through the layout, and takes focus when clicked', async () => {
    const paneId = await page().evaluate(() => window.paneKit.agentPane({ focused: false }));
    await page().evaluate(() => window.paneKit.run(() => window.paneKit.services.layout.getState().focusPane(null)));
    await pane().locator('.agent-pane-id').click();
    expect(await page().evaluate(() => window.paneKit.services.layout.getState().focusedPaneId)).toBe(paneId);
    await page().getByRole('button', { name: 'Close pane' }).click();
    expect(await page().evaluate(() => window.paneKit.services.layout.getState().panes)).toEqual([]);
  });

  it('gives every control an accessible name', async () => {
    await page().evaluate(() => window.paneKit.agentPane({}, { detachable: true }));
    await page().keyboard.press('Control+f');
    await page().getByRole('searchbox').waitFor();
    const unnamed = await pane().evaluate((root) =>
      [...root.querySelectorAll('button, input, textarea')]
        .filter((c) => !c.getAttribute('aria-label') && !(c.tagName === 'BUTTON' && c.textContent?.trim()))
        .map((c) => c.outerHTML),
    );
    expect(unnamed).toEqual([]);
  });

  it('applies theme and scrollback preferences to the live terminal', async () => {
    await page().evaluate(() => window.paneKit.agentPane());
    const background = () =>
      page().evaluate(
        () => getComputedStyle(document.querySelector('.xterm-scrollable-element') as Element).backgroundColor,
      );
    expect(await background()).toBe('rgb(11, 13, 17)');
    await page().evaluate(() =>
      window.paneKit.run(() => window.paneKit.services.preferences.getState().setTheme('light')),
    );
    await expect.poll(background).toBe('rgb(255, 255, 255)');

    await page().evaluate(() =>
      window.paneKit.run(() => window.paneKit.services.preferences.getState().setScrollback(100)),
    );
    await write(Array.from({ length: 1000 }, (_, i) => `line ${i + 1}\n`).join(''));
    const lines = (await bufferText()).split('\n');
    const [{ rows }] = await terminals();
    // 100 lines of scrollback above the screen, the last of whose rows is the empty cursor line.
    expect(lines).toHaveLength(100 + rows - 1);
    expect(lines.at(-1)).toBe('line 1000');
    expect(await terminals()).toHaveLength(1);
  });
});
