import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { CloseCode, ErrorCode } from '../shared/errors';
import { type Channel, type InputMessage, type ServerMessage, encode, parseClientMessage } from '../shared/protocol';
import type { Principal } from './auth';
import { ChannelCursor } from './channel-cursor';
import type { ChannelEvent } from './engine';
import type { HubMetrics } from './metrics';
import { TokenBucket } from './rate-limiter';
import { RoomWait } from './room-wait';
import type { SubscribeRequest, Subscriber } from './subscriber';

/** What a connection needs from its hub. */
export interface ConnectionHost {
  readonly metrics: HubMetrics;
  readonly logger: Logger;
  readonly maxSubscriptions: number;
  readonly maxBufferedBytes: number;
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
  private lastRateReplyAt = 0;
  private expiryTimer: ReturnType<typeof setTimeout> | null = null;
  private killTimer: ReturnType<typeof setTimeout> | null = null;
  /** Paces replays to the outgoing buffer (room-wait.ts). */
  private readonly roomWait = new RoomWait(
    () => !this.open || this.ws.bufferedAmount <= this.host.maxBufferedBytes / 4,
  );

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
    if (principal.expiresAt !== null) {
      // setTimeout holds at most ~24.8 days; a longer token is re-checked when it fires.
      const delay = Math.min(Math.max(principal.expiresAt - Date.now(), 0), 2 ** 31 - 1);
      this.expiryTimer = setTimeout(() => this.expire(), delay);
    }
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
        return;
      }
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
    this.ws.send(frame, { binary: false }, this.roomWait.written);
    this.host.metrics.messagesOut.inc();
    this.host.metrics.bytesOut.inc(bytes);
    return true;
  }

  sendEvent(_event: ChannelEvent, payload: Buffer): boolean {
    return this.send(payload);
  }

  sendMessage(message: ServerMessage): boolean {
    return this.send(encode(message));
  }

  /** Sends an event and, past half the limit, waits until the socket is down to a quarter (room-wait.ts): for replays. */
  async sendPaced(event: ChannelEvent): Promise<void> {
    if (!this.send(event.frame)) return;
    if (this.ws.bufferedAmount > this.host.maxBufferedBytes / 2) await this.roomWait.room();
  }

  get bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  room(): Promise<void> {
    return this.roomWait.room();
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

  private expire(): void {
    this.expiryTimer = null;
    if (this.principal.expiresAt !== null && this.principal.expiresAt > Date.now()) {
      const delay = Math.min(this.principal.expiresAt - Date.now(), 2 ** 31 - 1);
      this.expiryTimer = setTimeout(() => this.expire(), delay);
      return;
    }
    this.close(CloseCode.TokenExpired, 'token expired');
  }

  /** Stops this connection's timers and ends a replay's wait; called once the socket has closed. */
  dispose(): void {
    this.roomWait.release();
    if (this.expiryTimer) clearTimeout(this.expiryTimer);
    if (this.killTimer) clearTimeout(this.killTimer);
    this.expiryTimer = null;
    this.killTimer = null;
  }
}
