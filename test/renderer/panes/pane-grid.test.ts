// PaneGrid with real AgentPanes and their real terminals (xterm) in Chromium: pane-page.tsx, through window.paneKit.
import { describe, expect, it } from 'vitest';
import { chromium, usePanePage } from './pane-browser';

const page = usePanePage();

const setup = (agentIds: string[]) => page().evaluate((ids) => window.paneKit.paneGrid(ids), agentIds);
const layout = () =>
  page().evaluate(() => {
    const { panes, focusedPaneId, mode } = window.paneKit.services.layout.getState();
    return { panes, focusedPaneId, mode };
  });
const terminals = () => page().evaluate(() => window.paneKit.terminals());
const visibility = async () => (await terminals()).map((terminal) => terminal.visible);
/** Agents whose pane is shown (its slot not hidden), in order. */
const visibleAgents = () =>
  page().evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-testid="agent-pane"]')]
      .filter((pane) => !(pane.parentElement as HTMLElement).hidden)
      .map((pane) => pane.dataset.agentId),
  );
const paneAgents = () =>
  page().evaluate(() =>
    [...document.querySelectorAll<HTMLElement>('[data-testid="agent-pane"]')].map((pane) => pane.dataset.agentId),
  );

describe.skipIf(!chromium)('PaneGrid (real terminals, Chromium)', { timeout: 60_000 }, () => {
  it('says how to open a pane when there is none', async () => {
    await setup([]);
    const empty = await page().evaluate(() => window.paneKit.emptyPanesText);
    expect(await page().getByText(empty).count()).toBe(1);
    expect(await paneAgents()).toEqual([]);
    expect(await terminals()).toEqual([]);
  });

  it('shows every pane in a grid sized to their number, each with its own terminal', async () => {
    await setup(['a', 'b', 'c']);
    expect(await visibleAgents()).toEqual(['a', 'b', 'c']);
    const grid = page().locator('.pane-grid');
    expect(await grid.evaluate((el) => (el as HTMLElement).style.getPropertyValue('--pane-columns'))).toBe('2');
    expect(await grid.evaluate((el) => (el as HTMLElement).style.getPropertyValue('--pane-rows'))).toBe('2');
    const empty = await page().evaluate(() => window.paneKit.emptyPanesText);
    expect(await page().getByText(empty).count()).toBe(0);
    expect((await terminals()).map((terminal) => terminal.channel)).toEqual(['agent:a', 'agent:b', 'agent:c']);
    await page().evaluate(() =>
      window.paneKit.deliver([
        { kind: 'output', channel: 'agent:b', text: 'for b\n' },
        { kind: 'output', channel: 'agent:c', text: 'for c\n' },
      ]),
    );
    const texts = await page().evaluate(() => Promise.all([0, 1, 2].map((i) => window.paneKit.text(i))));
    expect(texts).toEqual(['', 'for b', 'for c']);
  });

  it('marks the focused pane, and focuses pane N on Ctrl/Cmd + N', async () => {
    const paneIds = await setup(['a', 'b', 'c']);
    expect((await layout()).focusedPaneId).toBe(paneIds[2]);
    const prevented = await page().evaluate(() => {
      const event = new KeyboardEvent('keydown', { key: '2', code: 'Digit2', ctrlKey: true, cancelable: true });
      return window.paneKit.run(() => void window.dispatchEvent(event)).then(() => event.defaultPrevented);
    });
    expect(prevented).toBe(true);
    expect((await layout()).focusedPaneId).toBe(paneIds[1]);
    await page().keyboard.press('Control+1');
    await expect.poll(async () => (await layout()).focusedPaneId).toBe(paneIds[0]);
    expect(await page().locator('[data-testid="agent-pane"].focused').getAttribute('data-agent-id')).toBe('a');
    // No pane 7: nothing changes.
    await page().keyboard.press('Meta+7');
    expect((await layout()).focusedPaneId).toBe(paneIds[0]);
  });

  it('shows one pane at a time as tabs, keeping the others mounted but not visible', async () => {
    const paneIds = await setup(['a', 'b', 'c']);
    await page().evaluate(() => window.paneKit.deliver([{ kind: 'output', channel: 'agent:a', text: 'kept\n' }]));
    await page().getByRole('button', { name: 'Show panes as tabs' }).click();
    expect((await layout()).mode).toBe('tabs');
    expect(await visibleAgents()).toEqual(['c']);
    expect(await visibility()).toEqual([false, false, true]);

    const tabs = page().getByRole('tab');
    expect(await tabs.evaluateAll((all) => all.map((tab) => tab.getAttribute('aria-selected')))).toEqual([
      'false',
      'false',
      'true',
    ]);
    await tabs.first().click();
    expect((await layout()).focusedPaneId).toBe(paneIds[0]);
    expect(await visibleAgents()).toEqual(['a']);
    await expect.poll(visibility).toEqual([true, false, false]);

    await page().getByRole('button', { name: 'Show panes in a grid' }).click();
    expect(await visibleAgents()).toEqual(['a', 'b', 'c']);
    const all = await terminals();
    expect(all).toHaveLength(3);
    expect(all.map((terminal) => terminal.disposed)).toEqual([false, false, false]);
    // The same terminal, with what it had before the switches.
    expect(await page().evaluate(() => window.paneKit.text(0))).toBe('kept');
  });

  it('mounts panes opened in tabs mode hidden, except the focused one', async () => {
    await setup(['a']);
    await page().evaluate(() => window.paneKit.run(() => window.paneKit.services.layout.getState().setMode('tabs')));
    await page().evaluate(() => window.paneKit.run(() => void window.paneKit.services.layout.getState().openPane('b')));
    await page().evaluate(() => window.paneKit.run(() => void window.paneKit.services.layout.getState().openPane('c')));
    expect(await visibleAgents()).toEqual(['c']);
    expect(await visibility()).toEqual([false, false, true]);
  });

  it('moves between tabs with the arrow keys', async () => {
    const paneIds = await setup(['a', 'b']);
    await page().evaluate(() => window.paneKit.run(() => window.paneKit.services.layout.getState().setMode('tabs')));
    await page().getByRole('tab', { selected: true }).focus();
    await page().keyboard.press('ArrowRight');
    expect((await layout()).focusedPaneId).toBe(paneIds[0]);
    await page().keyboard.press('End');
    expect((await layout()).focusedPaneId).toBe(paneIds[1]);
    await page().keyboard.press('Home');
    expect((await layout()).focusedPaneId).toBe(paneIds[0]);
  });

  it('disposes the terminal of a closed pane only', async () => {
    const paneIds = await setup(['a', 'b']);
    await page().evaluate(
      (id) => window.paneKit.run(() => window.paneKit.services.layout.getState().closePane(id)),
      paneIds[0],
    );
    expect((await terminals()).map((terminal) => terminal.disposed)).toEqual([true, false]);
    expect(await paneAgents()).toEqual(['b']);
    expect(await page().locator('.xterm').count()).toBe(1);
  });

  it('stops listening for shortcuts when unmounted', async () => {
    const paneIds = await setup(['a', 'b']);
    await page().evaluate(() => window.paneKit.unmount());
    await page().keyboard.press('Control+1');
    expect((await layout()).focusedPaneId).toBe(paneIds[1]);
  });
});
