import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Delivery } from '../../src/shared/delivery';
import type { Channel } from '../../src/shared/protocol';
import { type RelayConnection, type RelayWindow, WindowRelay } from '../../src/main/window-relay';

/** A stand-in for the client core's subscribe: counts server subscriptions per channel. */
function connection(): RelayConnection & { active: Map<Channel, number>; urgent: Map<Channel, boolean> } {
  const active = new Map<Channel, number>();
  const urgent = new Map<Channel, boolean>();
  return {
    active,
    urgent,
    subscribe(channel) {
      active.set(channel, (active.get(channel) ?? 0) + 1);
      let done = false;
      const handle = (() => {
        if (done) return;
        done = true;
        const left = (active.get(channel) ?? 1) - 1;
        if (left > 0) active.set(channel, left);
        else active.delete(channel);
      }) as (() => void) & { setUrgent(urgent: boolean): void };
      handle.setUrgent = (value) => void urgent.set(channel, value);
      return handle;
    },
  };
}

function window(id: number): RelayWindow & { batches: Delivery[][]; visible: boolean; destroyed: boolean } {
  const state = {
    id,
    batches: [] as Delivery[][],
    visible: true,
    destroyed: false,
    isDestroyed: () => state.destroyed,
    isVisible: () => state.visible,
    send: (batch: Delivery[]) => void state.batches.push(batch),
  };
  return state;
}

const event = (channel: Channel, n: number): Delivery => ({
  kind: 'event',
  channel,
  event: 'output',
  data: { timestamp: 0, content: `${n}\n` },
  offset: n,
});

describe('WindowRelay', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('forwards to each window only the channels it subscribed, one message per flush', () => {
    const relay = new WindowRelay(connection());
    const a = window(1);
    const b = window(2);
    relay.addWindow(a);
    relay.addWindow(b);
    relay.subscribe(1, 's1', 'agent:x');
    relay.subscribe(2, 's1', 'agent:y');
    relay.route([event('agent:x', 1), event('agent:y', 1), event('agent:x', 2), event('issue:9', 1)]);
    expect(a.batches).toEqual([]);
    vi.advanceTimersByTime(16);
    expect(a.batches).toEqual([[event('agent:x', 1), event('agent:x', 2)]]);
    expect(b.batches).toEqual([[event('agent:y', 1)]]);
  });

  it('flushes the urgent pane on the next turn and hidden windows every 250 ms', () => {
    const relay = new WindowRelay(connection());
    const focused = window(1);
    const hidden = window(2);
    hidden.visible = false;
    relay.addWindow(focused);
    relay.addWindow(hidden);
    relay.subscribe(1, 's', 'agent:x', { urgent: true });
    relay.subscribe(2, 's', 'agent:x');
    relay.route([event('agent:x', 1)]);
    vi.advanceTimersByTime(0);
    expect(focused.batches).toHaveLength(1);
    vi.advanceTimersByTime(200);
    relay.route([event('agent:x', 2)]);
    vi.advanceTimersByTime(49);
    expect(hidden.batches).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(hidden.batches).toEqual([[event('agent:x', 1), event('agent:x', 2)]]);
  });

  it('sends a coalesced batch at once when a hidden window becomes visible', () => {
    const relay = new WindowRelay(connection());
    const w = window(1);
    w.visible = false;
    relay.addWindow(w);
    relay.subscribe(1, 's', 'issue:1');
    relay.route([event('issue:1', 1)]);
    w.visible = true;
    relay.visibilityChanged(1);
    vi.advanceTimersByTime(0);
    expect(w.batches).toHaveLength(1);
  });

  it('flushes at once past 256 KiB', () => {
    const relay = new WindowRelay(connection());
    const w = window(1);
    relay.addWindow(w);
    relay.subscribe(1, 's', 'agent:x');
    relay.route([
      { kind: 'event', channel: 'agent:x', event: 'output', data: { timestamp: 0, content: 'x'.repeat(300 * 1024) } },
    ]);
    expect(w.batches).toHaveLength(1);
  });

  it('shares one server subscription between windows and releases it when the last closes', () => {
    const core = connection();
    const relay = new WindowRelay(core);
    const closeA = relay.addWindow(window(1));
    const closeB = relay.addWindow(window(2));
    relay.subscribe(1, 's', 'agent:x');
    relay.subscribe(2, 's', 'agent:x');
    relay.subscribe(2, 't', 'agent:x');
    expect(core.active.get('agent:x')).toBe(3);
    closeB();
    expect(core.active.get('agent:x')).toBe(1);
    closeA();
    expect(core.active.has('agent:x')).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('never sends to a destroyed window, even when a batch comes due after it closed', () => {
    const relay = new WindowRelay(connection());
    const w = window(1);
    relay.addWindow(w);
    relay.subscribe(1, 's', 'agent:x');
    relay.route([event('agent:x', 1)]);
    w.destroyed = true;
    vi.advanceTimersByTime(16);
    expect(w.batches).toEqual([]);
  });

  it('gives a window that joins a held channel its snapshot and tail from the cache', () => {
    const relay = new WindowRelay(connection());
    const first = window(1);
    const late = window(2);
    relay.addWindow(first);
    relay.addWindow(late);
    relay.subscribe(1, 's', 'agent:x', { tail: 10 });
    relay.route([
      { kind: 'tail', channel: 'agent:x', lines: ['old 1\n', 'old 2\n'] },
      { kind: 'subscribed', channel: 'agent:x', resumed: false },
      event('agent:x', 3),
    ]);
    relay.subscribe(2, 's', 'agent:x', { tail: 2 });
    vi.advanceTimersByTime(16);
    expect(late.batches.flat()).toEqual([
      { kind: 'tail', channel: 'agent:x', lines: ['old 2\n', '3\n'] },
      { kind: 'subscribed', channel: 'agent:x', resumed: false },
    ]);
  });

  it('passes urgency to the connection and errors without a channel to every window', () => {
    const core = connection();
    const relay = new WindowRelay(core);
    const w = window(1);
    relay.addWindow(w);
    relay.subscribe(1, 's', 'agent:x');
    relay.setUrgent(1, 's', true);
    expect(core.urgent.get('agent:x')).toBe(true);
    relay.route([{ kind: 'error', code: 'rate_limited', message: 'slow down' }]);
    vi.advanceTimersByTime(16);
    expect(w.batches.flat()).toEqual([{ kind: 'error', code: 'rate_limited', message: 'slow down' }]);
  });
});
