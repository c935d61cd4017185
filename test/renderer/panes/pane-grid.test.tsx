// @vitest-environment happy-dom
import { act, cleanup, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EMPTY_PANES_TEXT, PaneGrid } from '../../../src/renderer/src/components/panes/PaneGrid';
import { renderWith } from '../board/harness';
import { FakeTerminalView } from './fake-terminal-view';
import { paneServices } from './pane-test-kit';

vi.mock('../../../src/renderer/src/terminal/terminal-view', async () => ({
  TerminalView: (await import('./fake-terminal-view')).FakeTerminalView,
}));

function setup(agentIds: string[]) {
  const kit = paneServices();
  const paneIds = agentIds.map((agentId) => kit.services.layout.getState().openPane(agentId));
  renderWith(kit.services, <PaneGrid />);
  return { ...kit, layout: kit.services.layout, paneIds };
}

const panes = () => screen.queryAllByTestId('agent-pane');
const slotOf = (pane: HTMLElement) => pane.parentElement as HTMLElement;
const visibleAgents = () =>
  panes()
    .filter((pane) => !slotOf(pane).hidden)
    .map((pane) => pane.dataset.agentId);

describe('PaneGrid', () => {
  beforeEach(() => {
    FakeTerminalView.instances = [];
  });
  afterEach(() => cleanup());

  it('says how to open a pane when there is none', () => {
    setup([]);
    expect(screen.getByText(EMPTY_PANES_TEXT)).toBeTruthy();
    expect(panes()).toHaveLength(0);
  });

  it('shows every pane in a grid sized to their number', () => {
    setup(['a', 'b', 'c']);
    expect(visibleAgents()).toEqual(['a', 'b', 'c']);
    const grid = document.querySelector('.pane-grid') as HTMLElement;
    expect(grid.style.getPropertyValue('--pane-columns')).toBe('2');
    expect(grid.style.getPropertyValue('--pane-rows')).toBe('2');
    expect(screen.queryByText(EMPTY_PANES_TEXT)).toBeNull();
  });

  it('marks the focused pane, and focuses pane N on Ctrl/Cmd + N', () => {
    const { layout, paneIds } = setup(['a', 'b', 'c']);
    expect(layout.getState().focusedPaneId).toBe(paneIds[2]);
    const event = new KeyboardEvent('keydown', { key: '2', code: 'Digit2', ctrlKey: true, cancelable: true });
    act(() => void window.dispatchEvent(event));
    expect(event.defaultPrevented).toBe(true);
    expect(layout.getState().focusedPaneId).toBe(paneIds[1]);
    expect(panes()[1].classList.contains('focused')).toBe(true);
    act(() => void window.dispatchEvent(new KeyboardEvent('keydown', { key: '7', code: 'Digit7', metaKey: true })));
    expect(layout.getState().focusedPaneId).toBe(paneIds[1]);
  });

  it('shows one pane at a time as tabs, keeping the others mounted but not visible', () => {
    const { layout, paneIds } = setup(['a', 'b', 'c']);
    const [a, b, c] = FakeTerminalView.instances;
    act(() => screen.getByRole('button', { name: 'Show panes as tabs' }).click());
    expect(layout.getState().mode).toBe('tabs');
    expect(FakeTerminalView.instances).toHaveLength(3);
    expect(visibleAgents()).toEqual(['c']);
    expect([a.visible, b.visible, c.visible]).toEqual([false, false, true]);

    const tabs = screen.getAllByRole('tab');
    expect(tabs.map((tab) => tab.getAttribute('aria-selected'))).toEqual(['false', 'false', 'true']);
    act(() => tabs[0].click());
    expect(layout.getState().focusedPaneId).toBe(paneIds[0]);
    expect(visibleAgents()).toEqual(['a']);
    expect([a.visible, b.visible, c.visible]).toEqual([true, false, false]);

    act(() => screen.getByRole('button', { name: 'Show panes in a grid' }).click());
    expect(visibleAgents()).toEqual(['a', 'b', 'c']);
    expect(FakeTerminalView.instances).toHaveLength(3);
    expect(FakeTerminalView.instances.some((view) => view.disposed)).toBe(false);
  });

  it('mounts panes opened in tabs mode hidden, except the focused one', () => {
    const { layout } = setup(['a']);
    act(() => layout.getState().setMode('tabs'));
    act(() => void layout.getState().openPane('b'));
    act(() => void layout.getState().openPane('c'));
    expect(visibleAgents()).toEqual(['c']);
    expect(FakeTerminalView.instances.map((view) => view.visible)).toEqual([false, false, true]);
  });

  it('moves between tabs with the arrow keys', () => {
    const { layout, paneIds } = setup(['a', 'b']);
    act(() => layout.getState().setMode('tabs'));
    const tablist = screen.getByRole('tablist');
    act(() => tablist.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true })));
    expect(layout.getState().focusedPaneId).toBe(paneIds[0]);
    act(() => tablist.dispatchEvent(new KeyboardEvent('keydown', { key: 'End', bubbles: true })));
    expect(layout.getState().focusedPaneId).toBe(paneIds[1]);
  });

  it('disposes the terminal of a closed pane only', () => {
    const { layout, paneIds } = setup(['a', 'b']);
    act(() => layout.getState().closePane(paneIds[0]));
    expect(FakeTerminalView.instances.map((view) => view.disposed)).toEqual([true, false]);
    expect(panes().map((pane) => pane.dataset.agentId)).toEqual(['b']);
  });

  it('stops listening for shortcuts when unmounted', () => {
    const { layout, paneIds } = setup(['a', 'b']);
    cleanup();
    act(() => void window.dispatchEvent(new KeyboardEvent('keydown', { key: '1', code: 'Digit1', ctrlKey: true })));
    expect(layout.getState().focusedPaneId).toBe(paneIds[1]);
  });
});
