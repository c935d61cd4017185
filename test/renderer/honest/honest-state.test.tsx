// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChannelStore } from '../../../src/client/index';
import { AgentStateAge } from '../../../src/renderer/src/components/agents/AgentStateAge';
import { ConnectionBanner } from '../../../src/renderer/src/components/shell/ConnectionBanner';
import { DirectBridge } from '../../../src/renderer/src/bridge/direct-bridge';
import { createBoardStore } from '../../../src/renderer/src/stores/board-store';
import { createConnectionStore } from '../../../src/renderer/src/stores/connection-store';
import { INITIAL_STATE, type ConnectionState } from '../../../src/shared/connection-state';
import type { Delivery } from '../../../src/shared/delivery';
import { tokenExpiresAt } from '../../../src/shared/token-expiry';
import { createTestServices, deliver, event, fakeBridge, renderWith, seed } from '../board/harness';

const NOW = new Date('2030-01-01T12:00:00Z').getTime();
const state = (status: ConnectionState['status']): ConnectionState => ({ ...INITIAL_STATE, status });

/** An unsigned JWT-shaped token with this payload: only its claims are read here. */
function jwt(payload: object): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256' })}.${part(payload)}.signature`;
}

describe('board store: a fresh snapshot replaces its channel', () => {
  it('removes what the client core says the snapshot removed, and notes the reload once, until dismissed', () => {
    const core = new ChannelStore(null);
    const board = createBoardStore();
    const hand = (batch: Delivery[], now: number) => {
      core.apply(batch, now);
      board.getState().applyDeliveries(batch, now);
    };
    hand(
      [
        event('project:alpha', 'issue_created', { issueId: '1', status: 'todo' }),
        event('project:alpha', 'issue_created', { issueId: '2', status: 'todo' }),
        event('project:alpha', 'agent_started', { agentId: 'old', issueId: '2' }),
      ],
      1,
    );
    expect(board.getState().reload).toBeNull();
    hand(
      [
        { kind: 'resync', channel: 'project:alpha', newEpoch: true },
        {
          kind: 'snapshot',
          channel: 'project:alpha',
          data: { issues: [{ issueId: '1', projectId: 'alpha' }], agents: [] },
        },
      ],
      5,
    );
    expect(Object.keys(board.getState().issues)).toEqual(['1']);
    expect(board.getState().agents).toEqual({});
    expect(board.getState().reload).toEqual({ at: 5, restarted: true });
    board.getState().dismissReload();
    expect(board.getState().reload).toBeNull();
    // A pane's agent channel resyncing is the pane's business (its gap marker), not the board's.
    hand([{ kind: 'resync', channel: 'agent:a', newEpoch: true }], 6);
    expect(board.getState().reload).toBeNull();
    hand([{ kind: 'resync', channel: 'project:alpha', newEpoch: false }], 7);
    expect(board.getState().reload).toEqual({ at: 7, restarted: false });
  });
});

describe('connection store: since when the page is stale', () => {
  it('is stale from when an open connection is lost until it is open again, not before the first', () => {
    const connection = createConnectionStore(INITIAL_STATE);
    connection.getState().setState(state('connecting'), 1);
    connection.getState().setState(state('authFailed'), 2);
    expect(connection.getState().staleSince).toBeNull();
    connection.getState().setState(state('open'), 3);
    connection.getState().setState(state('reconnecting'), 10);
    connection.getState().setState(state('connecting'), 11);
    connection.getState().setState(state('reconnecting'), 12);
    expect(connection.getState().staleSince).toBe(10);
    connection.getState().setState(state('open'), 20);
    expect(connection.getState().staleSince).toBeNull();
    connection.getState().setState(state('offline'), 30);
    expect(connection.getState().staleSince).toBe(30);
  });
});

describe('tokenExpiresAt', () => {
  it('reads a JWT’s exp claim (seconds) as ms, and gives null for anything else', () => {
    expect(tokenExpiresAt(jwt({ sub: 'x', exp: 1_900_000_000 }))).toBe(1_900_000_000_000);
    expect(tokenExpiresAt(jwt({ sub: 'x' }))).toBeNull();
    expect(tokenExpiresAt(jwt({ exp: 'soon' }))).toBeNull();
    expect(tokenExpiresAt('not-a-jwt')).toBeNull();
    expect(tokenExpiresAt('a.%%%.c')).toBeNull();
    expect(tokenExpiresAt(null)).toBeNull();
  });

  it('is what the web edition’s bridge reports with its server settings', async () => {
    const items = new Map<string, string>([['falcon.token', jwt({ exp: 1_900_000_000 })]]);
    const bridge = new DirectBridge({
      location: { protocol: 'http:', host: '127.0.0.1:1', hash: '' },
      storage: {
        getItem: (key) => items.get(key) ?? null,
        setItem: (key, value) => void items.set(key, value),
        removeItem: (key) => void items.delete(key),
      },
      // A socket that never opens: nothing goes on the wire in this test.
      createWebSocket: () => ({
        readyState: 0,
        onopen: null,
        onmessage: null,
        onclose: null,
        onerror: null,
        send: () => undefined,
        close: () => undefined,
      }),
    });
    try {
      expect(await bridge.getServer()).toMatchObject({ hasToken: true, tokenExpiresAt: 1_900_000_000_000 });
    } finally {
      bridge.connection.close();
    }
  });
});

describe('ConnectionBanner: honest state', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('says the board was reloaded from a restarted hub, until dismissed', () => {
    const services = createTestServices();
    renderWith(services, <ConnectionBanner onOpenSettings={() => undefined} />);
    expect(screen.queryByTestId('reload-notice')).toBeNull();
    act(() => deliver(services, [{ kind: 'resync', channel: 'project:alpha', newEpoch: true }], NOW));
    expect(screen.getByTestId('reload-notice').textContent).toContain(
      'The hub restarted; the board was reloaded from it',
    );
    fireEvent.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByTestId('reload-notice')).toBeNull();
  });

  it('says since when the page is stale, and marks the page stale for the dimmed look', () => {
    const services = createTestServices();
    renderWith(services, <ConnectionBanner onOpenSettings={() => undefined} />);
    act(() => services.connection.getState().setState(state('open'), NOW));
    expect(document.documentElement.dataset.stale).toBeUndefined();
    act(() => services.connection.getState().setState({ ...state('reconnecting'), retryAt: NOW + 3000 }, NOW));
    const at = new Date(NOW).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    expect(screen.getByTestId('connection-banner').textContent).toContain(`Connection lost at ${at}`);
    expect(screen.getByTestId('connection-banner').textContent).toContain(`Showing what was known at ${at}`);
    expect(document.documentElement.dataset.stale).toBe('true');
    act(() => services.connection.getState().setState(state('open'), NOW + 5000));
    expect(document.documentElement.dataset.stale).toBeUndefined();
  });

  it('warns before the token expires, and offers to sign in again', async () => {
    const bridge = fakeBridge();
    bridge.getServer = async () => ({ url: 'ws://test/ws', hasToken: true, tokenExpiresAt: NOW + 20 * 60_000 });
    const services = createTestServices(bridge);
    const openSettings = vi.fn();
    renderWith(services, <ConnectionBanner onOpenSettings={openSettings} />);
    await act(async () => services.connection.getState().setState(state('open'), NOW));
    expect(screen.queryByTestId('token-expiry-warning')).toBeNull();
    await act(async () => void vi.advanceTimersByTime(11 * 60_000));
    expect(screen.getByTestId('token-expiry-warning').textContent).toContain('Your token expires in 9 min');
    fireEvent.click(screen.getByRole('button', { name: 'Sign in again' }));
    expect(openSettings).toHaveBeenCalledOnce();
  });
});

describe('ConnectionBanner: an expired token', () => {
  afterEach(() => cleanup());

  it('says the token expired when a refused upgrade (4003, no close code) was for a token past its exp', async () => {
    const bridge = fakeBridge();
    bridge.getServer = async () => ({ url: 'ws://test/ws', hasToken: true, tokenExpiresAt: Date.now() - 1000 });
    const services = createTestServices(bridge);
    renderWith(services, <ConnectionBanner onOpenSettings={() => undefined} />);
    await act(async () =>
      services.connection
        .getState()
        .setState({ ...state('authFailed'), lastClose: { code: 4003, reason: 'HTTP 401' } }, Date.now()),
    );
    expect(screen.getByTestId('connection-banner').textContent).toContain('The token expired');
  });
});

describe('AgentStateAge (for pane headers)', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  it('reads "Working 3m", then "Stuck 6m" when silent past the preference', () => {
    const services = createTestServices();
    seed(services, [], [{ agentId: 'a', status: 'working', statusSince: NOW - 180_000, lastActivityAt: NOW - 60_000 }]);
    renderWith(services, <AgentStateAge agentId="a" />);
    const age = screen.getByTestId('agent-state-age');
    expect(age.textContent).toBe('▶Working3m');
    act(() => void vi.advanceTimersByTime(5 * 60_000));
    expect(age.textContent).toBe('◷Stuck6m');
    expect(age.dataset.stuck).toBe('true');
  });

  it('renders nothing for an agent the board does not know', () => {
    const services = createTestServices();
    const { container } = renderWith(services, <AgentStateAge agentId="nobody" />);
    expect(container.textContent).toBe('');
  });
});
