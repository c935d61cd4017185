import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import { type AgentInput, parseAgentInput } from '../../shared/agent-input';
import { ErrorCode } from '../../shared/errors';
import { isValidId } from '../../shared/protocol';
import { type AgentInputMeta, INPUT_HANDLER_TIMEOUT_MS } from '../agent-input-router';
import type { ForwardedInputHandler, InputRoute } from '../engine';
import { HubError } from '../hub-error';
import { ADVERTISE_SCRIPT, LIVE_HUBS_SCRIPT, SETTLE_CLAIM_SCRIPT } from './scripts';

export interface InputRouteLimits {
  /** How long a sender waits for the handler hub's word, publishing included. Default 10 s (`INPUT_HANDLER_TIMEOUT_MS`). */
  timeoutMs: number;
  /** How long an advertisement lasts unless refreshed; a hub refreshes it every third of that. Default 15 s. */
  advertiseTtlMs: number;
  /** How long a claim lasts while its answer is being delivered (outlives the deadline; frees a request whose sender died). Default 60 s. */
  pendingClaimTtlMs: number;
  /** How long an answered request stays answered. Default 24 h. */
  answeredTtlMs: number;
  /** Forwarded inputs waiting for a reply, and forwarded inputs being served, at most (each). Default 1000. */
  maxInFlight: number;
}

export const DEFAULT_INPUT_ROUTE_LIMITS: InputRouteLimits = {
  timeoutMs: INPUT_HANDLER_TIMEOUT_MS,
  advertiseTtlMs: 15_000,
  pendingClaimTtlMs: 60_000,
  answeredTtlMs: 24 * 3600_000,
  maxInFlight: 1000,
};

/** Longest message on a hub's input channel: a 16 000-character reply escapes to at most 96 000 bytes. */
const MAX_MESSAGE_CHARS = 256 * 1024;
/** Codes a handler hub's refusal may carry; anything else reaches the sender as `input_unavailable`. */
const REPLY_CODES = [ErrorCode.InputRejected, ErrorCode.InputUnavailable, ErrorCode.AlreadyAnswered] as const;

const hubId = z.string().regex(/^[0-9a-f-]{36}$/);
const requestSchema = z.strictObject({
  v: z.literal(1),
  kind: z.literal('input'),
  id: hubId,
  from: hubId,
  input: z.unknown(),
  meta: z.strictObject({
    inputId: z.string().min(1).max(64),
    agentId: z.string().refine(isValidId),
    by: z.string().max(1024),
    at: z.number().finite().nonnegative(),
  }),
});
const replySchema = z.strictObject({
  v: z.literal(1),
  kind: z.literal('reply'),
  id: hubId,
  error: z.strictObject({ code: z.enum(REPLY_CODES), message: z.string().max(600) }).optional(),
});
const messageSchema = z.discriminatedUnion('kind', [requestSchema, replySchema]);
type ForwardRequest = z.infer<typeof requestSchema>;
type ForwardReply = z.infer<typeof replySchema>;

type ScriptRunner = {
  falconAdvertise(key: string, hub: string, ttlMs: number): Promise<number>;
  falconLiveHubs(key: string): Promise<string[]>;
  falconSettleClaim(key: string, held: string, next: string, ttlMs: number): Promise<number>;
};

/**
 * Inputs to agents across hubs on one Redis (docs/hub.md, "Answering agents
 * across hubs"). A hub with a handler advertises itself in `input-hubs`; a
 * hub without one forwards the input on the handler hub's own pub/sub
 * channel and waits for the reply on its own. First answer wins through one
 * claim key per request (SET NX), taken by the hub the answer reached.
 */
export class RedisInputRoute implements InputRoute {
  /** This hub's id: its channel is `inputs:<hubId>`. */
  readonly hubId = randomUUID();
  readonly channel: string;
  private readonly redis: Redis & ScriptRunner;
  private readonly hubsKey: string;
  private handler: ForwardedInputHandler | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  /** Forwarded inputs waiting for their reply, by request id: settling removes the entry and its timer. */
  private readonly pending = new Map<string, (error?: HubError) => void>();
  private serving = 0;
  private readonly droppedListeners = new Set<(reason: string) => void>();
  private lastDropLog = 0;
  private closed = false;

  constructor(
    redis: Redis,
    private readonly prefix: string,
    private readonly limits: InputRouteLimits,
    private readonly logger?: Logger,
  ) {
    this.channel = `${prefix}inputs:${this.hubId}`;
    this.hubsKey = `${prefix}input-hubs`;
    redis.defineCommand('falconAdvertise', { numberOfKeys: 0, lua: ADVERTISE_SCRIPT });
    redis.defineCommand('falconLiveHubs', { numberOfKeys: 0, lua: LIVE_HUBS_SCRIPT });
    redis.defineCommand('falconSettleClaim', { numberOfKeys: 0, lua: SETTLE_CLAIM_SCRIPT });
    this.redis = redis as Redis & ScriptRunner;
  }

  /** How many forwarded inputs wait for a reply and how many this hub serves (for the memory budget). */
  get inFlight(): { forwarded: number; serving: number } {
    return { forwarded: this.pending.size, serving: this.serving };
  }

  serve(handler: ForwardedInputHandler): () => void {
    if (this.handler) throw new Error('this hub serves forwarded inputs already');
    // A closed engine has no Redis to advertise in.
    if (this.closed) return () => {};
    this.handler = handler;
    const advertise = () =>
      void this.redis
        .falconAdvertise(this.hubsKey, this.hubId, this.limits.advertiseTtlMs)
        .catch((error: unknown) => this.logger?.warn({ err: String(error) }, 'input route: cannot advertise'));
    advertise();
    this.heartbeat = setInterval(advertise, Math.max(1, Math.floor(this.limits.advertiseTtlMs / 3)));
    return () => {
      if (this.handler !== handler) return;
      void this.withdraw();
    };
  }

  /** Hubs whose advertisement has not expired (this one included when it serves). */
  async liveHubs(): Promise<string[]> {
    try {
      return await this.redis.falconLiveHubs(this.hubsKey);
    } catch (error) {
      throw unavailable(error);
    }
  }

  async forward(input: AgentInput, meta: AgentInputMeta): Promise<void> {
    if (this.closed) throw new HubError(ErrorCode.InputUnavailable, 'the hub is closing');
    if (this.pending.size >= this.limits.maxInFlight)
      throw new HubError(ErrorCode.InputUnavailable, 'too many inputs on their way to other hubs; retry');
    const hubs = shuffle((await this.liveHubs()).filter((hub) => hub !== this.hubId));
    if (hubs.length === 0) throw new HubError(ErrorCode.InputUnavailable, 'no hub takes agent inputs');
    const request: ForwardRequest = { v: 1, kind: 'input', id: randomUUID(), from: this.hubId, input, meta };
    return new Promise<void>((resolve, reject) => {
      const settle = (error?: HubError) => {
        if (!this.pending.delete(request.id)) return;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(
        () => settle(new HubError(ErrorCode.InputUnavailable, 'the hub that takes inputs did not answer in time')),
        this.limits.timeoutMs,
      );
      this.pending.set(request.id, settle);
      this.publishToFirst(hubs, JSON.stringify(request)).then(
        (sent) => {
          if (!sent) settle(new HubError(ErrorCode.InputUnavailable, 'no hub that takes agent inputs is reachable'));
        },
        (error: unknown) => settle(unavailable(error)),
      );
    });
  }

  /** Publishes to the first hub still subscribed (PUBLISH counts receivers: 0 means that hub is gone). */
  private async publishToFirst(hubs: string[], text: string): Promise<boolean> {
    for (const hub of hubs) {
      if ((await this.redis.publish(`${this.prefix}inputs:${hub}`, text)) > 0) return true;
    }
    return false;
  }

  async claim(agentId: string, requestId: string, inputId: string): Promise<boolean> {
    try {
      const set = await this.redis.set(
        this.claimKey(agentId, requestId),
        `pending:${inputId}`,
        'PX',
        this.limits.pendingClaimTtlMs,
        'NX',
      );
      return set === 'OK';
    } catch (error) {
      throw unavailable(error);
    }
  }

  async release(agentId: string, requestId: string, inputId: string): Promise<void> {
    await this.settleClaim(agentId, requestId, inputId, '', 0);
  }

  async answered(agentId: string, requestId: string, inputId: string): Promise<void> {
    await this.settleClaim(agentId, requestId, inputId, `answered:${inputId}`, this.limits.answeredTtlMs);
  }

  async isTaken(agentId: string, requestId: string): Promise<boolean> {
    try {
      return (await this.redis.exists(this.claimKey(agentId, requestId))) === 1;
    } catch (error) {
      throw unavailable(error);
    }
  }

  onDropped(listener: (reason: string) => void): () => void {
    this.droppedListeners.add(listener);
    return () => this.droppedListeners.delete(listener);
  }

  /** A message on this hub's input channel: parsed here, and nothing unparsed goes further. */
  handleMessage(text: string): void {
    if (text.length > MAX_MESSAGE_CHARS) return this.drop('too_large');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return this.drop('not_json');
    }
    const parsed = messageSchema.safeParse(value);
    if (!parsed.success) return this.drop('malformed');
    if (parsed.data.kind === 'reply') return this.takeReply(parsed.data);
    const input = parseAgentInput(parsed.data.input);
    if (!input.ok) return this.drop('malformed');
    void this.serveOne(parsed.data, input.input);
  }

  /** Withdraws the advertisement, and tells every sender still waiting that this hub is going. */
  async close(): Promise<void> {
    this.closed = true;
    await this.withdraw();
    for (const settle of [...this.pending.values()])
      settle(new HubError(ErrorCode.InputUnavailable, 'the hub is closing'));
  }

  private takeReply(reply: ForwardReply): void {
    const settle = this.pending.get(reply.id);
    // Late (after the deadline) or not ours: nobody waits for it.
    if (!settle) return this.drop('unexpected_reply');
    settle(reply.error ? new HubError(reply.error.code, reply.error.message) : undefined);
  }

  private async serveOne(request: ForwardRequest, input: AgentInput): Promise<void> {
    const handler = this.handler;
    let error: ForwardReply['error'];
    if (!handler) {
      error = { code: ErrorCode.InputUnavailable, message: 'the hub that took inputs no longer does' };
    } else if (this.serving >= this.limits.maxInFlight) {
      error = { code: ErrorCode.InputUnavailable, message: 'the hub that takes inputs is busy; retry' };
    } else {
      this.serving++;
      try {
        await handler(input, request.meta);
      } catch (failure) {
        error = replyError(failure);
      } finally {
        this.serving--;
      }
    }
    const reply: ForwardReply = { v: 1, kind: 'reply', id: request.id, ...(error ? { error } : {}) };
    try {
      await this.redis.publish(`${this.prefix}inputs:${request.from}`, JSON.stringify(reply));
    } catch (failure) {
      // The sender's deadline tells it `input_unavailable`; its claim is given back.
      this.logger?.warn({ err: String(failure), inputId: request.meta.inputId }, 'input route: reply lost');
    }
  }

  private async withdraw(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    if (!this.handler) return;
    this.handler = null;
    try {
      await this.redis.falconAdvertise(this.hubsKey, this.hubId, 0);
    } catch (error) {
      // It expires by itself within the advertisement TTL.
      this.logger?.warn({ err: String(error) }, 'input route: cannot withdraw the advertisement');
    }
  }

  private async settleClaim(agentId: string, requestId: string, inputId: string, next: string, ttlMs: number) {
    try {
      await this.redis.falconSettleClaim(this.claimKey(agentId, requestId), `pending:${inputId}`, next, ttlMs);
    } catch (error) {
      throw unavailable(error);
    }
  }

  private claimKey(agentId: string, requestId: string): string {
    // Ids have no ':' (ID_PATTERN), so the key is unambiguous.
    return `${this.prefix}input-claim:${agentId}:${requestId}`;
  }

  private drop(reason: string): void {
    for (const listener of this.droppedListeners) listener(reason);
    const now = Date.now();
    // A flood of foreign messages must not become a flood of log lines.
    if (now - this.lastDropLog < 10_000) return;
    this.lastDropLog = now;
    this.logger?.warn({ reason, channel: this.channel }, 'input route: dropped a message');
  }
}

function replyError(failure: unknown): NonNullable<ForwardReply['error']> {
  const message = (failure instanceof Error ? failure.message : String(failure)).slice(0, 600);
  if (failure instanceof HubError && (REPLY_CODES as readonly string[]).includes(failure.code))
    return { code: failure.code as (typeof REPLY_CODES)[number], message };
  return { code: ErrorCode.InputUnavailable, message: 'the hub that takes inputs could not deliver it' };
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

function unavailable(error: unknown): HubError {
  return new HubError(
    ErrorCode.Unavailable,
    `redis unavailable: ${error instanceof Error ? error.message : String(error)}`,
  );
}
