import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Delivery } from '../../src/shared/delivery';
import type { RelayDelivery } from '../../src/shared/relay-delivery';
import type { Channel } from '../../src/shared/protocol';
import { ChannelStore, type SubscriptionHandle } from '../../src/client/index';
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
    store: new ChannelStore(null),
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

function window(id: number): RelayWindow & { batches: RelayDelivery[][]; visible: boolean; destroyed: boolean } {
  const state = {
    id,
    batches: [] as RelayDelivery[][],
    visible: true,
    destroyed: false,
    isDestroyed: () => state.destroyed,
    isVisible: () => state.visible,
    send: (batch: RelayDelivery[]) => void state.batches.push(batch),
  };
  return state;
}

const output = (channel: Channel, n: number): Delivery => ({ kind: 'output', channel, text: `${n}\n`, offset: n });
const bytes = (text: string) => new TextEncoder().encode(text);
/** What a window gets for a run of output: one UTF-8 buffer. */
const run = (channel: Channel, text: string, offset?: number): RelayDelivery => ({
  kind: 'output',
  channel,
  data: bytes(text),
  ...(offset === undefined ? {} : { offset }),
});

describe('WindowRelay', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends each visible window one message per frame, each channel’s output as one buffer, only its channels', () => {
    const relay = new WindowRelay(connection());
    const a = window(1);
    const b = window(2);
    relay.addWindow(a);
    relay.addWindow(b);
    relay.subscribe(1, 's1', 'agent:x');
    relay.subscribe(2, 's1', 'agent:y');
    relay.route([output('agent:x', 1), output('agent:y', 1)]);
    relay.route([output('agent:x', 2), output('issue:9', 1)]);
    expect(a.batches).toEqual([]);
    vi.advanceTimersByTime(16);
    expect(a.batches).toEqual([[run('agent:x', '1\n2\n', 2)]]);
    expect(b.batches).toEqual([[run('agent:y', '1\n', 1)]]);
    // A channel no window shows is not batched at all, and no timer is left.
    expect(vi.getTimerCount()).toBe(0);
  });

  it('flushes a channel a window marked urgent on the next turn', () => {
    const core = connection();
    const relay = new WindowRelay(core);
    const w = window(1);
    relay.addWindow(w);
    relay.subscribe(1, 's', 'agent:x');
    relay.setUrgent(1, 's', true);
    expect(core.urgent.get('agent:x')).toBe(true);
    relay.route([output('agent:x', 1)]);
    vi.advanceTimersByTime(0);
    expect(w.batches).toEqual([[run('agent:x', '1\n', 1)]]);
    relay.setUrgent(1, 's', false);
    relay.route([output('agent:x', 2)]);
    vi.advanceTimersByTime(0);
    expect(w.batches).toHaveLength(1);
    vi.advanceTimersByTime(16);
    expect(w.batches).toHaveLength(2);
  });

  it('holds a hidden window’s share for 250 ms and sends it as one, runs joined', () => {
    const relay = new WindowRelay(connection());
    const visible = window(1);
    const hidden = window(2);
    hidden.visible = false;
    relay.addWindow(visible);
    relay.addWindow(hidden);
    relay.subscribe(1, 's', 'agent:x');
    relay.subscribe(2, 's', 'agent:x');
    relay.route([output('agent:x', 1)]);
    vi.advanceTimersByTime(16);
    expect(visible.batches).toHaveLength(1);
    vi.advanceTimersByTime(184);
    relay.route([output('agent:x', 2)]);
    vi.advanceTimersByTime(16);
    expect(visible.batches).toHaveLength(2);
    // 250 ms after the first flush it got (at 16 ms).
    vi.advanceTimersByTime(49);
    expect(hidden.batches).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(hidden.batches).toEqual([[run('agent:x', '1\n2\n', 2)]]);
    // Joining made a new buffer: the visible window's own runs are untouched.
    expect(visible.batches.flat()).toEqual([run('agent:x', '1\n', 1), run('agent:x', '2\n', 2)]);
  });

  it('sends what a hidden window holds at once when it becomes visible', () => {
    const relay = new WindowRelay(connection());
    const w = window(1);
    w.visible = false;
    relay.addWindow(w);
    relay.subscribe(1, 's', 'issue:1');
    const event: Delivery = { kind: 'event', channel: 'issue:1', event: 'issue_updated', data: { issueId: '1' } };
    relay.route([event]);
    relay.flush();
    expect(w.batches).toHaveLength(0);
    w.visible = true;
    relay.visibilityChanged(1);
    expect(w.batches).toEqual([[event]]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('flushes at once past 256 KiB, for a hidden window too', () => {
    const relay = new WindowRelay(connection());
    const w = window(1);
    w.visible = false;
    relay.addWindow(w);
    relay.subscribe(1, 's', 'agent:x');
    relay.route([{ kind: 'output', channel: 'agent:x', text: 'x'.repeat(300 * 1024) }]);
    expect(w.batches).toHaveLength(1);
    expect(w.batches[0][0]).toMatchObject({ kind: 'output', channel: 'agent:x' });
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
    vi.advanceTimersByTime(300);
    expect(w.batches).toEqual([]);
  });

  it('gives a window that joins a held channel its snapshot from the store and its tail from the cache, nothing twice', () => {
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
    vi.advanceTimersByTime(16);
    // Queued but not yet sent when the late window joins: it comes in the tail, not again live.
    const queued = output('agent:x', 4);
    core.store.apply([queued], 6);
    relay.route([queued]);
    relay.subscribe(2, 's', 'agent:x', { tail: 2, snapshot: true });
    expect(late.batches.flat()).toEqual([
      {
        kind: 'snapshot',
        channel: 'agent:x',
        data: {
          issues: [{ issueId: '7', agentId: 'x' }],
          agents: [{ agentId: 'x', status: 'working', issueId: '7', lastActivityAt: 6 }],
        },
      },
      { kind: 'tail', channel: 'agent:x', text: '3\n4\n' },
      { kind: 'subscribed', channel: 'agent:x', resumed: false },
    ]);
    relay.route([output('agent:x', 5)]);
    vi.advanceTimersByTime(16);
    expect(late.batches.flat().filter((d) => d.kind === 'output')).toEqual([run('agent:x', '5\n', 5)]);
    expect(first.batches.flat().filter((d) => d.kind === 'output')).toMatchObject([
      { offset: 3 },
      { offset: 4 },
      { offset: 5 },
    ]);
  });

  it('starts the cache over on a resync and forgets it when no window shows the channel', () => {
    const core = connection();
    const relay = new WindowRelay(core);
    relay.addWindow(window(1));
    relay.addWindow(window(2));
    const setup: Delivery[] = [
      { kind: 'tail', channel: 'agent:x', text: 'old\n' },
      { kind: 'subscribed', channel: 'agent:x', resumed: false },
    ];
    relay.subscribe(1, 's', 'agent:x', { tail: 10 });
    relay.route([...setup, output('agent:x', 1), { kind: 'resync', channel: 'agent:x', newEpoch: false }]);
    relay.route([output('agent:x', 2)]);
    relay.flush();
    const late = window(3);
    relay.addWindow(late);
    relay.subscribe(3, 's', 'agent:x', { tail: 10 });
    expect(late.batches.flat()).toContainEqual({ kind: 'tail', channel: 'agent:x', text: '2\n' });
    relay.unsubscribe(1, 's');
    relay.unsubscribe(3, 's');
    // The channel is released and subscribed afresh: the hub's tail comes again, the cache is not asked.
    const again = window(4);
    relay.addWindow(again);
    relay.subscribe(4, 's', 'agent:x', { tail: 10 });
    expect(again.batches).toEqual([]);
  });

  it('gives a late joiner nothing from the store before the channel’s first subscribed (the hub’s own comes)', () => {
    const core = connection();
    const relay = new WindowRelay(core);
    const late = window(2);
    relay.addWindow(window(1));
    relay.addWindow(late);
    relay.subscribe(1, 's', 'agent:x', { tail: 10 });
    relay.subscribe(2, 's', 'agent:x', { tail: 10 });
    vi.advanceTimersByTime(16);
    expect(late.batches).toEqual([]);
    const batch: Delivery[] = [
      { kind: 'tail', channel: 'agent:x', text: 'old\n' },
      { kind: 'subscribed', channel: 'agent:x', resumed: false },
    ];
    relay.route(batch);
    vi.advanceTimersByTime(16);
    expect(late.batches).toEqual([batch]);
  });

  it('sends errors without a channel to every window', () => {
    const relay = new WindowRelay(connection());
    const w = window(1);
    relay.addWindow(w);
    relay.subscribe(1, 's', 'agent:x');
    relay.route([{ kind: 'error', code: 'rate_limited', message: 'slow down' }]);
    relay.flush();
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
