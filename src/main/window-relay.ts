import { type ChannelStore, DeliveryBatcher, type SubscriptionHandle } from '../client/index';
import type { Delivery, SubscribeOptions } from '../shared/delivery';
import type { Channel } from '../shared/protocol';

/** A window as the relay sees it; the Electron adapter wraps a BrowserWindow in this. */
export interface RelayWindow {
  readonly id: number;
  isDestroyed(): boolean;
  /** False while hidden or minimised: such windows get coalesced batches. */
  isVisible(): boolean;
  /** One IPC message carrying a batch. */
  send(batch: Delivery[]): void;
}

/** The slice of the client core the relay uses: its subscriptions, and its store for late joiners. */
export interface RelayConnection {
  subscribe(channel: Channel, options?: SubscribeOptions): SubscriptionHandle;
  readonly store: Pick<ChannelStore, 'snapshot' | 'tailText'>;
}

export interface RelayOptions {
  /** Flush hidden or minimised windows this rarely (default 250 ms). */
  backgroundMs: number;
  /** Flush at once past this many characters (default 256 KiB). */
  maxBytes: number;
}

interface WindowSubscription {
  channel: Channel;
  handle: SubscriptionHandle;
  /** What the renderer asked for (its focused pane); urgent at the connection only while the window is visible. */
  wantsUrgent: boolean;
  /** What the connection was last told. */
  urgent: boolean;
}

interface WindowState {
  window: RelayWindow;
  subscriptions: Map<string, WindowSubscription>;
  /** Channel → number of this window's subscriptions to it. */
  channels: Map<Channel, number>;
  /** The client core's batcher, one per window: holds a hidden window's deliveries, output joined. */
  batcher: DeliveryBatcher;
}

/**
 * Main process side of the one connection: forwards to each window only the
 * channels it subscribed. The connection already batches (one frame; the
 * urgent pane on the next turn), so a visible window gets each of its
 * batches as one IPC message right away; a hidden or minimised one gets them
 * joined every 250 ms. Windows share the connection's ref-counted
 * subscriptions, and a window joining a channel another already holds gets
 * its snapshot and tail from the connection's store.
 *
 * A window's focused pane is urgent (the hub flushes its agent within a
 * frame) only while the window is visible: a hidden or minimised window's
 * output waits 250 ms here anyway, so asking the hub to hurry would only cost.
 */
export class WindowRelay {
  private readonly windows = new Map<number, WindowState>();
  /** Channels whose first `subscribed` has arrived since the connection subscribed them. */
  private readonly ready = new Set<Channel>();
  private readonly holders = new Map<Channel, number>();
  private readonly options: RelayOptions;

  constructor(
    private readonly connection: RelayConnection,
    options: Partial<RelayOptions> = {},
  ) {
    this.options = { backgroundMs: 250, maxBytes: 256 * 1024, ...options };
  }

  /** Starts relaying to a window; the returned undo releases everything it held. */
  addWindow(window: RelayWindow): () => void {
    const batcher = new DeliveryBatcher(
      { flushMs: this.options.backgroundMs, maxBytes: this.options.maxBytes, joinOutput: true },
      // A batch can come due after its window closed: sending to a destroyed window throws in Electron.
      (batch) => {
        if (!window.isDestroyed()) window.send(batch);
      },
    );
    this.windows.set(window.id, { window, subscriptions: new Map(), channels: new Map(), batcher });
    return () => this.removeWindow(window.id);
  }

  subscribe(windowId: number, subscriptionId: string, channel: Channel, options: SubscribeOptions = {}): void {
    const state = this.windows.get(windowId);
    if (!state || state.subscriptions.has(subscriptionId)) return;
    const alreadyHeld = (this.holders.get(channel) ?? 0) > 0;
    const wantsUrgent = options.urgent === true;
    const urgent = wantsUrgent && state.window.isVisible();
    const handle = this.connection.subscribe(channel, { ...options, urgent });
    state.subscriptions.set(subscriptionId, { channel, handle, wantsUrgent, urgent });
    state.channels.set(channel, (state.channels.get(channel) ?? 0) + 1);
    this.holders.set(channel, (this.holders.get(channel) ?? 0) + 1);
    // A late joiner: the hub will not send this channel's snapshot and tail again.
    if (alreadyHeld && this.ready.has(channel)) {
      for (const delivery of this.catchUp(channel, options)) state.batcher.push(delivery, 'tick');
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
    if (visible) state.batcher.flush();
  }

  private applyUrgency(subscription: WindowSubscription, visible: boolean): void {
    const urgent = subscription.wantsUrgent && visible;
    if (urgent === subscription.urgent) return;
    subscription.urgent = urgent;
    subscription.handle.setUrgent(urgent);
  }

  /** Routes one batch from the connection to the windows that subscribed its channels. */
  route(batch: readonly Delivery[]): void {
    for (const delivery of batch) {
      if (delivery.kind === 'subscribed') this.ready.add(delivery.channel);
      const channel = delivery.channel;
      for (const state of this.windows.values()) {
        // Errors without a channel (e.g. rate limits) concern everyone.
        if (channel !== undefined && !state.channels.has(channel)) continue;
        state.batcher.push(delivery);
      }
    }
    for (const state of this.windows.values()) {
      if (state.batcher.pending > 0 && state.window.isVisible()) state.batcher.flush();
    }
  }

  dispose(): void {
    for (const id of [...this.windows.keys()]) this.removeWindow(id);
  }

  /** What a late joiner gets first: snapshot and tail as asked, from the store, then `subscribed`. */
  private catchUp(channel: Channel, options: SubscribeOptions): Delivery[] {
    const { store } = this.connection;
    const deliveries: Delivery[] = [];
    if (options.snapshot) deliveries.push({ kind: 'snapshot', channel, data: store.snapshot(channel) });
    if (options.tail && options.tail > 0)
      deliveries.push({ kind: 'tail', channel, text: store.tailText(channel, options.tail) });
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
    state.batcher.dispose();
    this.windows.delete(windowId);
  }
}
