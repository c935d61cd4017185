import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { CloseCode, ErrorCode } from '../shared/errors';
import {
  type Channel,
  type InputMessage,
  MAX_URGENT_CHANNELS,
  type ServerMessage,
  encode,
  parseChannel,
  parseClientMessage,
} from '../shared/protocol';
import type { Principal } from './auth';
import { ChannelCursor } from './channel-cursor';
import type { ChannelEvent } from './engine';
import type { HubMetrics } from './metrics';
import { writeFrame } from './prebuilt-frame';
import { TokenBucket } from './rate-limiter';
import { RoomWait } from './room-wait';
import type { SubscribeRequest, Subscriber } from './subscriber';
import { ConnectionUrgency, type UrgentAgents } from './urgent-channels';

/** What a connection needs from its hub. */
export interface ConnectionHost {
  readonly metrics: HubMetrics;
  readonly logger: Logger;
  readonly maxSubscriptions: number;
  readonly maxBufferedBytes: number;
  /** Who wants which agent's output urgent, across connections (urgent-channels.ts). */
  readonly urgentAgents: UrgentAgents;
  subscribe(connection: ClientConnection, request: SubscribeRequest): void;
  unsubscribe(connection: ClientConnection, channel: Channel): void;
  mayAccess(principal: Principal, channel: Channel): boolean;
  /** Answers an `input` message with `input_ack` or an `error` carrying its id. */
  handleInput(connection: ClientConnection, message: InputMessage): void;
}

// Errors are answered at most this often while a client is being rate limited,
// so a flood cannot turn into a flood of replies.
const RATE_LIMIT_REPLY_MS = 1000;
// How long a closing slow consumer gets to take its close frame before the socket is cut:
// short, because it is not reading (the close frame waits behind a full buffer).
const SLOW_CLOSE_GRACE_MS = 500;

/** One WebSocket client: parses its frames, enforces its limits, and sends it events. */
export class ClientConnection implements Subscriber {
  readonly cursors = new Map<Channel, ChannelCursor>();
  readonly openedAt = Date.now();
  alive = true;
  closeReason = '';
  private readonly bucket: TokenBucket;
  /** This connection's urgent agent channels (at most MAX_URGENT_CHANNELS). */
  /** This connection's urgent agents; made by its first urgent subscription (most connections never have one). */
  private urgency: ConnectionUrgency | null = null;
  private lastRateReplyAt = 0;
  private killTimer: ReturnType<typeof setTimeout> | null = null;
  /**
   * Paces replays to the outgoing buffer (room-wait.ts). Made by the first
   * replay — most connections never need one — and from then on every write
   * carries its callback, so the last chunk in the buffer always does.
   */
  private roomWait: RoomWait | null = null;

  constructor(
    readonly id: string,
    readonly ws: WebSocket,
    readonly principal: Principal,
    readonly address: string,
    private readonly host: ConnectionHost,
    rateLimit: { perSecond: number; burst: number; abuseMs: number },
    /** Identifies the connection's token for per-token limits (tokenKey in connection-caps.ts). */
    readonly tokenKey = '',
  ) {
    this.bucket = new TokenBucket(rateLimit.perSecond, rateLimit.burst, rateLimit.abuseMs);
  }

  get open(): boolean {
    return this.ws.readyState === this.ws.OPEN;
  }

  handleFrame(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
    const metrics = this.host.metrics;
    metrics.messagesIn.inc();
    if (isBinary) {
      this.close(CloseCode.UnsupportedData, 'binary frames are not supported');
      return;
    }
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    metrics.bytesIn.inc(bytes.length);
    // The rate limit comes before any decoding: a flood costs as little as possible.
    const { ok, abusive } = this.bucket.take();
    if (!ok) {
      metrics.rateLimited.inc();
      if (abusive) {
        metrics.rateLimitCloses.inc();
        this.close(CloseCode.PolicyViolation, 'rate limit exceeded');
        return;
      }
      const now = Date.now();
      if (now - this.lastRateReplyAt >= RATE_LIMIT_REPLY_MS) {
        this.lastRateReplyAt = now;
        this.sendError(ErrorCode.RateLimited, 'too many messages; slow down');
      }
      return;
    }
    const parsed = parseClientMessage(bytes.toString('utf8'));
    if (!parsed.ok) {
      this.sendError(parsed.error.code, parsed.error.message);
      return;
    }
    const message = parsed.message;
    switch (message.type) {
      case 'ping':
        this.send(encode(message.id === undefined ? { type: 'pong' } : { type: 'pong', id: message.id }));
        return;
      case 'subscribe': {
        const channel = message.channel;
        if (!this.host.mayAccess(this.principal, channel)) {
          this.sendError(ErrorCode.Forbidden, `not allowed to subscribe to ${channel}`, channel);
          return;
        }
        if (!this.cursors.has(channel) && this.cursors.size >= this.host.maxSubscriptions) {
          this.sendError(
            ErrorCode.TooManySubscriptions,
            `at most ${this.host.maxSubscriptions} subscriptions`,
            channel,
          );
          return;
        }
        this.host.subscribe(this, {
          channel,
          since: message.since,
          snapshot: message.snapshot === true,
          tail: message.tail ?? 0,
          history: message.history ?? 0,
        });
        // After subscribe: a subscription that fails later is dropped through unsubscribed(), urgency with it.
        if (message.urgent !== undefined) this.setUrgent(channel, message.urgent);
        return;
      }
      case 'focus':
        if (!this.cursors.has(message.channel)) {
          this.sendError(ErrorCode.NotSubscribed, `not subscribed to ${message.channel}`, message.channel);
          return;
        }
        this.setUrgent(message.channel, message.urgent);
        return;
      case 'input':
        this.host.handleInput(this, message);
        return;
      case 'unsubscribe':
        // Answered even when not subscribed: unsubscribing is idempotent, as in the seed.
        this.host.unsubscribe(this, message.channel);
        this.send(encode({ type: 'unsubscribed', channel: message.channel }));
        return;
    }
  }

  /** Sends one server message or pre-serialized frame, closing the client if it has fallen too far behind. */
  send(frame: string | Buffer): boolean {
    if (!this.open) return false;
    const bytes = typeof frame === 'string' ? Buffer.byteLength(frame) : frame.length;
    if (this.ws.bufferedAmount + bytes > this.host.maxBufferedBytes) {
      this.closeSlow();
      return false;
    }
    this.ws.send(frame, { binary: false }, this.roomWait?.written);
    this.host.metrics.countSent(bytes);
    return true;
  }

  /** The hub dropped one of this connection's subscriptions: it is no longer urgent either. */
  unsubscribed(channel: Channel): void {
    const agentId = agentOf(channel);
    if (agentId !== null) this.urgency?.set(agentId, false);
  }

  /** Marks a subscribed channel urgent or not; only agent output is batched, so other channels carry no urgency. */
  private setUrgent(channel: Channel, urgent: boolean): void {
    const agentId = agentOf(channel);
    if (agentId === null) return;
    if (!urgent && !this.urgency) return;
    this.urgency ??= new ConnectionUrgency(this.host.urgentAgents, MAX_URGENT_CHANNELS);
    if (this.urgency.set(agentId, urgent)) return;
    this.sendError(ErrorCode.TooManyUrgent, `at most ${MAX_URGENT_CHANNELS} urgent channels per connection`, channel);
  }

  /** A live event: its frame, built once per publish (prebuilt-frame.ts), written as is. */
  sendEvent(_event: ChannelEvent, frame: Buffer): boolean {
    if (!this.open) return false;
    if (this.ws.bufferedAmount + frame.length > this.host.maxBufferedBytes) {
      this.closeSlow();
      return false;
    }
    writeFrame(this.ws, frame, this.roomWait?.written);
    this.host.metrics.countSent(frame.length);
    return true;
  }

  sendMessage(message: ServerMessage): boolean {
    return this.send(encode(message));
  }

  /** Sends an event and, past half the limit, waits until the socket is down to a quarter (room-wait.ts): for replays. */
  async sendPaced(event: ChannelEvent): Promise<void> {
    const roomWait = this.pacer();
    if (!this.send(event.frame)) return;
    if (this.ws.bufferedAmount > this.host.maxBufferedBytes / 2) await roomWait.room();
  }

  get bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  /** Resolves once the outgoing buffer is down to a quarter of the limit (a lagging agent channel's catch-up). */
  room(): Promise<void> {
    const made = this.roomWait === null;
    const roomWait = this.pacer();
    const room = roomWait.room();
    // Chunks written before the wait existed carry no callback to wake it: a ping frame, queued
    // behind them, does (its write callback runs once everything before it has left the buffer).
    if (made && this.open && !(this.ws.bufferedAmount <= this.host.maxBufferedBytes / 4))
      this.ws.ping(undefined, undefined, roomWait.written);
    return room;
  }

  /** The connection's RoomWait, made on first need: most connections never replay or lag. */
  private pacer(): RoomWait {
    return (this.roomWait ??= new RoomWait(
      () => !this.open || this.ws.bufferedAmount <= this.host.maxBufferedBytes / 4,
    ));
  }

  sendError(code: ErrorCode, message: string, channel?: Channel, id?: string | number): void {
    this.host.metrics.protocolErrors.inc({ code });
    this.sendMessage({
      type: 'error',
      code,
      message,
      ...(channel ? { channel } : {}),
      ...(id !== undefined ? { id } : {}),
    });
  }

  closeSlow(): void {
    if (this.closeReason) return;
    this.host.metrics.slowConsumerCloses.inc();
    this.host.logger.warn(
      { event: 'slow-consumer', clientId: this.id, user: this.principal.user, bufferedBytes: this.ws.bufferedAmount },
      'slow consumer: closing with 4008',
    );
    this.close(CloseCode.SlowConsumer, 'slow consumer');
    // A client that is not reading will not read the close frame either.
    this.killTimer = setTimeout(() => this.ws.terminate(), SLOW_CLOSE_GRACE_MS);
  }

  close(code: number, reason: string): void {
    if (!this.closeReason) this.closeReason = reason;
    if (this.ws.readyState === this.ws.CLOSED) return;
    this.ws.close(code, reason);
  }

  /** Closes with 4001: the token has expired (the hub's expiry queue calls this at `principal.expiresAt`). */
  expire(): void {
    this.close(CloseCode.TokenExpired, 'token expired');
  }

  /** Stops this connection's timer and ends a replay's wait; called once the socket has closed. */
  dispose(): void {
    this.roomWait?.release();
    this.urgency?.clear();
    if (this.killTimer) clearTimeout(this.killTimer);
    this.killTimer = null;
  }
}

function agentOf(channel: Channel): string | null {
  const parsed = parseChannel(channel);
  return parsed?.kind === 'agent' ? parsed.id : null;
}
