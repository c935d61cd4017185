import type { ChannelStore, ConnectionOptions, SubscriptionHandle } from '../client/index';
import type { Delivery, SubscribeOptions } from '../shared/delivery';
import type { Channel } from '../shared/protocol';
import type { RelayDelivery } from '../shared/relay-delivery';
import { RecentBytes } from './recent-bytes';
import { RelayBatcher } from './relay-batcher';
import { WindowBacklog } from './window-backlog';

/** A window as the relay sees it; the Electron adapter wraps a BrowserWindow in this. */
export interface RelayWindow {
  readonly id: number;
  isDestroyed(): boolean;
  /** False while hidden or minimised: such windows get coalesced batches. */
  isVisible(): boolean;
  /** One IPC message carrying a batch. */
  send(batch: RelayDelivery[]): void;
}

/** The slice of the client core the relay uses: its subscriptions, and its board for late joiners. */
export interface RelayConnection {
  subscribe(channel: Channel, options?: SubscribeOptions): SubscriptionHandle;
  readonly store: Pick<ChannelStore, 'snapshot'>;
}

/**
 * How main's connection is made when this relay serves it: the relay batches
 * and joins output itself and keeps the output tail (as bytes), so the client
 * core hands each decoded batch on at once, output unjoined, and keeps no
 * text tail — the work is not done twice.
 */
export const RELAYED_CONNECTION: Pick<ConnectionOptions, 'batch' | 'outputTail'> = {
  batch: { flushMs: 0, joinOutput: false },
  outputTail: false,
};

export interface RelayOptions {
  /** Flush to visible windows this long after the first queued delivery (default 16 ms, one frame). */
  flushMs: number;
  /** Flush hidden or minimised windows this rarely (default 250 ms). */
  backgroundMs: number;
  /** Flush at once past this many bytes (default 256 KiB). */
  maxBytes: number;
  /** Output kept per agent channel for windows that join it later: lines (default 2000)… */
  tailLines: number;
  /** …and bytes (default 1 MiB), whichever is reached first. */
  tailBytes: number;
}

interface WindowSubscription {
  channel: Channel;
  handle: SubscriptionHandle;
  /** What the renderer asked for (its focused pane); urgent only while the window is visible. */
  wantsUrgent: boolean;
  /** What the connection and the relay's batcher were last told. */
  urgent: boolean;
}

interface WindowState {
  window: RelayWindow;
  subscriptions: Map<string, WindowSubscription>;
  /** Channel → number of this window's subscriptions to it. */
  channels: Map<Channel, number>;
  /** What the window holds while hidden or minimised. */
  backlog: WindowBacklog;
}

const encoder = new TextEncoder();

/**
 * Main process side of the one connection: forwards to each window only the
 * channels it subscribed. One `RelayBatcher` gathers the connection's
 * deliveries for every window and flushes every frame (16 ms, or at once at
 * 256 KiB, or on the next turn for a channel a window marked urgent), each
 * channel's output joined into one UTF-8 buffer — encoded once, whatever the
 * number of windows. Each flush updates the output cache (`RecentBytes`, one
 * append per run) and goes to every visible window that subscribed any of
 * it as one IPC message; a hidden or minimised window gets its share joined
 * every 250 ms. Windows share the connection's ref-counted subscriptions,
 * and a window joining a channel another already holds gets its snapshot
 * from the connection's store and its tail from the cache.
 *
 * A window's focused pane is urgent (the hub flushes its agent within a
 * frame, the relay on the next turn) only while the window is visible: a
 * hidden or minimised window's output waits 250 ms here anyway, so asking the
 * hub to hurry would only cost.
 */
export class WindowRelay {
  private readonly windows = new Map<number, WindowState>();
  /** Channels whose first `subscribed` has arrived since the connection subscribed them. */
  private readonly ready = new Set<Channel>();
  private readonly holders = new Map<Channel, number>();
  /** Channel → window subscriptions to it: only these channels are batched. */
  private readonly windowChannels = new Map<Channel, number>();
  /** Channel → window subscriptions marked urgent. */
  private readonly urgent = new Map<Channel, number>();
  private readonly recent = new Map<Channel, RecentBytes>();
  private readonly batcher: RelayBatcher;
  private readonly options: RelayOptions;

  constructor(
    private readonly connection: RelayConnection,
    options: Partial<RelayOptions> = {},
  ) {
    this.options = {
      flushMs: 16,
      backgroundMs: 250,
      maxBytes: 256 * 1024,
      tailLines: 2000,
      tailBytes: 1024 * 1024,
      ...options,
    };
    this.batcher = new RelayBatcher({ flushMs: this.options.flushMs, maxBytes: this.options.maxBytes }, (batch) =>
      this.flushed(batch),
    );
  }

  /** Starts relaying to a window; the returned undo releases everything it held. */
  addWindow(window: RelayWindow): () => void {
    const backlog = new WindowBacklog(
      { flushMs: this.options.backgroundMs, maxBytes: this.options.maxBytes },
      (batch) => sendTo(window, batch),
    );
    this.windows.set(window.id, { window, subscriptions: new Map(), channels: new Map(), backlog });
    return () => this.removeWindow(window.id);
  }

  subscribe(windowId: number, subscriptionId: string, channel: Channel, options: SubscribeOptions = {}): void {
    const state = this.windows.get(windowId);
    if (!state || state.subscriptions.has(subscriptionId)) return;
    const alreadyHeld = (this.holders.get(channel) ?? 0) > 0;
    const lateJoiner = alreadyHeld && this.ready.has(channel);
    // A late joiner's snapshot and tail are what has been sent so far: send what is queued first, so
    // nothing reaches it twice (in its snapshot and again live) and nothing is missed.
    if (lateJoiner) this.batcher.flush();
    const wantsUrgent = options.urgent === true;
    const urgent = wantsUrgent && state.window.isVisible();
    const handle = this.connection.subscribe(channel, { ...options, urgent });
    state.subscriptions.set(subscriptionId, { channel, handle, wantsUrgent, urgent });
    state.channels.set(channel, (state.channels.get(channel) ?? 0) + 1);
    this.holders.set(channel, (this.holders.get(channel) ?? 0) + 1);
    this.windowChannels.set(channel, (this.windowChannels.get(channel) ?? 0) + 1);
    if (urgent) this.urgent.set(channel, (this.urgent.get(channel) ?? 0) + 1);
    // The hub will not send this channel's snapshot and tail again.
    if (lateJoiner) this.deliver(state, this.catchUp(channel, options));
  }

  unsubscribe(windowId: number, subscriptionId: string): void {
    const state = this.windows.get(windowId);
    const subscription = state?.subscriptions.get(subscriptionId);
    if (!state || !subscription) return;
    state.subscriptions.delete(subscriptionId);
    subscription.handle();
    const { channel } = subscription;
    if (subscription.urgent) decrement(this.urgent, channel);
    decrement(state.channels, channel);
    // No window left to show it: its output is no longer batched, so what is cached would go stale.
    if (decrement(this.windowChannels, channel) === 0) this.recent.delete(channel);
    this.release(channel);
  }

  /**
   * Holds a channel for main itself (notifications and the tray need every
   * project even with no window open). Counts as a holder, so windows that
   * subscribe later get their snapshot from the store. Returns its undo.
   */
  hold(channel: Channel, options: SubscribeOptions = {}): () => void {
    const handle = this.connection.subscribe(channel, options);
    this.holders.set(channel, (this.holders.get(channel) ?? 0) + 1);
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      handle();
      this.release(channel);
    };
  }

  setUrgent(windowId: number, subscriptionId: string, urgent: boolean): void {
    const state = this.windows.get(windowId);
    const subscription = state?.subscriptions.get(subscriptionId);
    if (!state || !subscription) return;
    subscription.wantsUrgent = urgent;
    this.applyUrgency(subscription, state.window.isVisible());
  }

  /**
   * A window was shown, hidden, minimised or restored: what it holds goes out
   * now when it becomes visible, and its focused pane is urgent only while it is.
   */
  visibilityChanged(windowId: number): void {
    const state = this.windows.get(windowId);
    if (!state) return;
    const visible = state.window.isVisible();
    for (const subscription of state.subscriptions.values()) this.applyUrgency(subscription, visible);
    if (visible) state.backlog.flush();
  }

  private applyUrgency(subscription: WindowSubscription, visible: boolean): void {
    const urgent = subscription.wantsUrgent && visible;
    if (urgent === subscription.urgent) return;
    subscription.urgent = urgent;
    subscription.handle.setUrgent(urgent);
    if (urgent) this.urgent.set(subscription.channel, (this.urgent.get(subscription.channel) ?? 0) + 1);
    else decrement(this.urgent, subscription.channel);
  }

  /** Takes one batch from the connection (already applied to its store); windows get it on the next flush. */
  route(batch: readonly Delivery[]): void {
    for (const delivery of batch) {
      if (delivery.kind === 'subscribed') this.ready.add(delivery.channel);
      const { channel } = delivery;
      // Errors without a channel (e.g. rate limits) concern everyone; a channel no window shows, no one.
      if (channel !== undefined && !this.windowChannels.has(channel)) continue;
      if (channel === undefined && this.windows.size === 0) continue;
      this.batcher.push(delivery, channel !== undefined && this.urgent.has(channel));
    }
  }

  /** Sends what is queued now (tests, and before the connection closes). */
  flush(): void {
    this.batcher.flush();
  }

  dispose(): void {
    this.batcher.dispose();
    for (const id of [...this.windows.keys()]) this.removeWindow(id);
    this.recent.clear();
  }

  /** One flush: the cache first (once per run), then each window's share. */
  private flushed(batch: RelayDelivery[]): void {
    for (const delivery of batch) this.remember(delivery);
    for (const state of this.windows.values()) {
      const share = batch.filter((delivery) => delivery.channel === undefined || state.channels.has(delivery.channel));
      if (share.length > 0) this.deliver(state, share);
    }
  }

  private deliver(state: WindowState, batch: RelayDelivery[]): void {
    if (!state.window.isVisible()) {
      state.backlog.push(batch);
      return;
    }
    // Anything held from while it was hidden goes first.
    state.backlog.flush();
    sendTo(state.window, batch);
  }

  private remember(delivery: RelayDelivery): void {
    switch (delivery.kind) {
      case 'output':
        this.cacheOf(delivery.channel)?.append(delivery.data);
        return;
      case 'tail':
        // The start of a fresh subscription: what was kept before no longer joins up with it.
        this.recent.delete(delivery.channel);
        if (delivery.text) this.cacheOf(delivery.channel)?.append(encoder.encode(delivery.text));
        return;
      case 'resync':
        // What was kept may now be missing output: start over from the hub's tail.
        this.recent.delete(delivery.channel);
        return;
      default:
        return;
    }
  }

  private cacheOf(channel: Channel): RecentBytes | null {
    let cache = this.recent.get(channel);
    if (!cache) {
      // Output is an agent's: other channels keep none.
      if (!channel.startsWith('agent:')) return null;
      cache = new RecentBytes(this.options.tailLines, this.options.tailBytes);
      this.recent.set(channel, cache);
    }
    return cache;
  }

  /** What a late joiner gets first: snapshot from the store and tail from the cache, as asked, then `subscribed`. */
  private catchUp(channel: Channel, options: SubscribeOptions): RelayDelivery[] {
    const deliveries: RelayDelivery[] = [];
    if (options.snapshot) deliveries.push({ kind: 'snapshot', channel, data: this.connection.store.snapshot(channel) });
    if (options.tail && options.tail > 0)
      deliveries.push({ kind: 'tail', channel, text: this.recent.get(channel)?.last(options.tail) ?? '' });
    deliveries.push({ kind: 'subscribed', channel, resumed: false });
    return deliveries;
  }

  private release(channel: Channel): void {
    const holders = (this.holders.get(channel) ?? 1) - 1;
    if (holders > 0) {
      this.holders.set(channel, holders);
    } else {
      this.holders.delete(channel);
      this.ready.delete(channel);
    }
  }

  private removeWindow(windowId: number): void {
    const state = this.windows.get(windowId);
    if (!state) return;
    for (const id of [...state.subscriptions.keys()]) this.unsubscribe(windowId, id);
    state.backlog.dispose();
    this.windows.delete(windowId);
  }
}

/** A batch can come due after its window closed: sending to a destroyed window throws in Electron. */
function sendTo(window: RelayWindow, batch: RelayDelivery[]): void {
  if (!window.isDestroyed()) window.send(batch);
}

/** Lowers a count by one, dropping it at zero; returns what is left. */
function decrement<K>(counts: Map<K, number>, key: K): number {
  const left = (counts.get(key) ?? 1) - 1;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
  return left;
}
