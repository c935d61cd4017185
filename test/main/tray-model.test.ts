import { describe, expect, it } from 'vitest';
import { INITIAL_STATE, type ConnectionState, type ConnectionStatus } from '../../src/shared/connection-state';
import type { AgentState } from '../../src/shared/protocol';
import { nextMorning, pauseUntil, trayMenu, trayState, type TrayState } from '../../src/main/tray-model';

// Times are built from local calendar fields, so the assertions hold in any time zone.
const NOW = new Date(2025, 0, 15, 13, 0).getTime();
const HOUR = 3_600_000;

const connection = (status: ConnectionStatus): ConnectionState => ({ ...INITIAL_STATE, status });
const waiting: AgentState = { agentId: 'opus-1', status: 'waiting_for_input', issueId: '42' };
const failed: AgentState = { agentId: 'opus-2', status: 'failed' };
const working: AgentState = { agentId: 'opus-3', status: 'working', issueId: '7' };
const connected: TrayState = { icon: 'connected', attention: 0, tooltip: 'Falcon Monitor — connected' };

const ids = (items: { id: string }[]): string[] => items.map((item) => item.id);

describe('trayState', () => {
  it.each<[ConnectionStatus, TrayState['icon']]>([
    ['open', 'connected'],
    ['idle', 'reconnecting'],
    ['connecting', 'reconnecting'],
    ['reconnecting', 'reconnecting'],
    ['authFailed', 'authFailed'],
    ['offline', 'offline'],
    ['closed', 'offline'],
  ])('shows the %s connection as the %s icon', (status, icon) => {
    expect(trayState(connection(status), [], null, NOW).icon).toBe(icon);
  });

  it('counts the agents waiting for input or failed', () => {
    expect(trayState(connection('open'), [waiting, failed, working], null, NOW).attention).toBe(2);
    expect(trayState(connection('open'), [working], null, NOW).attention).toBe(0);
  });

  it('says only the connection when nothing else matters', () => {
    expect(trayState(connection('open'), [working], null, NOW).tooltip).toBe('Falcon Monitor — connected');
    expect(trayState(connection('authFailed'), [], null, NOW).tooltip).toBe('Falcon Monitor — token refused');
  });

  it('adds how many agents need attention and until when notifications are paused', () => {
    const pausedUntil = new Date(2025, 0, 15, 14, 0).getTime();
    expect(trayState(connection('open'), [waiting, failed], pausedUntil, NOW).tooltip).toBe(
      'Falcon Monitor — connected · 2 agents need attention · notifications paused until 14:00',
    );
    expect(trayState(connection('reconnecting'), [waiting], null, NOW).tooltip).toBe(
      'Falcon Monitor — reconnecting… · 1 agent needs attention',
    );
  });

  it('names the day of a pause that ends tomorrow, and forgets a pause that is over', () => {
    const tomorrow = new Date(2025, 0, 16, 8, 0).getTime();
    expect(trayState(connection('open'), [], tomorrow, NOW).tooltip).toContain('paused until tomorrow 08:00');
    expect(trayState(connection('open'), [], NOW - 1, NOW).tooltip).not.toContain('paused');
  });
});

describe('trayMenu', () => {
  const menu = (overrides: Partial<Parameters<typeof trayMenu>[0]> = {}) =>
    trayMenu({
      state: connected,
      agentsNeedingAttention: [],
      pausedUntil: null,
      now: NOW,
      trayEnabled: true,
      ...overrides,
    });

  it('lists status, show, attention, pause and quit in that order', () => {
    expect(ids(menu())).toEqual([
      'status',
      'show',
      'separator-attention',
      'no-attention',
      'separator-notifications',
      'pause-hour',
      'pause-morning',
      'separator-quit',
      'quit',
    ]);
    const items = menu();
    expect(items.find((item) => item.id === 'show')).toMatchObject({
      label: 'Show Falcon Monitor',
      action: { type: 'show' },
    });
    expect(items.find((item) => item.id === 'no-attention')).toMatchObject({
      label: 'No agent needs attention',
      enabled: false,
    });
    expect(items.at(-1)).toMatchObject({ label: 'Quit', action: { type: 'quit' } });
  });

  it('shows the connection in a disabled first item', () => {
    expect(menu().at(0)).toEqual({ id: 'status', label: 'Connected', enabled: false });
    expect(menu({ state: { ...connected, icon: 'offline' } }).at(0)?.label).toBe('Offline');
  });

  it('lists each agent needing attention under a header, opening its pane', () => {
    const items = menu({ agentsNeedingAttention: [waiting, failed] });
    expect(items.slice(3, 6)).toEqual([
      { id: 'attention-header', label: 'Needs attention', enabled: false },
      {
        id: 'attention:opus-1',
        label: 'opus-1 — waiting for input on #42',
        action: { type: 'open', target: { kind: 'agent', id: 'opus-1' } },
      },
      {
        id: 'attention:opus-2',
        label: 'opus-2 — failed',
        action: { type: 'open', target: { kind: 'agent', id: 'opus-2' } },
      },
    ]);
    expect(ids(items)).not.toContain('no-attention');
  });

  it('folds a long attention list into "and N more"', () => {
    const many = Array.from({ length: 13 }, (_, i): AgentState => ({ agentId: `a${i}`, status: 'failed' }));
    const items = menu({ agentsNeedingAttention: many });
    expect(items.filter((item) => item.id.startsWith('attention:'))).toHaveLength(10);
    expect(items.find((item) => item.id === 'attention-more')).toMatchObject({
      label: 'and 3 more…',
      action: { type: 'show' },
    });
  });

  it('offers to pause for an hour or until the next morning', () => {
    const items = menu();
    expect(items.find((item) => item.id === 'pause-hour')).toMatchObject({
      label: 'Pause notifications for 1 hour',
      action: { type: 'pause', for: 'hour' },
    });
    expect(items.find((item) => item.id === 'pause-morning')).toMatchObject({
      label: 'Pause until tomorrow 08:00',
      action: { type: 'pause', for: 'morning' },
    });
  });

  it('resolves a pause when it is clicked, not when the menu was built', () => {
    const later = NOW + 3 * HOUR;
    expect(pauseUntil({ type: 'pause', for: 'hour' }, later)).toBe(later + HOUR);
    expect(pauseUntil({ type: 'pause', for: 'morning' }, later)).toBe(nextMorning(later));
  });

  it('builds the same menu for the same state a minute later (the tray is rebuilt only on change)', () => {
    expect(JSON.stringify(menu())).toBe(JSON.stringify(menu({ now: NOW + 60_000 })));
  });

  it('offers to resume instead while paused', () => {
    const items = menu({ pausedUntil: new Date(2025, 0, 15, 14, 0).getTime() });
    expect(ids(items)).not.toContain('pause-hour');
    expect(items.find((item) => item.id === 'resume')).toMatchObject({
      label: 'Resume notifications (paused until 14:00)',
      action: { type: 'resume' },
    });
    expect(ids(menu({ pausedUntil: NOW }))).toContain('pause-hour');
  });

  it('is empty when the tray is turned off', () => {
    expect(menu({ trayEnabled: false, agentsNeedingAttention: [waiting] })).toEqual([]);
  });
});

describe('nextMorning', () => {
  it('is today at 08:00 before eight', () => {
    const early = new Date(2025, 0, 15, 6, 30).getTime();
    expect(nextMorning(early)).toBe(new Date(2025, 0, 15, 8, 0).getTime());
  });

  it('is tomorrow at 08:00 from eight on', () => {
    expect(nextMorning(NOW)).toBe(new Date(2025, 0, 16, 8, 0).getTime());
    expect(nextMorning(new Date(2025, 0, 15, 8, 0).getTime())).toBe(new Date(2025, 0, 16, 8, 0).getTime());
  });

  it('crosses month ends and takes another hour', () => {
    expect(nextMorning(new Date(2025, 0, 31, 23, 0).getTime(), 7)).toBe(new Date(2025, 1, 1, 7, 0).getTime());
  });

  // Spans the US and EU daylight-saving changes; a day is 23–25 h long there, hence 25 h.
  it.each([NOW, new Date(2025, 2, 8).getTime(), new Date(2025, 2, 29).getTime(), new Date(2025, 9, 25).getTime()])(
    'is always ahead, within a day, at the hour in local time (from %i)',
    (start) => {
      for (let now = start; now < start + 2 * 24 * HOUR; now += 37 * 60_000) {
        const morning = nextMorning(now);
        expect(morning).toBeGreaterThan(now);
        expect(morning).toBeLessThanOrEqual(now + 25 * HOUR);
        expect(new Date(morning).getHours()).toBe(8);
        expect(new Date(morning).getMinutes()).toBe(0);
      }
    },
  );

  it('rejects an hour outside the day', () => {
    expect(() => nextMorning(NOW, 24)).toThrow(RangeError);
    expect(() => nextMorning(NOW, 1.5)).toThrow(RangeError);
  });
});
