import {
  type AgentInput,
  INPUT_SENT_EVENT,
  InputClientCode,
  type InputOutcome,
  parseAgentInput,
  parseInputSent,
} from '../shared/agent-input';
import { AUTH_CLOSE_CODES, CloseCode, ErrorCode } from '../shared/errors';
import { outputText } from '../shared/output';
import { type Channel, type ServerMessage, encode, isValidId, parseServerMessage } from '../shared/protocol';
import { backoffDelay } from './backoff';
import { ChannelStore } from './channel-store';
import { type ConnectionOptions, type ResolvedConnectionOptions, resolveConnectionOptions } from './connection-options';
import { type CloseInfo, type ConnectionState, INITIAL_STATE } from '../shared/connection-state';
import type { Delivery } from './delivery';
import { DeliveryBatcher, type DeliveryPace } from './delivery-batcher';
import { ListenerSet } from './listener-set';
import { type SubscribeOptions, SubscriptionRegistry } from './subscription-registry';
import { CLOSED, type WebSocketLike } from './websocket-like';

export type { ConnectionOptions } from './connection-options';

export interface ConnectionStats {
  connects: number;
  duplicatesDropped: number;
  gaps: number;
  resyncs: number;
  invalidFrames: number;
}

/** Unsubscribes when called; `setUrgent` marks it as what the user is looking at. */
export type SubscriptionHandle = (() => void) & { setUrgent(urgent: boolean): void };

interface PendingInput {
  resolve(outcome: InputOutcome): void;
  timer: ReturnType<typeof setTimeout>;
}

/** Retries kept within the first backoff window after the hub announced a restart. */
const RESTART_FAST_RETRIES = 5;

/**
 * One connection to the hub that reconnects by itself and never silently
 * loses an event: subscriptions are re-sent with the position each channel
 * reached, duplicates are dropped, and what cannot be recovered is announced
 * (`resync`, `gap`) in the delivery stream where it happened. Frames are
 * parsed here once, into typed deliveries, and each batch is applied to the
 * connection's `store` (board and output tails) before its listeners get it.
 */
export class ReconnectingConnection {
  readonly stats: ConnectionStats = { connects: 0, duplicatesDropped: 0, gaps: 0, resyncs: 0, invalidFrames: 0 };
  private current: ConnectionState = INITIAL_STATE;
  private readonly stateListeners = new ListenerSet<ConnectionState>();
  private readonly deliveryListeners = new ListenerSet<Delivery[]>();
  private readonly registry = new SubscriptionRegistry();
  private readonly batcher: DeliveryBatcher;
  private readonly options: ResolvedConnectionOptions;
  private readonly urls: string[];
  /** The board and output tails this connection has seen: the one copy its process reads. */
  readonly store: ChannelStore;
  private token: string | null;
  private urlIndex = 0;
  private socket: WebSocketLike | null = null;
  private socketError = '';
  /** Whether the current connection's hub takes `focus` (announced as the `urgent` feature in `connected`). */
  private hubTakesFocus = false;
  /** How the connection that started the current reconnect episode ended. */
  private episodeCloseCode: number | null = null;
  /** Channels subscribed on an earlier connection: a hub without offsets may have missed their events. */
  private readonly seenBefore = new Set<Channel>();
  /** Snapshot, history and tail messages held until their `subscribed`, so a resync notice can precede them. */
  private readonly setup = new Map<Channel, Delivery[]>();
  /** Subscribes to try again after the hub answered `unavailable`. */
  private readonly retries = new Map<Channel, ReturnType<typeof setTimeout>>();
  /** Inputs sent on the current socket, by message id, until the hub answers. */
  private readonly pendingInputs = new Map<string, PendingInput>();
  private inputSeq = 0;
  private timers: Record<'retry' | 'connect' | 'ping' | 'deadline' | 'uptime', ReturnType<typeof setTimeout> | null> = {
    retry: null,
    connect: null,
    ping: null,
    deadline: null,
    uptime: null,
  };

  constructor(options: ConnectionOptions) {
    this.options = resolveConnectionOptions(options);
    this.urls = this.options.urls;
    this.token = this.options.token;
    this.store = new ChannelStore(this.options.outputTail);
    this.batcher = new DeliveryBatcher(this.options.batch, (batch) => {
      // The store first: a listener reading it sees the state the batch leads to.
      this.store.apply(batch, this.options.now());
      this.deliveryListeners.emit(batch);
    });
  }

  get state(): ConnectionState {
    return this.current;
  }

  onState(listener: (state: ConnectionState) => void): () => void {
    return this.stateListeners.add(listener);
  }

  /** Receives batches of deliveries (events and notices), in order. */
  onDeliveries(listener: (batch: Delivery[]) => void): () => void {
    return this.deliveryListeners.add(listener);
  }

  start(): void {
    if (this.current.status === 'idle') this.connect();
  }

  /**
   * Subscribes to a channel. The server subscription is shared by every
   * caller (sent on 0 → 1, dropped on 1 → 0) and restored after reconnects.
   */
  subscribe(channel: Channel, options: SubscribeOptions = {}): SubscriptionHandle {
    const wasUrgent = this.registry.isUrgent(channel);
    const { interest, first } = this.registry.add(channel, options);
    if (first && this.current.status === 'open') this.sendSubscribe(channel);
    else if (!first) this.sendFocusIfChanged(channel, wasUrgent);
    let active = true;
    const handle = (() => {
      if (!active) return;
      active = false;
      const urgentBefore = this.registry.isUrgent(channel);
      if (this.registry.remove(channel, interest)) {
        this.seenBefore.delete(channel);
        this.setup.delete(channel);
        this.store.forget(channel);
        if (this.current.status === 'open') this.send(encode({ type: 'unsubscribe', channel }));
      } else {
        this.sendFocusIfChanged(channel, urgentBefore);
      }
    }) as SubscriptionHandle;
    handle.setUrgent = (urgent: boolean) => {
      if (!active) return;
      const urgentBefore = this.registry.isUrgent(channel);
      this.registry.setUrgent(channel, interest, urgent);
      this.sendFocusIfChanged(channel, urgentBefore);
    };
    return handle;
  }

  /**
   * Tells the hub when a channel's urgency (any interest urgent) changed. Only
   * on an open connection whose hub announced `urgent`: otherwise the next
   * subscribe carries it, and an older hub would answer `unknown_type`.
   */
  private sendFocusIfChanged(channel: Channel, wasUrgent: boolean): void {
    const urgent = this.registry.isUrgent(channel);
    if (urgent === wasUrgent || this.current.status !== 'open' || !this.hubTakesFocus) return;
    this.send(encode({ type: 'focus', channel, urgent }));
  }

  /**
   * Answers an agent (the hub's `input` message) and resolves with the hub's
   * ack or refusal; never rejects. Nothing is queued: when the connection is
   * not open the input is not sent (`not_connected`), and an input whose
   * connection ends before the hub answers is `connection_lost`, never
   * silently re-sent (it may have reached the agent).
   */
  sendInput(agentId: string, input: AgentInput): Promise<InputOutcome> {
    if (!isValidId(agentId)) return Promise.resolve(failed(ErrorCode.InvalidInput, 'invalid agent id'));
    const parsed = parseAgentInput(input);
    if (!parsed.ok) return Promise.resolve(failed(parsed.error.code, parsed.error.message));
    if (this.current.status !== 'open' || !this.socket) {
      return Promise.resolve(failed(InputClientCode.NotConnected, 'not connected to the hub; nothing was sent'));
    }
    const id = `in-${++this.inputSeq}`;
    return new Promise<InputOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.settleInput(id, failed(InputClientCode.NoAnswer, 'the hub did not answer in time'));
      }, this.options.inputAnswerTimeoutMs);
      this.pendingInputs.set(id, { resolve, timer });
      this.send(encode({ type: 'input', agentId, id, ...parsed.input }));
    });
  }

  /** The OS resumed or the network came back: reconnect now, skipping the backoff; when open, check liveness now. */
  wake(): void {
    const { status } = this.current;
    if (status === 'reconnecting' || status === 'offline') this.connect();
    else if (status === 'open') this.ping();
  }

  /** A new token: an auth failure is retried at once. */
  setToken(token: string | null): void {
    this.token = token;
    if (this.current.status === 'authFailed') this.connect();
  }

  /** The host's view of the network (browser `online`/`offline`, OS network changes). */
  setNetworkAvailable(available: boolean): void {
    if (available) {
      if (this.current.status === 'offline') this.connect();
      return;
    }
    if (this.current.status === 'closed' || this.current.status === 'idle') return;
    this.abandonSocket(1001, 'offline');
    this.settleAllInputs('the network went away before the hub answered');
    this.clearTimers();
    this.setState({ status: 'offline', retryAt: null, clientId: null });
  }

  /** Closes for good: no more reconnects, no timers; queued deliveries are flushed. */
  close(): void {
    if (this.current.status === 'closed') return;
    this.abandonSocket(1000, 'client closed');
    this.settleAllInputs('the connection was closed before the hub answered');
    this.clearTimers();
    this.batcher.flush();
    this.batcher.dispose();
    this.setState({ status: 'closed', retryAt: null, clientId: null });
  }

  // ------------------------------------------------------------ socket lifecycle

  private connect(): void {
    if (this.current.status === 'closed') return;
    this.abandonSocket(1000, 'reconnecting');
    this.settleAllInputs('the connection was replaced before the hub answered');
    this.clearTimers();
    const url = this.urls[this.urlIndex % this.urls.length];
    this.setState({ status: 'connecting', url, retryAt: null, clientId: null });
    const socket = this.options.createWebSocket(withToken(url, this.token));
    this.socket = socket;
    this.socketError = '';
    socket.onmessage = (event) => {
      if (this.socket === socket) this.onFrame(event.data);
    };
    socket.onerror = (event) => {
      if (this.socket === socket) this.socketError = event.message ?? String(event.error ?? '');
    };
    socket.onclose = (event) => {
      if (this.socket === socket) this.onLost({ code: event.code, reason: event.reason || this.socketError }, true);
    };
    this.timers.connect = setTimeout(() => {
      this.onLost({ code: CloseCode.ConnectTimeout, reason: 'connect timeout' }, false);
    }, this.options.connectTimeoutMs);
  }

  private onOpen(clientId: string, identity: Pick<ConnectionState, 'user' | 'actOn'>): void {
    this.stats.connects++;
    if (this.timers.connect) clearTimeout(this.timers.connect);
    this.timers.connect = null;
    this.timers.uptime = setTimeout(() => {
      this.timers.uptime = null;
      if (this.current.status === 'open') this.setState({ attempt: 0 });
    }, this.options.resetAfterMs);
    this.schedulePing();
    for (const channel of this.registry.channels()) this.sendSubscribe(channel);
    this.setState({ status: 'open', clientId, retryAt: null, ...identity });
  }

  /** The connection ended or was declared dead; decides what comes next. */
  private onLost(close: CloseInfo, closedByPeer: boolean): void {
    const wasOpen = this.current.status === 'open';
    if (!closedByPeer) this.abandonSocket(close.code, close.reason);
    this.socket = null;
    this.settleAllInputs('the connection ended before the hub answered');
    this.clearTimers();
    this.batcher.flush();
    for (const channel of this.registry.channels()) this.seenBefore.add(channel);
    this.setup.clear();
    if (AUTH_CLOSE_CODES.has(close.code)) return this.enterAuthFailed(close);
    if (!wasOpen && this.options.probeAuth) {
      const url = this.current.url ?? this.urls[0];
      // Until the probe answers, behave as a normal retry; a refusal switches to authFailed.
      void this.options.probeAuth(url, this.token).then((verdict) => {
        if (verdict === 'unauthorized' && this.current.status === 'reconnecting') this.enterAuthFailed(close);
      });
    }
    if (wasOpen) this.episodeCloseCode = close.code;
    // A connection that stayed up past resetAfterMs has already set attempt back to 0.
    const attempt = this.current.attempt;
    // The hub said it is restarting (1001 going away, 1012 service restart): it will be back in
    // moments, so the first retries stay within the initial window instead of backing off
    // exponentially past its return. Full jitter still spreads the clients out.
    const restarting = this.episodeCloseCode === 1001 || this.episodeCloseCode === 1012;
    // After those, growth starts over from the first step, not from where the count stands.
    const step = restarting ? Math.max(0, attempt - RESTART_FAST_RETRIES) : attempt;
    const delay = backoffDelay(step, this.options.backoff, this.options.random);
    this.urlIndex++;
    // Timer first, state second: a listener may call close() or wake() from inside setState.
    this.timers.retry = setTimeout(() => this.connect(), delay);
    this.setState({
      status: 'reconnecting',
      attempt: attempt + 1,
      retryAt: this.options.now() + delay,
      clientId: null,
      lastClose: close,
      url: this.urls[this.urlIndex % this.urls.length],
    });
  }

  private enterAuthFailed(close: CloseInfo): void {
    this.clearTimers();
    const retryAfter = this.options.authRetryMs;
    this.timers.retry = setTimeout(() => this.connect(), retryAfter);
    this.setState({ status: 'authFailed', retryAt: this.options.now() + retryAfter, clientId: null, lastClose: close });
  }

  /** Detaches from the current socket and closes it without waiting for its close handshake. */
  private abandonSocket(code: number, reason: string): void {
    const socket = this.socket;
    if (!socket) return;
    this.socket = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onopen = null;
    socket.onerror = () => {};
    if (socket.readyState !== CLOSED) {
      try {
        socket.close(code >= 4000 || code === 1000 ? code : 1000, reason.slice(0, 100));
      } catch {
        // Closing a socket that never opened may throw in some implementations; it is gone either way.
      }
    }
  }

  private clearTimers(): void {
    for (const timer of this.retries.values()) clearTimeout(timer);
    this.retries.clear();
    for (const name of Object.keys(this.timers) as Array<keyof typeof this.timers>) {
      const timer = this.timers[name];
      if (timer) clearTimeout(timer);
      this.timers[name] = null;
    }
  }

  // ------------------------------------------------------------ heartbeat

  private schedulePing(): void {
    if (this.timers.ping) clearTimeout(this.timers.ping);
    this.timers.ping = setTimeout(() => this.ping(), this.options.pingIntervalMs);
  }

  private ping(): void {
    this.timers.ping = null;
    if (this.current.status !== 'open') return;
    this.send(encode({ type: 'ping' }));
    this.timers.deadline ??= setTimeout(() => {
      this.timers.deadline = null;
      this.onLost({ code: CloseCode.HeartbeatTimeout, reason: 'heartbeat timeout' }, false);
    }, this.options.pongTimeoutMs);
    this.schedulePing();
  }

  // ------------------------------------------------------------ frames

  private onFrame(data: unknown): void {
    // Any frame proves the connection alive.
    if (this.timers.deadline) clearTimeout(this.timers.deadline);
    this.timers.deadline = null;
    const parsed = parseServerMessage(data);
    if (!parsed.ok) {
      this.stats.invalidFrames++;
      return;
    }
    this.handle(parsed.message);
  }

  private handle(message: ServerMessage): void {
    switch (message.type) {
      case 'connected':
        if (this.current.status === 'connecting') {
          this.hubTakesFocus = message.features?.includes('urgent') === true;
          this.onOpen(message.clientId, { user: message.user ?? null, actOn: message.actOn ?? null });
        }
        return;
      case 'event':
        return this.onEvent(message);
      case 'subscribed':
        return this.onSubscribed(message);
      case 'snapshot':
        if (!this.registry.has(message.channel)) return;
        if (message.data.dropped) {
          // Reported, not fatal: the valid part of the board still shows.
          this.deliver({
            kind: 'error',
            channel: message.channel,
            code: ErrorCode.InvalidMessage,
            message: `${message.data.dropped} invalid snapshot item(s) dropped`,
          });
        }
        this.hold(message.channel, { kind: 'snapshot', channel: message.channel, data: message.data });
        return;
      case 'history':
        if (this.registry.has(message.channel))
          this.hold(message.channel, { kind: 'history', channel: message.channel, events: message.events });
        return;
      case 'tail':
        if (this.registry.has(message.channel))
          this.hold(message.channel, { kind: 'tail', channel: message.channel, text: message.lines.join('') });
        return;
      case 'input_ack':
        if (message.id !== undefined) this.settleInput(String(message.id), { ok: true, inputId: message.inputId });
        return;
      case 'error':
        // The answer to one of our inputs goes to its sender, not into the delivery stream.
        if (message.id !== undefined && this.pendingInputs.has(String(message.id))) {
          return this.settleInput(String(message.id), failed(message.code ?? ErrorCode.Internal, message.message));
        }
        this.deliver({ kind: 'error', channel: message.channel, code: message.code, message: message.message });
        // The hub could not set the subscription up now (its engine is down): ask again shortly.
        if (message.code === 'unavailable' && message.channel) this.retrySubscribe(message.channel);
        return;
      case 'gap':
        return this.onSkipped(message);
      case 'pong':
      case 'unsubscribed':
        return;
    }
  }

  /**
   * The hub skipped output this client fell too far behind on (docs/hub.md,
   * "Slow consumers"): never silent — a `gap` delivery names what was
   * skipped, and the position moves past it so the events after it are contiguous.
   */
  private onSkipped(message: Extract<ServerMessage, { type: 'gap' }>): void {
    const { channel, epoch, from, to, skippedEvents, skippedBytes } = message;
    if (!this.registry.has(channel)) return;
    const known = this.registry.position(channel);
    if (known && known.epoch === epoch && known.offset >= to) return;
    this.stats.gaps++;
    if (!known || known.epoch === epoch) this.registry.setPosition(channel, { epoch, offset: to });
    this.deliver({ kind: 'gap', channel, skipped: { from, to, events: skippedEvents, bytes: skippedBytes } });
  }

  private onSubscribed(message: Extract<ServerMessage, { type: 'subscribed' }>): void {
    const { channel } = message;
    if (!this.registry.has(channel)) return;
    const held = this.setup.get(channel) ?? [];
    this.setup.delete(channel);
    if (message.epoch !== undefined && message.offset !== undefined) {
      if (!this.current.resumable) this.setState({ resumable: true });
      const known = this.registry.position(channel);
      const lost =
        message.recovered === false ||
        (known !== null && message.recovered === undefined && known.epoch !== message.epoch);
      if (lost) {
        this.stats.resyncs++;
        this.deliver({ kind: 'resync', channel, newEpoch: known !== null && known.epoch !== message.epoch });
      }
      this.registry.setPosition(channel, { epoch: message.epoch, offset: message.offset });
    } else {
      if (this.current.resumable) this.setState({ resumable: false });
      if (this.seenBefore.has(channel)) {
        this.stats.gaps++;
        this.deliver({ kind: 'gap', channel });
      }
    }
    for (const delivery of held) this.deliver(delivery);
    this.deliver({ kind: 'subscribed', channel, resumed: message.recovered === true });
  }

  private onEvent(message: Extract<ServerMessage, { type: 'event' }>): void {
    const { channel, offset, epoch } = message;
    if (!this.registry.has(channel)) return;
    if (offset !== undefined && epoch !== undefined) {
      const known = this.registry.position(channel);
      if (known && known.epoch === epoch) {
        if (offset <= known.offset) {
          this.stats.duplicatesDropped++;
          return;
        }
        if (offset > known.offset + 1) {
          // Offsets are contiguous per channel: a jump means events were lost on the way.
          this.stats.gaps++;
          this.deliver({ kind: 'gap', channel });
        }
      } else if (known) {
        this.stats.resyncs++;
        this.deliver({ kind: 'resync', channel, newEpoch: true });
      }
      this.registry.setPosition(channel, { epoch, offset });
    }
    // An output_batch was batched by the hub already: holding it another frame only adds latency.
    this.deliver(this.decode(message), message.event === 'output_batch' ? 'tick' : 'frame');
  }

  /** The one decode of an event: output becomes its text, anything else stays the published event. */
  private decode(message: Extract<ServerMessage, { type: 'event' }>): Delivery {
    const { channel, offset, epoch, event, data } = message;
    let delivery: Delivery;
    if (event === 'output' || event === 'output_batch') {
      const text = outputText(event, data);
      if (text === null) {
        return { kind: 'error', channel, code: ErrorCode.InvalidEvent, message: `invalid ${event} payload dropped` };
      }
      delivery = { kind: 'output', channel, text };
    } else if (event === INPUT_SENT_EVENT) {
      // The audit of an answer: checked here once, so every consumer can trust its fields.
      const sent = parseInputSent(data);
      if (sent === null) {
        return { kind: 'error', channel, code: ErrorCode.InvalidEvent, message: `invalid ${event} payload dropped` };
      }
      delivery = { kind: 'event', channel, event, data: sent };
    } else {
      delivery = { kind: 'event', channel, event, data };
    }
    if (offset !== undefined) delivery.offset = offset;
    if (epoch !== undefined) delivery.epoch = epoch;
    return delivery;
  }

  private retrySubscribe(channel: Channel): void {
    if (this.retries.has(channel) || !this.registry.has(channel)) return;
    const delay = 1000 + Math.floor(this.options.random() * 2000);
    this.retries.set(
      channel,
      setTimeout(() => {
        this.retries.delete(channel);
        if (this.current.status === 'open' && this.registry.has(channel)) this.sendSubscribe(channel);
      }, delay),
    );
  }

  private settleInput(id: string, outcome: InputOutcome): void {
    const pending = this.pendingInputs.get(id);
    if (!pending) return;
    this.pendingInputs.delete(id);
    clearTimeout(pending.timer);
    pending.resolve(outcome);
  }

  private settleAllInputs(message: string): void {
    for (const id of [...this.pendingInputs.keys()]) {
      this.settleInput(id, failed(InputClientCode.ConnectionLost, message));
    }
  }

  private hold(channel: Channel, delivery: Delivery): void {
    const held = this.setup.get(channel);
    if (held) held.push(delivery);
    else this.setup.set(channel, [delivery]);
  }

  private deliver(delivery: Delivery, pace: DeliveryPace = 'frame'): void {
    const urgent =
      delivery.kind !== 'error' && delivery.channel !== undefined && this.registry.isUrgent(delivery.channel);
    this.batcher.push(delivery, urgent ? 'now' : pace);
  }

  private sendSubscribe(channel: Channel): void {
    const message = this.registry.subscribeMessage(channel);
    if (message) this.send(encode(message));
  }

  private send(text: string): void {
    try {
      this.socket?.send(text);
    } catch {
      // The socket is closing; the close handler reconnects and re-sends intent.
    }
  }

  private setState(patch: Partial<ConnectionState>): void {
    this.current = { ...this.current, ...patch };
    this.stateListeners.emit(this.current);
  }
}

function failed(code: ErrorCode | InputClientCode, message: string): InputOutcome {
  return { ok: false, code, message };
}

function withToken(url: string, token: string | null): string {
  if (!token) return url;
  return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}
