import type { Delivery, SubscribeOptions } from '../shared/delivery';
import type { Channel } from '../shared/protocol';
import { deliverySize } from '../client/delivery';
import { ChannelCache } from './channel-cache';

/** A window as the relay sees it; the Electron adapter wraps a BrowserWindow in this. */
export interface RelayWindow {
  readonly id: number;
  isDestroyed(): boolean;
  /** False while hidden or minimised: such windows get coalesced batches. */
  isVisible(): boolean;
  /** One IPC message carrying a batch. */
  send(batch: Delivery[]): void;
}

/** The slice of the client core the relay uses. */
export interface RelayConnection {
  subscribe(channel: Channel, options?: SubscribeOptions): (() => void) & { setUrgent(urgent: boolean): void };
}

export interface RelayOptions {
  /** Flush a visible window's batch this long after its first delivery (default 16 ms, one frame). */
  flushMs: number;
  /** Flush hidden or minimised windows this rarely (default 250 ms). */
  backgroundMs: number;
  /** Flush at once past this many characters (default 256 KiB). */
  maxBytes: number;
  now: () => number;
}

interface WindowSubscription {
  channel: Channel;
  handle: (() => void) & { setUrgent(urgent: boolean): void };
  urgent: boolean;
}

interface WindowState {
  window: RelayWindow;
  subscriptions: Map<string, WindowSubscription>;
  /** Channel → number of this window's subscriptions to it. */
  channels: Map<Channel, number>;
  queue: Delivery[];
  bytes: number;
  timer: ReturnType<typeof setTimeout> | null;
  dueAt: number;
}

/**
 * Main process side of the one connection: forwards to each window only the
 * channels it subscribed, as one IPC message per window per flush. The pane
 * the user is looking at (urgent) is flushed on the next turn; visible windows
 * within a frame; hidden or minimised ones every 250 ms. Windows share the
 * connection's ref-counted subscriptions, and a window joining a channel
 * another already holds gets its snapshot and tail from the channel cache.
 */
export class WindowRelay {
  private readonly windows = new Map<number, WindowState>();
  /** Channels whose first `subscribed` has arrived since the connection subscribed them. */
  private readonly ready = new Set<Channel>();
  private readonly holders = new Map<Channel, number>();
  private readonly cache = new ChannelCache();
  private readonly options: RelayOptions;

  constructor(
    private readonly connection: RelayConnection,
    options: Partial<RelayOptions> = {},
  ) {
    this.options = { flushMs: 16, backgroundMs: 250, maxBytes: 256 * 1024, now: Date.now, ...options };
  }

  /** Starts relaying to a window; the returned undo releases everything it held. */
  addWindow(window: RelayWindow): () => void {
    this.windows.set(window.id, {
      window,
      subscriptions: new Map(),
      channels: new Map(),
      queue: [],
      bytes: 0,
      timer: null,
      dueAt: 0,
    });
    return () => this.removeWindow(window.id);
  }

  subscribe(windowId: number, subscriptionId: string, channel: Channel, options: SubscribeOptions = {}): void {
    const state = this.windows.get(windowId);
    if (!state || state.subscriptions.has(subscriptionId)) return;
    const alreadyHeld = (this.holders.get(channel) ?? 0) > 0;
    const handle = this.connection.subscribe(channel, options);
    const urgent = options.urgent === true;
    state.subscriptions.set(subscriptionId, { channel, handle, urgent });
    state.channels.set(channel, (state.channels.get(channel) ?? 0) + 1);
    this.holders.set(channel, (this.holders.get(channel) ?? 0) + 1);
    // A late joiner: the hub will not send this channel's snapshot and tail again.
    if (alreadyHeld && this.ready.has(channel)) {
      for (const delivery of this.cache.catchUp(channel, options)) this.enqueue(state, delivery, true);
    }
  }

  unsubscribe(windowId: number, subscriptionId: string): void {
    const state = this.windows.get(windowId);
    const subscription = state?.subscriptions.get(subscriptionId);
    if (!state || !subscription) return;
    state.subscriptions.delete(subscriptionId);
    subscription.handle();
    const count = (state.channels.get(subscription.channel) ?? 1) - 1;
    if (count > 0) state.channels.set(subscription.channel, count);
    else state.channels.delete(subscription.channel);
    this.release(subscription.channel);
  }

  private release(channel: Channel): void {
    const holders = (this.holders.get(channel) ?? 1) - 1;
    if (holders > 0) {
      this.holders.set(channel, holders);
    } else {
      this.holders.delete(channel);
      this.ready.delete(channel);
      this.cache.forget(channel);
    }
  }

  /**
   * Holds a channel for main itself (notifications and the tray need every
   * project even with no window open). Counts as a holder, so windows that
   * subscribe later get their snapshot from the cache. Returns its undo.
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
    const subscription = this.windows.get(windowId)?.subscriptions.get(subscriptionId);
    if (!subscription) return;
    subscription.urgent = urgent;
    subscription.handle.setUrgent(urgent);
  }

  /** A window was shown, hidden, minimised or restored: a pending slow batch goes out now when it becomes visible. */
  visibilityChanged(windowId: number): void {
    const state = this.windows.get(windowId);
    if (state && state.queue.length > 0 && state.window.isVisible()) this.schedule(state, true);
  }

  /** Routes one batch from the connection to the windows that subscribed its channels. */
  route(batch: Delivery[]): void {
    this.cache.ingest(batch, this.options.now());
    for (const delivery of batch) {
      if (delivery.kind === 'subscribed') this.ready.add(delivery.channel);
      const channel = delivery.channel;
      for (const state of this.windows.values()) {
        // Errors without a channel (e.g. rate limits) concern everyone.
        if (channel !== undefined && !state.channels.has(channel)) continue;
        this.enqueue(state, delivery, channel !== undefined && this.isUrgent(state, channel));
      }
    }
  }

  /** Number of windows and, per window, of subscriptions: for tests and diagnostics. */
  describe(): Array<{ windowId: number; channels: Channel[] }> {
    return [...this.windows.values()].map((state) => ({
      windowId: state.window.id,
      channels: [...state.channels.keys()],
    }));
  }

  dispose(): void {
    for (const id of [...this.windows.keys()]) this.removeWindow(id);
  }

  private removeWindow(windowId: number): void {
    const state = this.windows.get(windowId);
    if (!state) return;
    for (const id of [...state.subscriptions.keys()]) this.unsubscribe(windowId, id);
    if (state.timer) clearTimeout(state.timer);
    this.windows.delete(windowId);
  }

  private isUrgent(state: WindowState, channel: Channel): boolean {
    for (const subscription of state.subscriptions.values()) {
      if (subscription.urgent && subscription.channel === channel) return true;
    }
    return false;
  }

  private enqueue(state: WindowState, delivery: Delivery, urgent: boolean): void {
    state.queue.push(delivery);
    state.bytes += deliverySize(delivery);
    if (state.bytes >= this.options.maxBytes) return this.flush(state);
    this.schedule(state, urgent && state.window.isVisible());
  }

  private schedule(state: WindowState, urgent: boolean): void {
    const delay = urgent ? 0 : state.window.isVisible() ? this.options.flushMs : this.options.backgroundMs;
    const dueAt = this.options.now() + delay;
    // Keep an earlier flush; move a later one forward.
    if (state.timer && state.dueAt <= dueAt) return;
    if (state.timer) clearTimeout(state.timer);
    state.dueAt = dueAt;
    state.timer = setTimeout(() => this.flush(state), delay);
  }

  private flush(state: WindowState): void {
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
    if (state.queue.length === 0) return;
    const batch = state.queue;
    state.queue = [];
    state.bytes = 0;
    // A batch can come due after its window closed: sending to a destroyed window throws in Electron.
    if (state.window.isDestroyed()) return;
    state.window.send(batch);
  }
}
