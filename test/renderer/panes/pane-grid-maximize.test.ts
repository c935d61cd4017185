// PaneGrid's maximised pane with real AgentPanes and terminals in Chromium (pane-page.tsx, window.paneKit).
import { describe, expect, it } from 'vitest';
import { chromium, usePanePage } from './pane-browser';

const page = usePanePage();

const setup = (agentIds: string[]) => page().evaluate((ids) => window.paneKit.paneGrid(ids), agentIds);
const store = (action: 'toggle' | 'close' | 'focus', paneId: string) =>
  page().evaluate(
    ([kind, id]) =>
      window.paneKit.run(() => {
        const layout = window.paneKit.services.layout.getState();
        if (kind === 'toggle') layout.toggleMaximize(id);
        else if (kind === 'close') layout.closePane(id);
        else layout.focusPane(id);
      }),
    [action, paneId] as const,
  );
const visibleAgents = () =>
  page().evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-testid="agent-pane"]')]
      .filter((pane) => !(pane.parentElement as HTMLElement).hidden)
      .map((pane) => pane.dataset.agentId),
  );
const visibility = async () =>
  (await page().evaluate(() => window.paneKit.terminals())).map((terminal) => terminal.visible);
const maximizedId = () => page().evaluate(() => window.paneKit.services.layout.getState().maximizedPaneId);

describe.skipIf(!chromium)('PaneGrid: maximise (real terminals, Chromium)', { timeout: 60_000 }, () => {
  it('shows a maximised pane alone over the pane area, keeps the others mounted and hidden, and restores', async () => {
    const paneIds = await setup(['a', 'b', 'c']);
    const area = await page()
      .locator('.pane-grid')
      .evaluate((grid) => grid.getBoundingClientRect().width);
    await store('toggle', paneIds[1]);
    expect(await visibleAgents()).toEqual(['b']);
    await expect.poll(visibility).toEqual([false, true, false]);
    const width = await page()
      .locator('[data-testid="agent-pane"][data-agent-id="b"]')
      .evaluate((pane) => pane.getBoundingClientRect().width);
    expect(width).toBeGreaterThan(area * 0.95);
    expect(await page().getByRole('status').filter({ hasText: 'b maximised' }).count()).toBe(1);
    // A hidden pane keeps its output, unwritten (its terminal is not parsed or drawn) until it is shown.
    await page().evaluate(() => window.paneKit.deliver([{ kind: 'output', channel: 'agent:a', text: 'kept\n' }]));
    // Two frames: a visible pane would have been written by then.
    await page().evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    expect(await page().evaluate(() => window.paneKit.parsedText(0))).toBe('');

    await page().getByRole('button', { name: 'Restore' }).click();
    expect(await maximizedId()).toBeNull();
    expect(await visibleAgents()).toEqual(['a', 'b', 'c']);
    await expect.poll(visibility).toEqual([true, true, true]);
    expect(await page().evaluate(() => window.paneKit.text(0))).toBe('kept');
    expect(await page().getByRole('button', { name: 'Restore' }).count()).toBe(0);
  });

  it('shows the pane focused next when one is maximised, and the grid again when the maximised one closes', async () => {
    const paneIds = await setup(['a', 'b', 'c']);
    await store('toggle', paneIds[0]);
    await page().keyboard.press('Control+3');
    await expect.poll(visibleAgents).toEqual(['c']);
    expect(await maximizedId()).toBe(paneIds[2]);
    await store('close', paneIds[2]);
    expect(await visibleAgents()).toEqual(['a', 'b']);
  });

  it('maximises and restores the focused pane with Ctrl/Cmd + Shift + Enter, and closes it with Ctrl/Cmd + Shift + X', async () => {
    const paneIds = await setup(['a', 'b']);
    await store('focus', paneIds[0]);
    await page().keyboard.press('Control+Shift+Enter');
    await expect.poll(maximizedId).toBe(paneIds[0]);
    await page().keyboard.press('Meta+Shift+Enter');
    await expect.poll(maximizedId).toBeNull();
    await page().keyboard.press('Control+Shift+X');
    await expect.poll(visibleAgents).toEqual(['b']);
  });
});
