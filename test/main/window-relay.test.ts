import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Delivery } from '../../src/shared/delivery';
import type { Channel } from '../../src/shared/protocol';
import { ChannelStore, DEFAULT_OUTPUT_TAIL, type SubscriptionHandle } from '../../src/client/index';
import { type RelayConnection, type RelayWindow, WindowRelay } from '../../src/main/window-relay';

/**
 * The client core as the relay sees it: a counting stand-in for its
 * ref-counted subscribe, and its real store (which `route` callers apply
 * each batch to first, as the connection does).
 */
function connection(): RelayConnection & {
  active: Map<Channel, number>;
  urgent: Map<Channel, boolean>;
  store: ChannelStore;
} {
  const active = new Map<Channel, number>();
  const urgent = new Map<Channel, boolean>();
  return {
    active,
    urgent,
    store: new ChannelStore(DEFAULT_OUTPUT_TAIL),
    subscribe(channel, options) {
      active.set(channel, (active.get(channel) ?? 0) + 1);
      if (options?.urgent !== undefined) urgent.set(channel, options.urgent);
      let done = false;
      const handle = (() => {
        if (done) return;
        done = true;
        const left = (active.get(channel) ?? 1) - 1;
        if (left > 0) active.set(channel, left);
        else active.delete(channel);
      }) as SubscriptionHandle;
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

const output = (channel: Channel, n: number): Delivery => ({ kind: 'output', channel, text: `${n}\n`, offset: n });

describe('WindowRelay', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('forwards each connection batch to a visible window at once, one message, only the channels it subscribed', () => {
    const relay = new WindowRelay(connection());
    const a = window(1);
    const b = window(2);
    relay.addWindow(a);
    relay.addWindow(b);
    relay.subscribe(1, 's1', 'agent:x');
    relay.subscribe(2, 's1', 'agent:y');
    relay.route([output('agent:x', 1), output('agent:y', 1), output('agent:x', 2), output('issue:9', 1)]);
    // The connection has batched already: nothing more is held, and no timer is left.
    expect(vi.getTimerCount()).toBe(0);
    expect(a.batches).toEqual([[{ kind: 'output', channel: 'agent:x', text: '1\n2\n', offset: 2 }]]);
    expect(b.batches).toEqual([[output('agent:y', 1)]]);
  });

  it('holds a hidden window’s batches for 250 ms and sends them as one, output joined', () => {
    const relay = new WindowRelay(connection());
    const visible = window(1);
    const hidden = window(2);
    hidden.visible = false;
    relay.addWindow(visible);
    relay.addWindow(hidden);
    relay.subscribe(1, 's', 'agent:x', { urgent: true });
    relay.subscribe(2, 's', 'agent:x');
    relay.route([output('agent:x', 1)]);
    expect(visible.batches).toHaveLength(1);
    vi.advanceTimersByTime(200);
    relay.route([output('agent:x', 2)]);
    expect(visible.batches).toHaveLength(2);
    vi.advanceTimersByTime(49);
    expect(hidden.batches).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(hidden.batches).toEqual([[{ kind: 'output', channel: 'agent:x', text: '1\n2\n', offset: 2 }]]);
    // Joining made a new delivery: the visible window's own batches are untouched.
    expect(visible.batches.flat()).toEqual([output('agent:x', 1), output('agent:x', 2)]);
  });

  it('sends what a hidden window holds at once when it becomes visible', () => {
    const relay = new WindowRelay(connection());
    const w = window(1);
    w.visible = false;
    relay.addWindow(w);
    relay.subscribe(1, 's', 'issue:1');
    relay.route([output('issue:1', 1)]);
    expect(w.batches).toHaveLength(0);
    w.visible = true;
    relay.visibilityChanged(1);
    expect(w.batches).toEqual([[output('issue:1', 1)]]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('flushes a hidden window at once past 256 KiB', () => {
    const relay = new WindowRelay(connection());
    const w = window(1);
    w.visible = false;
    relay.addWindow(w);
    relay.subscribe(1, 's', 'agent:x');
    relay.route([{ kind: 'output', channel: 'agent:x', text: 'x'.repeat(300 * 1024) }]);
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
    w.visible = false;
    relay.addWindow(w);
    relay.subscribe(1, 's', 'agent:x');
    relay.route([output('agent:x', 1)]);
    w.destroyed = true;
    vi.advanceTimersByTime(250);
    expect(w.batches).toEqual([]);
  });

  it('gives a window that joins a held channel its snapshot and tail from the connection’s store', () => {
    const core = connection();
    const relay = new WindowRelay(core);
    const first = window(1);
    const late = window(2);
    relay.addWindow(first);
    relay.addWindow(late);
    relay.subscribe(1, 's', 'agent:x', { tail: 10, snapshot: true });
    const batch: Delivery[] = [
      {
        kind: 'snapshot',
        channel: 'agent:x',
        data: { issues: [{ issueId: '7', agentId: 'x' }], agents: [{ agentId: 'x', status: 'working', issueId: '7' }] },
      },
      { kind: 'tail', channel: 'agent:x', text: 'old 1\nold 2\n' },
      { kind: 'subscribed', channel: 'agent:x', resumed: false },
      output('agent:x', 3),
    ];
    core.store.apply(batch, 5);
    relay.route(batch);
    relay.subscribe(2, 's', 'agent:x', { tail: 2, snapshot: true });
    expect(late.batches).toEqual([]);
    // On the next turn, as a live batch would arrive.
    vi.advanceTimersByTime(0);
    expect(late.batches.flat()).toEqual([
      {
        kind: 'snapshot',
        channel: 'agent:x',
        data: {
          issues: [{ issueId: '7', agentId: 'x' }],
          agents: [{ agentId: 'x', status: 'working', issueId: '7', lastActivityAt: 5 }],
        },
      },
      { kind: 'tail', channel: 'agent:x', text: 'old 2\n3\n' },
      { kind: 'subscribed', channel: 'agent:x', resumed: false },
    ]);
  });

  it('gives a late joiner nothing from the store before the channel’s first subscribed (the hub’s own comes)', () => {
    const core = connection();
    const relay = new WindowRelay(core);
    const late = window(2);
    relay.addWindow(window(1));
    relay.addWindow(late);
    relay.subscribe(1, 's', 'agent:x', { tail: 10 });
    relay.subscribe(2, 's', 'agent:x', { tail: 10 });
    vi.advanceTimersByTime(0);
    expect(late.batches).toEqual([]);
    const batch: Delivery[] = [
      { kind: 'tail', channel: 'agent:x', text: 'old\n' },
      { kind: 'subscribed', channel: 'agent:x', resumed: false },
    ];
    core.store.apply(batch, 1);
    relay.route(batch);
    expect(late.batches).toEqual([batch]);
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
    expect(w.batches.flat()).toEqual([{ kind: 'error', code: 'rate_limited', message: 'slow down' }]);
  });

  it('makes a focused pane urgent only while its window is visible', () => {
    const core = connection();
    const relay = new WindowRelay(core);
    const w = window(1);
    w.visible = false;
    relay.addWindow(w);
    relay.subscribe(1, 's', 'agent:x', { urgent: true });
    expect(core.urgent.get('agent:x')).toBe(false);
    w.visible = true;
    relay.visibilityChanged(1);
    expect(core.urgent.get('agent:x')).toBe(true);
    w.visible = false;
    relay.visibilityChanged(1);
    expect(core.urgent.get('agent:x')).toBe(false);
    // Focus moved while hidden: remembered, applied once shown.
    relay.setUrgent(1, 's', false);
    w.visible = true;
    relay.visibilityChanged(1);
    expect(core.urgent.get('agent:x')).toBe(false);
    relay.setUrgent(1, 's', true);
    expect(core.urgent.get('agent:x')).toBe(true);
  });
});
