// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AgentPane, type AgentPaneProps } from '../../../src/renderer/src/components/panes/AgentPane';
import { ServicesContext } from '../../../src/renderer/src/services';
import { renderWith, seed } from '../board/harness';
import { FakeTerminalView } from './fake-terminal-view';
import { paneServices } from './pane-test-kit';

vi.mock('../../../src/renderer/src/terminal/terminal-view', async () => ({
  TerminalView: (await import('./fake-terminal-view')).FakeTerminalView,
}));

function setup(props: Partial<AgentPaneProps> = {}, options: { detachable?: boolean } = {}) {
  const kit = paneServices(options);
  const paneId = kit.services.layout.getState().openPane('agent-1');
  seed(kit.services, [], [{ agentId: 'agent-1', status: 'waiting_for_input', issueId: '42' }]);
  const all: AgentPaneProps = { paneId, agentId: 'agent-1', focused: true, visible: true, ...props };
  const view = renderWith(kit.services, <AgentPane {...all} />);
  const rerender = (next: Partial<AgentPaneProps>) =>
    view.rerender(
      <ServicesContext.Provider value={kit.services}>
        <AgentPane {...all} {...next} />
      </ServicesContext.Provider>,
    );
  return { ...kit, paneId, rerender, unmount: view.unmount, terminal: () => FakeTerminalView.instances.at(-1)! };
}

const pane = () => screen.getByTestId('agent-pane');
const ctrl = (key: string, extra: Partial<KeyboardEventInit> = {}) =>
  act(() => {
    window.dispatchEvent(
      new KeyboardEvent('keydown', { key, ctrlKey: true, bubbles: true, cancelable: true, ...extra }),
    );
  });

describe('AgentPane', () => {
  beforeEach(() => {
    FakeTerminalView.instances = [];
  });
  afterEach(() => cleanup());

  it('mounts one terminal in the pane and feeds it the agent channel', () => {
    const { services, subscriptions, terminal } = setup();
    expect(FakeTerminalView.instances).toHaveLength(1);
    expect(pane().contains(terminal().mountedIn)).toBe(true);
    expect(terminal().options).toMatchObject({ scrollback: 10_000, theme: 'dark' });
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0].channel).toBe('agent:agent-1');
    expect(subscriptions[0].options).toEqual({ tail: services.preferences.getState().tailLines, urgent: true });

    services.output.route([
      { kind: 'tail', channel: 'agent:agent-1', text: 'old\n' },
      { kind: 'subscribed', channel: 'agent:agent-1', resumed: false },
      { kind: 'output', channel: 'agent:agent-1', text: 'hello\n' },
      { kind: 'output', channel: 'agent:agent-2', text: 'not mine\n' },
    ]);
    expect(terminal().writes).toEqual(['old\n', 'hello\n']);
    expect(terminal().markers).toEqual([['live', 'live output']]);
  });

  it('opens links through the bridge', () => {
    const { bridge, terminal } = setup();
    terminal().options.openLink('https://example.com');
    expect(bridge.openExternal).toHaveBeenCalledWith('https://example.com');
  });

  it('marks the subscription urgent only while the pane is focused and visible', () => {
    const { subscriptions, rerender } = setup({ focused: false });
    expect(subscriptions[0].options?.urgent).toBe(false);
    rerender({ focused: true });
    expect(subscriptions).toHaveLength(1);
    expect(subscriptions[0].setUrgent.mock.calls).toEqual([[true]]);
    rerender({ focused: true, visible: false });
    expect(subscriptions[0].setUrgent.mock.calls).toEqual([[true], [false]]);
    expect(FakeTerminalView.instances).toHaveLength(1);
    expect(FakeTerminalView.instances[0].setVisible).toHaveBeenLastCalledWith(false);
  });

  it('tells a terminal that mounts hidden (a background tab) that it is not visible', () => {
    const { terminal, subscriptions } = setup({ visible: false });
    expect(terminal().visible).toBe(false);
    expect(subscriptions[0].options?.urgent).toBe(false);
  });

  it('unsubscribes, leaves the router and disposes the terminal on unmount', () => {
    const { services, subscriptions, unmount, terminal } = setup();
    const view = terminal();
    unmount();
    expect(subscriptions[0].unsubscribe).toHaveBeenCalledTimes(1);
    expect(view.disposed).toBe(true);
    services.output.route([{ kind: 'output', channel: 'agent:agent-1', text: 'late' }]);
    expect(view.writes).toEqual([]);
  });

  it('shows the agent, its status and issue, and exposes renderer and follow state', () => {
    const { terminal } = setup();
    expect(pane().dataset.agentId).toBe('agent-1');
    expect(pane().textContent).toContain('agent-1');
    expect(pane().textContent).toContain('Waiting for input');
    expect(pane().textContent).toContain('#42');
    expect(pane().querySelector('.agent-pane-dot')?.getAttribute('data-status')).toBe('waiting_for_input');
    expect(pane().dataset.renderer).toBe('dom');
    expect(pane().dataset.follow).toBe('true');
    act(() => terminal().rendererChange.fire('webgl'));
    expect(pane().dataset.renderer).toBe('webgl');
  });

  it('offers "Jump to live" only while follow is paused', () => {
    const { terminal } = setup();
    expect(screen.queryByRole('button', { name: 'Jump to live output' })).toBeNull();
    act(() => terminal().setFollowing(false));
    expect(pane().dataset.follow).toBe('false');
    act(() => screen.getByRole('button', { name: 'Jump to live output' }).click());
    expect(terminal().jumpToLive).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole('button', { name: 'Jump to live output' })).toBeNull();
    expect(pane().dataset.follow).toBe('true');
  });

  it('opens search with Ctrl+F when focused: Enter finds the next match, Shift+Enter the previous, Escape closes', () => {
    const { terminal } = setup();
    ctrl('f');
    const input = screen.getByRole('searchbox', { name: 'Search output' });
    expect(document.activeElement).toBe(input);
    fireEvent.change(input, { target: { value: 'error' } });
    expect(terminal().find).toHaveBeenLastCalledWith('error', 'next', expect.objectContaining({ incremental: true }));
    fireEvent.keyDown(input, { key: 'Enter' });
    expect(terminal().find).toHaveBeenLastCalledWith('error', 'next', { caseSensitive: false, regex: false });
    fireEvent.keyDown(input, { key: 'Enter', shiftKey: true });
    expect(terminal().find).toHaveBeenLastCalledWith('error', 'previous', { caseSensitive: false, regex: false });
    act(() => screen.getByRole('button', { name: 'Previous match' }).click());
    expect(terminal().find).toHaveBeenLastCalledWith('error', 'previous', expect.anything());
    act(() => screen.getByRole('button', { name: 'Next match' }).click());
    expect(terminal().find).toHaveBeenLastCalledWith('error', 'next', expect.anything());
    act(() => terminal().searchResults.fire({ resultIndex: 1, resultCount: 5 }));
    expect(pane().textContent).toContain('2 of 5');
    fireEvent.keyDown(input, { key: 'Escape' });
    expect(screen.queryByRole('searchbox')).toBeNull();
    expect(terminal().clearSearch).toHaveBeenCalled();
    expect(terminal().focus).toHaveBeenCalled();
  });

  it('passes case and regex options to the search', () => {
    const { terminal } = setup();
    ctrl('f');
    fireEvent.change(screen.getByRole('searchbox'), { target: { value: 'e.r' } });
    act(() => screen.getByRole('button', { name: 'Match case' }).click());
    act(() => screen.getByRole('button', { name: 'Use regular expression' }).click());
    expect(screen.getByRole('button', { name: 'Use regular expression' }).getAttribute('aria-pressed')).toBe('true');
    fireEvent.keyDown(screen.getByRole('searchbox'), { key: 'Enter' });
    expect(terminal().find).toHaveBeenLastCalledWith('e.r', 'next', { caseSensitive: true, regex: true });
  });

  it('ignores Ctrl+F when another pane is focused', () => {
    setup({ focused: false });
    ctrl('f');
    expect(screen.queryByRole('searchbox')).toBeNull();
  });

  it('clears and copies through the terminal', async () => {
    const { terminal } = setup();
    act(() => screen.getByRole('button', { name: 'Clear output' }).click());
    expect(terminal().clear).toHaveBeenCalledTimes(1);
    await act(async () => screen.getByRole('button', { name: 'Copy output' }).click());
    expect(terminal().copy).toHaveBeenCalledTimes(1);
    expect(screen.getByRole('status').textContent).toBe('Copied');
  });

  it('offers Detach only when the bridge can open windows', () => {
    setup();
    expect(screen.queryByRole('button', { name: 'Detach to its own window' })).toBeNull();
    cleanup();
    const { bridge } = setup({}, { detachable: true });
    act(() => screen.getByRole('button', { name: 'Detach to its own window' }).click());
    expect(bridge.openWindow).toHaveBeenCalledWith({ kind: 'agent', id: 'agent-1' });
  });

  it('closes through the layout, and takes focus when clicked', () => {
    const { services, paneId } = setup({ focused: false });
    services.layout.getState().focusPane(null);
    fireEvent.pointerDown(pane());
    expect(services.layout.getState().focusedPaneId).toBe(paneId);
    act(() => screen.getByRole('button', { name: 'Close pane' }).click());
    expect(services.layout.getState().panes).toEqual([]);
  });

  it('gives every control an accessible name', () => {
    setup({}, { detachable: true });
    ctrl('f');
    for (const control of [...pane().querySelectorAll('button, input')]) {
      expect(control.getAttribute('aria-label'), control.outerHTML).toBeTruthy();
    }
  });

  it('applies theme and scrollback preferences to the live terminal', () => {
    const { services, terminal } = setup();
    act(() => services.preferences.getState().setTheme('light'));
    expect(terminal().setTheme).toHaveBeenLastCalledWith('light');
    act(() => services.preferences.getState().setScrollback(2000));
    expect(terminal().setScrollback).toHaveBeenLastCalledWith(2000);
    expect(FakeTerminalView.instances).toHaveLength(1);
  });
});
