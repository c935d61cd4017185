import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Duplex } from 'node:stream';
import { pino, type Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, ErrorCode } from '../shared/errors';
import {
  type Channel,
  type HistoryEvent,
  type InputMessage,
  type Snapshot,
  type StreamPosition,
  channelOf,
  isChannel,
  isValidId,
  validateEvent,
} from '../shared/protocol';
import { type AgentInput, INPUT_SENT_EVENT, type InputSent, parseAgentInput } from '../shared/agent-input';
import { AgentInputRouter, type AgentInputHandler, type AgentInputMeta } from './agent-input-router';
import {
  AuthError,
  KeyRing,
  type Principal,
  type TokenRequest,
  mayAccess,
  mayAct,
  signToken,
  verifyToken,
} from './auth';
import { ChannelCursor } from './channel-cursor';
import { ClientConnection, type ConnectionHost } from './client-connection';
import { ConnectionCaps, tokenKey } from './connection-caps';
import type { ChannelEvent, Engine, InputRoute } from './engine';
import { ExpiryQueue } from './expiry-queue';
import { HubError } from './hub-error';
import { MemoryEngine } from './memory-engine';
import { HubMetrics } from './metrics';
import { type HubOptions, type ResolvedHubOptions, resolveOptions } from './options';
import { OutputBatcher } from './output-batcher';
import { OutputLag } from './output-lag';
import { type PublishGuard, publishGuard } from './publish-authorization';
import { KeyedTokenBuckets } from './rate-limiter';
import { visibleSnapshot } from './snapshot-filter';
import { fitTail } from './output-tail';
import { framePayload, textFrame } from './prebuilt-frame';
import { requestTarget } from './request-target';
import type { SubscribeRequest, Subscriber } from './subscriber';
import { UrgentAgents } from './urgent-channels';
import { hasTooManyHeaders, rejectUpgrade, tokenFromRequest } from './upgrade';

/** Features this hub announces in `connected`. */
export const HUB_FEATURES = [
  'resume',
  'snapshot',
  'tail',
  'history',
  'ping-id',
  'error-codes',
  'agent-input',
  'urgent',
];
export const PROTOCOL_REVISION = 1;

/**
 * falcon-pm's realtime hub: WebSocket clients authenticated on upgrade,
 * channel subscriptions with gap-free resume, snapshots and output tails,
 * batched agent output, and the limits that keep one bad client from hurting
 * the others. Mount it on an existing server with `attach`, or run it alone
 * with `startHub` (standalone.ts).
 */
export class Hub implements ConnectionHost {
  readonly metrics: HubMetrics;
  readonly engine: Engine;
  readonly logger: Logger;
  readonly options: ResolvedHubOptions;
  /** The key new tokens are signed with (see `signToken`). */
  readonly key: Uint8Array;
  /** Open WebSocket connections per token and per address. */
  readonly connectionCaps: ConnectionCaps;
  /** Open SSE streams per token and per address (the HTTP API counts them). */
  readonly sseCaps: ConnectionCaps;
  /** The per-token rate limit of HTTP publishing. */
  readonly httpPublishLimits: KeyedTokenBuckets;
  /** The per-token rate limit of agent inputs (HTTP and WebSocket alike), at the HTTP publishing rate. */
  readonly inputLimits: KeyedTokenBuckets;
  /** Every secret the hub verifies tokens with. */
  readonly keys: KeyRing;
  private readonly ownsEngine: boolean;
  private readonly wss: WebSocketServer;
  /** Open connections by their socket: the listeners every socket shares find their connection here. */
  private readonly connections = new Map<WebSocket, ClientConnection>();
  /** When each connection's token expires: one timer for all of them. */
  private readonly expiries = new ExpiryQueue<ClientConnection>((connection) => connection.expire());
  private readonly channels = new Map<Channel, Set<Subscriber>>();
  private readonly batcher: OutputBatcher;
  /** Agents someone is looking at: their output is flushed within a frame (output-batcher.ts). */
  readonly urgentAgents: UrgentAgents;
  /** Agent output for subscribers that fell behind: held back, caught up from history (output-lag.ts). */
  private readonly outputLag: OutputLag;
  private readonly detachEngine: () => void;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private pongCheck: ReturnType<typeof setTimeout> | null = null;
  private closing: Promise<void> | null = null;

  constructor(options: HubOptions) {
    this.options = resolveOptions(options);
    this.keys = new KeyRing(options.secret, options.keys);
    this.key = this.keys.signing.key;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.metrics = new HubMetrics(options.processMetrics === true);
    this.connectionCaps = new ConnectionCaps(
      this.options.maxConnectionsPerToken,
      this.options.maxConnectionsPerAddress,
    );
    this.sseCaps = new ConnectionCaps(this.options.maxSseStreamsPerToken, this.options.maxSseStreamsPerAddress);
    this.httpPublishLimits = new KeyedTokenBuckets(
      this.options.httpRateLimit.perSecond,
      this.options.httpRateLimit.burst,
    );
    this.inputLimits = new KeyedTokenBuckets(this.options.httpRateLimit.perSecond, this.options.httpRateLimit.burst);
    this.ownsEngine = options.engine === undefined;
    this.engine = options.engine ?? new MemoryEngine({ ...options.memory, history: options.history });
    this.metrics.watchEngine(() => this.engine.usage?.());
    const undoEvents = this.engine.onEvent((event) => this.fanOut(event));
    const undoReset = this.engine.onReset?.(() => this.resumeEveryone()) ?? (() => {});
    const undoDropped =
      this.engine.inputRoute?.onDropped((reason) => this.metrics.inputMessagesDropped.inc({ reason })) ?? (() => {});
    this.detachEngine = () => {
      undoEvents();
      undoReset();
      undoDropped();
    };
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.options.maxPayload,
      // Compression costs CPU and memory per connection; ws leaves it off on servers for that reason.
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.outputLag = new OutputLag({
      engine: this.engine,
      metrics: this.metrics,
      logger: this.logger,
      maxBufferedBytes: this.options.maxBufferedBytes,
      lagStallMs: this.options.lagStallMs,
    });
    this.batcher = new OutputBatcher({
      intervalMs: this.options.outputBatch.intervalMs,
      urgentMs: this.options.outputBatch.urgentMs,
      maxBytes: this.options.outputBatch.maxBytes,
      flush: (agentId, batch) => {
        this.publishInternal(channelOf.agent(agentId), 'output_batch', batch, 'output').catch((error: unknown) => {
          this.metrics.outputDropped.inc(batch.lines.reduce((size, line) => size + line.length, 0));
          this.logger.error({ err: error, agentId }, 'output batch lost');
        });
      },
    });
    this.urgentAgents = new UrgentAgents((agentId, urgent) => {
      this.batcher.setUrgent(agentId, urgent);
      if (urgent) this.metrics.urgentAgents.inc();
      else this.metrics.urgentAgents.dec();
    });
  }

  get maxSubscriptions(): number {
    return this.options.maxSubscriptions;
  }

  get maxBufferedBytes(): number {
    return this.options.maxBufferedBytes;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  get closed(): boolean {
    return this.closing !== null;
  }

  mayAccess(principal: Principal, channel: Channel): boolean {
    return mayAccess(principal, channel);
  }

  mayAct(principal: Principal, channel: Channel): boolean {
    return mayAct(principal, channel);
  }

  /** Verifies a token against this hub's keys and token policy; throws an AuthError. */
  verifyToken(token: string | null | undefined): Promise<Principal> {
    return verifyToken(token, this.keys, {
      maxTtlSeconds: this.options.maxTokenTtlMs / 1000,
      allowNonExpiring: this.options.allowNonExpiringTokens,
      ...(this.options.tokenAudience ? { audience: this.options.tokenAudience } : {}),
      ...(this.options.tokenIssuer ? { issuer: this.options.tokenIssuer } : {}),
    });
  }

  /** Signs a token this hub accepts, with its newest key (and that key's kid). */
  signToken(request: TokenRequest): Promise<string> {
    const { kid, key } = this.keys.signing;
    return signToken({ kid, ...request }, key);
  }

  // ------------------------------------------------------------ mounting

  /** Handles WebSocket upgrades on `path` of an existing server; other paths are left alone. Returns its undo. */
  attach(server: HttpServer | HttpsServer): () => void {
    const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
      if (!this.isOurPath(request)) return;
      void this.handleUpgrade(request, socket, head);
    };
    server.on('upgrade', onUpgrade);
    return () => server.off('upgrade', onUpgrade);
  }

  /** Whether an upgrade is for the hub's path; a target that does not parse never is. */
  isOurPath(request: IncomingMessage): boolean {
    return requestTarget(request)?.pathname === this.options.path;
  }

  async handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // A reset before the handshake completes must not become an uncaught error. One function for every
    // socket: a closure here would keep this call's scope — the request, its headers and URL — alive
    // as long as the socket (about 1 KiB per idle connection).
    socket.on('error', destroySocket);
    if (this.closed) return rejectUpgrade(socket, 503, ErrorCode.Unavailable, 'hub is shutting down');
    // Node keeps only the first 2 000 headers: a request past that could hide its Origin.
    if (hasTooManyHeaders(request)) return rejectUpgrade(socket, 431, ErrorCode.MessageTooLarge, 'too many headers');
    const origin = request.headers.origin;
    if (this.options.allowedOrigins && origin !== undefined && !this.options.allowedOrigins.includes(origin)) {
      this.metrics.authFailures.inc({ reason: 'origin' });
      return rejectUpgrade(socket, 403, ErrorCode.Forbidden, 'origin not allowed');
    }
    const token = tokenFromRequest(request, true);
    let principal: Principal;
    try {
      principal = await this.verifyToken(token);
    } catch (error) {
      const failure = error instanceof AuthError ? error : new AuthError('invalid', 'invalid token');
      this.metrics.authFailures.inc({ reason: failure.reason });
      return rejectUpgrade(socket, 401, ErrorCode.Unauthorized, `unauthorized: ${failure.message}`);
    }
    if (this.closed || socket.destroyed) return void socket.destroy();
    const key = tokenKey(token ?? '');
    const address = request.socket.remoteAddress ?? '';
    const slot = this.connectionCaps.acquire(key, address);
    if ('refused' in slot) {
      this.metrics.connectionRefusals.inc({ kind: 'websocket', by: slot.refused });
      const limit =
        slot.refused === 'token' ? this.options.maxConnectionsPerToken : this.options.maxConnectionsPerAddress;
      return rejectUpgrade(
        socket,
        429,
        ErrorCode.TooManyConnections,
        `at most ${limit} connections per ${slot.refused}`,
      );
    }
    // Until the handshake completes, the socket's close releases the slot (a failed handshake, a reset);
    // from then on the connection's close does (dropConnection), so no closure stays with the socket.
    socket.once('close', slot.release);
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      socket.off('close', slot.release);
      this.onConnection(ws, principal, address, key);
    });
  }

  // The listeners of every connection's socket, made once per hub: listeners per socket would be
  // closures per connection. `this` is the socket; the connection is found by it.
  private readonly onSocketMessage = ((hub: Hub) =>
    function (this: WebSocket, data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): void {
      const connection = hub.connections.get(this);
      if (!connection) return;
      try {
        connection.handleFrame(data, isBinary);
      } catch (error) {
        hub.logger.error({ err: error, clientId: connection.id }, 'frame handler failed');
        connection.sendError(ErrorCode.Internal, 'internal error');
      }
    })(this);

  private readonly onSocketPong = ((hub: Hub) =>
    function (this: WebSocket): void {
      const connection = hub.connections.get(this);
      if (connection) connection.alive = true;
    })(this);

  private readonly onSocketError = ((hub: Hub) =>
    function (this: WebSocket, error: Error): void {
      const connection = hub.connections.get(this);
      // ws closes the socket itself (1009 for too-large frames, 1002 for protocol errors).
      if (connection) connection.closeReason ||= (error as { code?: string }).code ?? error.message;
    })(this);

  private readonly onSocketClose = ((hub: Hub) =>
    function (this: WebSocket, code: number, reason: Buffer): void {
      const connection = hub.connections.get(this);
      if (connection) hub.dropConnection(connection, code, reason.toString());
    })(this);

  private onConnection(ws: WebSocket, principal: Principal, address: string, key: string): void {
    const connection = new ClientConnection(randomUUID(), ws, principal, address, this, this.options.rateLimit, key);
    this.connections.set(ws, connection);
    this.metrics.connections.inc();
    if (principal.expiresAt !== null) this.expiries.add(connection, principal.expiresAt);
    ws.on('message', this.onSocketMessage);
    ws.on('pong', this.onSocketPong);
    ws.on('error', this.onSocketError);
    ws.on('close', this.onSocketClose);
    connection.sendMessage({
      type: 'connected',
      clientId: connection.id,
      protocol: PROTOCOL_REVISION,
      features: HUB_FEATURES,
      user: principal.user,
      actOn: principal.actOn ?? [],
    });
    this.logger.info({ event: 'open', clientId: connection.id, user: principal.user, address }, 'connection open');
    this.startHeartbeat();
  }

  private dropConnection(connection: ClientConnection, code: number, reason: string): void {
    if (this.connections.get(connection.ws) !== connection) return;
    this.connections.delete(connection.ws);
    this.connectionCaps.release(connection.tokenKey, connection.address);
    this.expiries.delete(connection);
    connection.dispose();
    for (const channel of [...connection.cursors.keys()]) this.unsubscribe(connection, channel);
    this.metrics.connections.dec();
    this.logger.info(
      {
        event: 'close',
        clientId: connection.id,
        user: connection.principal.user,
        code,
        reason: connection.closeReason || reason || 'peer closed',
        durationMs: Date.now() - connection.openedAt,
      },
      'connection closed',
    );
    if (this.connections.size === 0) this.stopHeartbeat();
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      for (const connection of this.connections.values()) {
        connection.alive = false;
        connection.ws.ping();
      }
      // A peer gets pongTimeoutMs to answer, so a dead one is cut within heartbeatMs + pongTimeoutMs.
      this.pongCheck ??= setTimeout(() => {
        this.pongCheck = null;
        for (const connection of this.connections.values()) {
          if (connection.alive) continue;
          connection.closeReason ||= 'missed pong';
          connection.ws.terminate();
        }
      }, this.options.pongTimeoutMs);
    }, this.options.heartbeatMs);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.pongCheck) clearTimeout(this.pongCheck);
    this.heartbeat = null;
    this.pongCheck = null;
  }

  // ------------------------------------------------------------ subscriptions

  /**
   * Subscribes to several channels that must start together: no channel's
   * events are sent until every one has its position (an SSE stream's event
   * ids carry all of them, so an id must never lack one).
   */
  subscribeAll(subscriber: Subscriber, requests: SubscribeRequest[]): void {
    let waiting = requests.length;
    let release: () => void = () => {};
    const barrier = new Promise<void>((resolve) => (release = resolve));
    const positioned = () => {
      if (--waiting === 0) release();
    };
    for (const request of requests) this.subscribe(subscriber, request, { barrier, positioned });
  }

  subscribe(
    subscriber: Subscriber,
    request: SubscribeRequest,
    group?: { barrier: Promise<void>; positioned: () => void },
  ): void {
    const { channel } = request;
    const existing = subscriber.cursors.get(channel);
    if (existing) {
      // Already subscribed: acknowledge where it stands; nothing is replayed twice.
      subscriber.sendMessage({ type: 'subscribed', channel, epoch: existing.epoch, offset: existing.offset });
      group?.positioned();
      return;
    }
    const cursor = new ChannelCursor(Math.max(4 * this.options.maxBufferedBytes, 4 * 1024 * 1024));
    subscriber.cursors.set(channel, cursor);
    let members = this.channels.get(channel);
    if (!members) {
      members = new Set();
      this.channels.set(channel, members);
    }
    members.add(subscriber);
    this.metrics.subscriptions.inc();
    this.startSubscription(subscriber, cursor, request, group).catch((error: unknown) => {
      group?.positioned();
      this.logger.error({ err: error, channel }, 'subscription failed');
      if (subscriber.cursors.get(channel) !== cursor) return;
      this.unsubscribe(subscriber, channel);
      const code = error instanceof HubError ? error.code : ErrorCode.Unavailable;
      subscriber.sendMessage({ type: 'error', code, message: `cannot subscribe to ${channel} now`, channel });
    });
  }

  unsubscribe(subscriber: Subscriber, channel: Channel): void {
    const cursor = subscriber.cursors.get(channel);
    if (!cursor) return;
    subscriber.cursors.delete(channel);
    this.outputLag.release(cursor);
    subscriber.unsubscribed?.(channel);
    this.metrics.subscriptions.dec();
    const members = this.channels.get(channel);
    members?.delete(subscriber);
    if (members?.size === 0) this.channels.delete(channel);
  }

  /**
   * Brings a new subscription up to date, then makes it live: snapshot and
   * tail (unless resuming), `subscribed`, the replay, then the live events
   * that arrived meanwhile — each offset once, in order.
   */
  private async startSubscription(
    subscriber: Subscriber,
    cursor: ChannelCursor,
    request: SubscribeRequest,
    group?: { barrier: Promise<void>; positioned: () => void },
  ): Promise<void> {
    const { channel, since } = request;
    const current = (): boolean => subscriber.open && subscriber.cursors.get(channel) === cursor;
    const recovery = since ? await this.engine.recover(channel, since) : null;
    const resumed = recovery?.recovered === true;
    let start: StreamPosition;
    let replay: ChannelEvent[] = [];
    if (recovery && resumed && since) {
      start = since;
      replay = recovery.events;
    } else if (recovery && recovery.events.length > 0) {
      // A new epoch: the client resyncs (recovered: false), and this epoch's events follow from its start.
      if (request.snapshot) {
        const data = await this.visibleSnapshot(subscriber, channel);
        if (!current()) return;
        subscriber.sendMessage({ type: 'snapshot', channel, data });
      }
      start = { epoch: recovery.epoch, offset: recovery.events[0].offset - 1 };
      replay = recovery.events;
    } else {
      if (request.snapshot) {
        const data = await this.visibleSnapshot(subscriber, channel);
        if (!current()) return;
        subscriber.sendMessage({ type: 'snapshot', channel, data });
      }
      const kept = request.history ? await this.engine.history(channel, request.history) : null;
      if (kept) {
        if (!current()) return;
        // Half the send buffer at most, like a tail: the newest events are the ones kept.
        const events = fitEvents(kept.events, this.options.maxBufferedBytes / 2);
        subscriber.sendMessage({ type: 'history', channel, events });
      }
      if (request.tail > 0 && channel.startsWith('agent:')) {
        const tail = await this.engine.tail(channel, request.tail);
        // Whatever happened after the tail's last output is replayed from history.
        const after = await this.engine.recover(channel, { epoch: tail.epoch, offset: tail.offset });
        if (!current()) return;
        // Half the send buffer at most: a tail never gets its subscriber closed as a slow consumer.
        const lines = fitTail(tail.lines, this.options.maxBufferedBytes / 2);
        subscriber.sendMessage({ type: 'tail', channel, lines, offset: tail.offset, epoch: tail.epoch });
        start = after.recovered
          ? { epoch: tail.epoch, offset: tail.offset }
          : { epoch: after.epoch, offset: after.offset };
        replay = after.recovered ? after.events : [];
      } else {
        // After a history the position is the one it was read at: what it holds is not sent again.
        const position = kept ?? recovery ?? (await this.engine.recover(channel));
        start = { epoch: position.epoch, offset: position.offset };
      }
    }
    if (!current()) return;
    cursor.position(start.epoch, start.offset);
    subscriber.sendMessage({
      type: 'subscribed',
      channel,
      epoch: start.epoch,
      offset: start.offset,
      ...(since ? { recovered: resumed } : {}),
      replayed: replay.length,
    });
    if (group) {
      group.positioned();
      // Live events stay held in the cursor meanwhile.
      await group.barrier;
    }
    for (const event of replay) {
      if (!current()) return;
      if (cursor.advance(event)) await subscriber.sendPaced(event);
    }
    // Live events held meanwhile; more may arrive while these are paced out.
    for (;;) {
      const held = cursor.takeHeld();
      if (held.length === 0) break;
      for (const event of held) {
        if (!current()) return;
        if (cursor.advance(event)) await subscriber.sendPaced(event);
      }
    }
    cursor.goLive();
  }

  /** The channel's snapshot with only the records the subscriber's grants cover (snapshot-filter.ts). */
  private async visibleSnapshot(subscriber: Subscriber, channel: Channel): Promise<Snapshot> {
    const { principal } = subscriber;
    const snapshot = await this.engine.snapshot(channel);
    return visibleSnapshot(snapshot, (granted) => principal !== undefined && mayAccess(principal, granted));
  }

  private fanOut(event: ChannelEvent): void {
    const members = this.channels.get(event.channel);
    if (!members || members.size === 0) return;
    // The complete WebSocket frame, built once and written as the same bytes to every socket.
    const frame = textFrame(event.frame);
    // What a lag holds back and a gap reports is the event's own size, without the frame header.
    const size = framePayload(frame).length;
    for (const subscriber of members) {
      const cursor = subscriber.cursors.get(event.channel);
      if (!cursor) continue;
      if (this.outputLag.holds(subscriber, cursor, event, size)) continue;
      const verdict = cursor.admit(event);
      if (verdict === 'send') subscriber.sendEvent(event, frame);
      else if (verdict === 'overflow' && !this.outputLag.overflowed(subscriber, cursor, event, size))
        subscriber.closeSlow();
    }
    this.metrics.publishToSend.observe((Date.now() - event.time) / 1000);
  }

  /**
   * The engine's feed was interrupted (Redis went away and came back): events
   * published meanwhile never reached this hub. Every client reconnects and
   * resumes from its last offset, or is told `recovered: false` — never a
   * silent gap.
   */
  private resumeEveryone(): void {
    this.logger.warn({ clients: this.connections.size }, 'event feed interrupted; clients will resume');
    for (const connection of this.connections.values())
      connection.close(CloseCode.ServiceRestart, 'event feed interrupted; resume');
    for (const hook of this.closeHooks) hook();
  }

  // ------------------------------------------------------------ publishing

  /**
   * Publishes an event to a channel: the seed's `broadcast`, with offsets and history.
   *
   * Without `principal` the caller is trusted (falcon-pm itself) and may write
   * any record. With one (the HTTP API passes the token's), the channel and
   * every record the event writes must be within its grants, or the publish
   * fails with `forbidden` and nothing of it is stored or sent
   * (publish-authorization.ts).
   */
  async publish(
    channel: string,
    event: string,
    data: unknown,
    options: { principal?: Principal } = {},
  ): Promise<{ offset: number; epoch: string }> {
    return this.publishInternal(channel, event, data, 'api', options.principal);
  }

  private async publishInternal(
    channel: string,
    event: string,
    data: unknown,
    source: 'api' | 'output',
    principal?: Principal,
  ): Promise<{ offset: number; epoch: string }> {
    if (this.closed) throw new HubError(ErrorCode.Unavailable, 'hub is closed');
    if (!isChannel(channel))
      throw new HubError(ErrorCode.InvalidChannel, `invalid channel ${JSON.stringify(channel).slice(0, 80)}`);
    if (principal && !mayAccess(principal, channel))
      throw new HubError(ErrorCode.Forbidden, `not allowed to publish to ${channel}`);
    // Who answered an agent is the hub's to say: a publisher must not forge it.
    if (principal && event === INPUT_SENT_EVENT)
      throw new HubError(ErrorCode.Forbidden, `${INPUT_SENT_EVENT} is published by the hub only`);
    const invalid = validateEvent(event, data);
    if (invalid) throw new HubError(invalid.code, invalid.message);
    const guard: PublishGuard | undefined = principal
      ? publishGuard((granted) => mayAccess(principal, granted), channel, event, data)
      : undefined;
    // The seed's events always carry data; `undefined` would vanish from the JSON.
    const stored = await this.engine.publish(channel, event, data ?? null, guard);
    this.metrics.publishes.inc({ source });
    return { offset: stored.offset, epoch: stored.epoch };
  }

  /** Agent output, batched into `output_batch` events on `agent:<id>` (every 100 ms, or at 256 KiB). */
  streamAgentOutput(agentId: string, text: string): void {
    if (!isValidId(agentId)) throw new HubError(ErrorCode.InvalidChannel, 'invalid agent id');
    if (typeof text !== 'string') throw new HubError(ErrorCode.InvalidMessage, 'output must be text');
    if (this.closed) throw new HubError(ErrorCode.Unavailable, 'hub is closed');
    this.batcher.push(agentId, text);
  }

  /** One unbatched `output` event (the seed's `streamAgentOutput`); pending batched output goes first. */
  async emitAgentOutput(agentId: string, text: string): Promise<{ offset: number; epoch: string }> {
    if (!isValidId(agentId)) throw new HubError(ErrorCode.InvalidChannel, 'invalid agent id');
    this.batcher.flush(agentId);
    return this.publishInternal(channelOf.agent(agentId), 'output', { timestamp: Date.now(), content: text }, 'output');
  }

  /** Agents with batched output waiting (each holds one timer; idle agents hold none). */
  get pendingOutputAgents(): number {
    return this.batcher.activeAgents;
  }

  // ------------------------------------------------------------ answering agents

  private readonly inputRouter = new AgentInputRouter();
  /** Withdraws this hub's handler from the engine's input route (set while a handler is registered). */
  private unserveInputs: (() => void) | null = null;

  /**
   * Registers the one handler that takes agents' inputs (falcon-pm): it gets
   * each validated input with `{inputId, agentId, by, at}`, and accepts it by
   * resolving, or refuses it by throwing or returning `{reject: message}` (the
   * sender gets `input_rejected`). Without one, inputs get `input_unavailable`
   * — unless another hub on the same Redis has one: the input is forwarded
   * there (docs/hub.md, "Answering agents across hubs"). Returns its undo.
   */
  onAgentInput(handler: AgentInputHandler): () => void {
    const undo = this.inputRouter.register(handler);
    const route = this.engine.inputRoute;
    let unserve: () => void = () => {};
    try {
      if (route && !this.closed) unserve = route.serve((input, meta) => this.acceptInput(input, meta));
    } catch (error) {
      undo();
      throw error;
    }
    this.unserveInputs = unserve;
    return () => {
      if (this.unserveInputs === unserve) this.unserveInputs = null;
      unserve();
      undo();
    };
  }

  /**
   * Sends an input from the token's holder to an agent: checks the act right,
   * that the hub has seen the agent, the request it answers (first answer
   * wins) and its choice, hands it to the handler (this hub's, or another
   * hub's on the same Redis), and publishes the `input_sent` audit event on
   * `agent:<id>`. Throws a HubError with a stable code.
   */
  async sendAgentInput(principal: Principal, agentId: string, input: AgentInput): Promise<{ inputId: string }> {
    try {
      const result = await this.deliverAgentInput(principal, agentId, input);
      this.metrics.agentInputs.inc({ outcome: 'accepted' });
      return result;
    } catch (error) {
      this.metrics.agentInputs.inc({ outcome: error instanceof HubError ? error.code : ErrorCode.Internal });
      throw error;
    }
  }

  private async deliverAgentInput(
    principal: Principal,
    agentId: string,
    input: AgentInput,
  ): Promise<{ inputId: string }> {
    if (this.closed) throw new HubError(ErrorCode.Unavailable, 'hub is closed');
    if (!isValidId(agentId)) throw new HubError(ErrorCode.InvalidChannel, 'invalid agent id');
    const channel = channelOf.agent(agentId);
    // Before anything else: a token that may not act learns nothing about the agent.
    if (!mayAct(principal, channel)) throw new HubError(ErrorCode.Forbidden, `not allowed to act on ${channel}`);
    const snapshot = await this.engine.snapshot(channel);
    const agent = snapshot.agents.find((record) => record.agentId === agentId);
    if (!agent) throw new HubError(ErrorCode.UnknownAgent, `this hub has never seen agent ${agentId}`);
    const route = this.engine.inputRoute;
    const { requestId } = input;
    if (requestId !== undefined) {
      if (this.inputRouter.isTaken(agentId, requestId) || (await route?.isTaken(agentId, requestId)))
        throw new HubError(ErrorCode.AlreadyAnswered, 'this request was answered already');
      if (agent.status !== 'waiting_for_input' || agent.requestId !== requestId)
        throw new HubError(ErrorCode.RequestNotPending, 'the agent is not waiting on this request');
    }
    if (input.choice !== undefined && !agent.choices?.some((choice) => choice.id === input.choice))
      throw new HubError(ErrorCode.InvalidChoice, 'the agent does not offer this choice');
    const meta = { inputId: randomUUID(), agentId, by: principal.user, at: Date.now() };
    if (!route) {
      await this.acceptInput(input, meta);
      return { inputId: meta.inputId };
    }
    // First answer wins across hubs: the hub the answer reached claims the request before delivery.
    if (requestId !== undefined && !(await route.claim(agentId, requestId, meta.inputId)))
      throw new HubError(ErrorCode.AlreadyAnswered, 'this request was answered already');
    try {
      if (this.inputRouter.hasHandler) await this.acceptInput(input, meta);
      else await this.forwardInput(route, input, meta);
    } catch (error) {
      if (requestId !== undefined)
        await route.release(agentId, requestId, meta.inputId).catch((failure: unknown) => {
          // The claim expires by itself (docs/hub.md): the request is answerable again then.
          this.logger.warn({ err: failure, agentId, requestId }, 'input claim not given back');
        });
      throw error;
    }
    return { inputId: meta.inputId };
  }

  private async forwardInput(route: InputRoute, input: AgentInput, meta: AgentInputMeta): Promise<void> {
    try {
      await route.forward(input, meta);
      this.metrics.inputsForwarded.inc({ outcome: 'accepted' });
    } catch (error) {
      this.metrics.inputsForwarded.inc({ outcome: error instanceof HubError ? error.code : ErrorCode.Internal });
      throw error;
    }
  }

  /**
   * Delivers an input to this hub's handler — one that reached this hub, or
   * one another hub forwarded — and, once it is accepted, marks its request
   * answered and publishes `input_sent`: the hub whose handler accepted is the
   * one that publishes it, so it is published once whichever hub it reached.
   */
  private async acceptInput(input: AgentInput, meta: AgentInputMeta): Promise<void> {
    await this.inputRouter.deliver(input, meta);
    const { agentId, inputId } = meta;
    const route = this.engine.inputRoute;
    if (route && input.requestId !== undefined) {
      await route.answered(agentId, input.requestId, inputId).catch((error: unknown) => {
        this.logger.error({ err: error, agentId, inputId }, 'input claim not marked answered');
      });
    }
    const audit: InputSent = { ...meta, ...input };
    // Delivered already: a lost audit event must not tell the sender to send again.
    await this.publishInternal(channelOf.agent(agentId), INPUT_SENT_EVENT, audit, 'api').catch((error: unknown) => {
      this.logger.error({ err: error, agentId, inputId }, 'input_sent audit event lost');
    });
  }

  /** An `input` message from a WebSocket client: the same checks and codes as `POST /api/agents/:agentId/input`. */
  handleInput(connection: ClientConnection, message: InputMessage): void {
    const { id } = message;
    const fail = (code: ErrorCode, text: string) => connection.sendError(code, text, undefined, id);
    if (!this.inputLimits.take(connection.tokenKey).ok) {
      this.metrics.rateLimited.inc();
      return fail(ErrorCode.RateLimited, 'too many inputs; slow down');
    }
    const parsed = parseAgentInput(message, ['type', 'agentId', 'id']);
    if (!parsed.ok) return fail(parsed.error.code, parsed.error.message);
    this.sendAgentInput(connection.principal, message.agentId, parsed.input).then(
      ({ inputId }) => connection.sendMessage({ type: 'input_ack', ...(id !== undefined ? { id } : {}), inputId }),
      (error: unknown) => {
        if (error instanceof HubError) return fail(error.code, error.message);
        this.logger.error({ err: error, clientId: connection.id }, 'input failed');
        fail(ErrorCode.Internal, 'internal error');
      },
    );
  }

  // ------------------------------------------------------------ lifecycle

  /** Closes every client with 1001, stops every timer, and resolves when all sockets are gone. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    // Output accepted before close is published, not dropped. This runs
    // synchronously inside close(), before `closing` is set, so the publishes
    // are still allowed.
    this.batcher.flushAll();
    this.batcher.dispose();
    this.stopHeartbeat();
    // Other hubs stop forwarding inputs here at once, not when the advertisement expires.
    this.unserveInputs?.();
    this.unserveInputs = null;
    this.expiries.dispose();
    const closed = [...this.connections.values()].map(
      (connection) =>
        new Promise<void>((resolve) => {
          if (connection.ws.readyState === connection.ws.CLOSED) return resolve();
          connection.ws.once('close', () => resolve());
          connection.close(CloseCode.GoingAway, 'hub shutting down');
          // A peer that never answers the close handshake is cut after a grace period.
          const timer = setTimeout(() => connection.ws.terminate(), 2000);
          connection.ws.once('close', () => clearTimeout(timer));
        }),
    );
    await Promise.all(closed);
    for (const hook of this.closeHooks) hook();
    this.detachEngine();
    if (this.ownsEngine) await this.engine.close();
  }

  private readonly closeHooks = new Set<() => void>();

  /** Runs `hook` when the hub closes (SSE streams end themselves this way). Returns its undo. */
  onClose(hook: () => void): () => void {
    this.closeHooks.add(hook);
    return () => this.closeHooks.delete(hook);
  }
}

/** The newest events whose frames fit in `maxBytes`, as a `history` message carries them (oldest first). */
function fitEvents(events: readonly ChannelEvent[], maxBytes: number): HistoryEvent[] {
  let bytes = 0;
  let first = events.length;
  while (first > 0 && bytes + events[first - 1].frame.length <= maxBytes) bytes += events[--first].frame.length;
  return events.slice(first).map(({ event, data, offset, epoch, time }) => ({ event, data, offset, epoch, time }));
}

/** The error listener of an upgrading socket, one for all of them. */
function destroySocket(this: Duplex): void {
  this.destroy();
}
