// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AgentList } from '../../../src/renderer/src/components/agents/AgentList';
import type { AgentState } from '../../../src/shared/protocol';
import { INITIAL_STATE } from '../../../src/shared/connection-state';
import { createTestServices, event, renderWith, seed, deliver } from './harness';

const NOW = new Date('2030-01-01T12:00:00Z').getTime();
const AGENTS: AgentState[] = [
  { agentId: 'agent-1', status: 'idle', lastActivityAt: NOW - 3_600_000 },
  { agentId: 'agent-2', status: 'working', issueId: '12', stage: 'implement', lastActivityAt: NOW - 5_000 },
  { agentId: 'agent-3', status: 'failed', issueId: '7', stage: 'test', message: 'tests failed' },
  { agentId: 'agent-4', status: 'offline' },
  { agentId: 'agent-5', status: 'waiting_for_input', issueId: '9', stage: 'plan', lastActivityAt: NOW - 42_000 },
];

function setup() {
  const services = createTestServices();
  seed(services, [], AGENTS);
  renderWith(services, <AgentList />);
  return services;
}

const rows = () => screen.getAllByTestId('agent-row');
const row = (agentId: string) => rows().find((element) => element.dataset.agentId === agentId) as HTMLElement;

describe('AgentList', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('lists agents needing attention first, then working, idle, offline', () => {
    setup();
    expect(rows().map((element) => element.dataset.agentId)).toEqual([
      'agent-5',
      'agent-3',
      'agent-2',
      'agent-1',
      'agent-4',
    ]);
    expect(rows().map((element) => element.dataset.status)).toEqual([
      'waiting_for_input',
      'failed',
      'working',
      'idle',
      'offline',
    ]);
  });

  it('gives each status a badge with words and an icon, not colour alone', () => {
    setup();
    const badge = (agentId: string) => row(agentId).querySelector('.agent-status') as HTMLElement;
    // With the time in that status (here from the last activity: these records have no statusSince).
    expect(badge('agent-5').textContent).toBe('‖Waiting for input42s');
    expect(badge('agent-5').dataset.status).toBe('waiting_for_input');
    expect(badge('agent-3').textContent).toBe('✖Failed');
    expect(badge('agent-2').textContent).toBe('▶Working5s');
    expect(badge('agent-1').textContent).toBe('○Idle1h');
    expect(badge('agent-4').textContent).toBe('–Offline');
    expect(badge('agent-5').querySelector('[aria-hidden="true"]')?.textContent).toBe('‖');
  });

  it('shows the current issue, stage, message and last activity', () => {
    setup();
    const waiting = row('agent-5');
    expect(within(waiting).getByText('#9')).toBeTruthy();
    expect(within(waiting).getByText('plan')).toBeTruthy();
    expect(waiting.querySelector('.agent-row-age')?.textContent).toBe('last activity 42s ago');
    expect(row('agent-3').textContent).toContain('tests failed');
    expect(row('agent-4').textContent).toContain('No issue');
  });

  it('ticks the last activity age', () => {
    setup();
    act(() => void vi.advanceTimersByTime(18_000));
    expect(row('agent-5').querySelector('.agent-row-age')?.textContent).toBe('last activity 1m ago');
  });

  it('counts the agents needing attention in the heading', () => {
    const services = setup();
    const heading = screen.getByRole('heading');
    expect(within(heading).getByRole('status').textContent).toBe('2 need attention');
    act(() =>
      deliver(services, [event('agent:agent-5', 'agent_status', { agentId: 'agent-5', status: 'working' })], NOW),
    );
    expect(within(heading).getByRole('status').textContent).toBe('1 needs attention');
    expect(rows()[0].dataset.agentId).toBe('agent-3');
  });

  it('moves an agent to the top when it starts waiting for input', () => {
    const services = setup();
    act(() =>
      deliver(
        services,
        [event('agent:agent-1', 'agent_status', { agentId: 'agent-1', status: 'waiting_for_input' })],
        NOW,
      ),
    );
    expect(
      rows()
        .slice(0, 2)
        .map((element) => element.dataset.agentId),
    ).toEqual(['agent-1', 'agent-5']);
  });

  it('opens the agent’s pane on click and on Enter', () => {
    const services = setup();
    fireEvent.click(row('agent-3'));
    expect(services.layout.getState().panes.map((pane) => pane.agentId)).toEqual(['agent-3']);
    // Rows are buttons: Enter activates them natively, which is a click.
    expect(row('agent-5').tagName).toBe('BUTTON');
    expect((row('agent-5') as HTMLButtonElement).type).toBe('button');
  });

  it('moves focus between rows with j and k', () => {
    setup();
    row('agent-5').focus();
    fireEvent.keyDown(row('agent-5'), { key: 'j' });
    expect(document.activeElement).toBe(row('agent-3'));
    fireEvent.keyDown(row('agent-3'), { key: 'k' });
    expect(document.activeElement).toBe(row('agent-5'));
    fireEvent.keyDown(row('agent-5'), { key: 'k' });
    expect(document.activeElement).toBe(row('agent-5'));
  });

  it('shows time in the current status, from statusSince, ticking', () => {
    const services = setup();
    act(() =>
      deliver(
        services,
        [event('agent:agent-1', 'agent_status', { agentId: 'agent-1', status: 'working', projectId: 'alpha' })],
        NOW - 90_000,
      ),
    );
    const age = () => row('agent-1').querySelector('.agent-state-age')?.textContent;
    expect(age()).toBe('1m');
    act(() => void vi.advanceTimersByTime(60_000));
    expect(age()).toBe('2m');
  });

  it('shows a working agent without output for longer than the preference as stuck, with how long', () => {
    const services = setup();
    const badge = () => row('agent-2').querySelector('.agent-status') as HTMLElement;
    // agent-2 last had output 5 s ago; the default is 5 minutes.
    expect(badge().dataset.stuck).toBeUndefined();
    act(() => void vi.advanceTimersByTime(5 * 60_000));
    expect(badge().dataset.stuck).toBe('true');
    expect(badge().textContent).toBe('◷Stuck5m');
    expect(badge().title).toContain('no output for 5m');
    // Output un-sticks it.
    act(() => deliver(services, [{ kind: 'output', channel: 'agent:agent-2', text: 'x' }], Date.now()));
    expect(badge().dataset.stuck).toBeUndefined();
    // The preference moves the threshold; 0 turns it off.
    act(() => services.preferences.getState().setStuckAfterMinutes(1));
    act(() => void vi.advanceTimersByTime(61_000));
    expect(badge().dataset.stuck).toBe('true');
    act(() => services.preferences.getState().setStuckAfterMinutes(0));
    expect(badge().dataset.stuck).toBeUndefined();
    // Only working agents get stuck: one waiting for input is silent by nature.
    act(() => void vi.advanceTimersByTime(60 * 60_000));
    expect((row('agent-5').querySelector('.agent-status') as HTMLElement).dataset.stuck).toBeUndefined();
  });

  it('says "as of" and stops the clock while not connected', () => {
    const services = setup();
    const badge = () => row('agent-2').querySelector('.agent-status') as HTMLElement;
    act(() => services.connection.getState().setState({ ...INITIAL_STATE, status: 'open' }, NOW));
    expect(badge().dataset.stale).toBeUndefined();
    act(() => services.connection.getState().setState({ ...INITIAL_STATE, status: 'reconnecting' }, NOW));
    expect(badge().dataset.stale).toBe('true');
    const asOf = new Date(NOW).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    expect(badge().textContent).toBe(`▶Working5s· as of ${asOf}`);
    // No news is not "stuck": the page just cannot hear the agent.
    act(() => void vi.advanceTimersByTime(10 * 60_000));
    expect(badge().textContent).toBe(`▶Working5s· as of ${asOf}`);
    act(() => services.connection.getState().setState({ ...INITIAL_STATE, status: 'open' }, Date.now()));
    expect(badge().dataset.stale).toBeUndefined();
  });

  it('shows each agent’s project', () => {
    const services = setup();
    act(() =>
      deliver(
        services,
        [event('agent:agent-4', 'agent_status', { agentId: 'agent-4', status: 'offline', projectId: 'billing' })],
        NOW,
      ),
    );
    expect(row('agent-4').querySelector('.agent-row-project')?.textContent).toBe('project billing');
    expect(row('agent-1').querySelector('.agent-row-project')).toBeNull();
  });

  it('holds its order while the pointer is over it or a row has focus, and re-sorts when they leave', () => {
    const services = setup();
    const order = () => rows().map((element) => element.dataset.agentId);
    const before = order();
    const list = document.querySelector('.agent-list') as HTMLElement;
    fireEvent.pointerEnter(list);
    act(() =>
      deliver(
        services,
        [
          event('agent:agent-4', 'agent_status', { agentId: 'agent-4', status: 'failed' }),
          event('agent:agent-9', 'agent_status', { agentId: 'agent-9', status: 'waiting_for_input' }),
        ],
        NOW,
      ),
    );
    // agent-4 now failed would sort second: it keeps its place; the new agent joins at the end.
    expect(order()).toEqual([...before, 'agent-9']);
    fireEvent.pointerLeave(list);
    expect(order()).toEqual(['agent-5', 'agent-9', 'agent-3', 'agent-4', 'agent-2', 'agent-1']);

    // Keyboard focus holds it too, until focus leaves the list.
    act(() => row('agent-1').focus());
    act(() =>
      deliver(services, [event('agent:agent-1', 'agent_status', { agentId: 'agent-1', status: 'failed' })], NOW),
    );
    expect(order().at(-1)).toBe('agent-1');
    act(() => row('agent-1').blur());
    expect(order().indexOf('agent-1')).toBeLessThan(order().indexOf('agent-2'));
  });
});
