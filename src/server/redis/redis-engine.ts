import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { ErrorCode } from '../../shared/errors';
import {
  type AgentState,
  type Channel,
  type IssueState,
  type Snapshot,
  type StreamPosition,
  parseChannel,
} from '../../shared/protocol';
import {
  type ChannelEvent,
  type Engine,
  type EngineHealth,
  type HistoryLimits,
  type KeptHistory,
  type OutputTail,
  type Recovery,
  eventFrame,
} from '../engine';
import { HubError } from '../hub-error';
import { DEFAULT_HISTORY, DEFAULT_MEMORY_LIMITS } from '../memory-engine';
import { outputText } from '../../shared/output';
import { MAX_LINE_CHARS } from '../output-tail';
import type { PublishGuard } from '../publish-authorization';
import { boardPatch } from './board-patch';
import { DEFAULT_INPUT_ROUTE_LIMITS, type InputRouteLimits, RedisInputRoute } from './input-route';
import { parseFeedMessage } from './feed-message';
import {
  type BatchReply,
  DEFAULT_PUBLISH_BATCH_LIMITS,
  PublishBatch,
  type PublishBatchLimits,
  unavailable,
} from './publish-batch';
import { HISTORY_SCRIPT, PUBLISH_BATCH_SCRIPT, RECOVER_SCRIPT } from './scripts';

export interface RedisEngineOptions {
  /** `redis://host:port[/db]` */
  url: string;
  /** Key prefix, so several deployments can share one Redis (default `falcon:`). */
  prefix?: string;
  /** Per channel: events, age and bytes of frames (default 1000, 10 min, 8 MiB), enforced exactly by the publish script. */
  history?: Partial<HistoryLimits>;
  /** Output lines kept per agent for `tail` (default 5000). */
  tailLines?: number;
  /** Bytes of output kept per agent for `tail` (default 2 MiB); a line longer than 16 KiB is kept as several pieces. */
  tailBytes?: number;
  /** How long finished issues, idle agents and output tails stay (default 24 h). */
  finishedTtlMs?: number;
  /** Channels one epoch may hold before a new epoch starts, bounding the offsets hash (default 1 000 000). */
  maxChannels?: number;
  /** Inputs to agents across hubs: deadline, advertisement and claim TTLs, in-flight bounds (docs/hub.md). */
  inputs?: Partial<InputRouteLimits>;
  /** Publishes and bytes per script call (default 256 and 1 MiB); a tick's publishes share calls. */
  publishBatch?: Partial<PublishBatchLimits>;
  logger?: Logger;
}

/** Compare-and-set rounds before a publish whose issue keeps moving gives up with `unavailable`. */
const MAX_GUARD_ATTEMPTS = 5;

type ScriptRunner = {
  falconPublish(...args: Array<string | number>): Promise<Array<string | number>>;
  falconRecover(...args: Array<string | number>): Promise<Array<string | number>>;
  falconHistory(...args: Array<string | number>): Promise<Array<string | number>>;
};

/**
 * History, offsets, epochs, snapshots and tails in Redis, shared by every hub
 * (docs/scaling.md). The publishes of one tick are one Lua script call
 * (offsets, stream entries, board fields, tails, one fan-out message) so all
 * hubs see events in offset order; each hub holds one pub/sub subscription
 * for the fan-out and splits each message once.
 */
export class RedisEngine implements Engine {
  readonly name = 'redis';
  /** The epoch seen last (informational; every read fetches it from Redis). */
  epoch = '';
  /** Inputs to agents across the hubs on this Redis. */
  readonly inputRoute: RedisInputRoute;
  private readonly command: Redis & ScriptRunner;
  private readonly subscriber: Redis;
  private readonly listeners = new Set<(event: ChannelEvent) => void>();
  private readonly resetListeners = new Set<() => void>();
  private readonly prefix: string;
  private readonly limits: HistoryLimits;
  private readonly tailLines: number;
  private readonly tailBytes: number;
  private readonly finishedTtlMs: number;
  private readonly maxChannels: number;
  private readonly batch: PublishBatch;
  private subscribedOnce = false;
  private lostFeed = false;

  private constructor(private readonly options: RedisEngineOptions) {
    this.prefix = options.prefix ?? 'falcon:';
    this.limits = { ...DEFAULT_HISTORY, ...options.history };
    this.tailLines = options.tailLines ?? DEFAULT_MEMORY_LIMITS.tailLines;
    this.tailBytes = options.tailBytes ?? DEFAULT_MEMORY_LIMITS.tailChars;
    this.finishedTtlMs = options.finishedTtlMs ?? 24 * 3600_000;
    this.maxChannels = options.maxChannels ?? 1_000_000;
    const common = {
      // Fail fast while Redis is away: publishes answer 503 instead of queueing without bound.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: (times: number) => Math.min(50 * 2 ** times, 2000),
      lazyConnect: true,
    };
    this.command = new Redis(options.url, { ...common, connectionName: 'falcon-hub' }) as Redis & ScriptRunner;
    this.command.defineCommand('falconPublish', { numberOfKeys: 0, lua: PUBLISH_BATCH_SCRIPT });
    this.command.defineCommand('falconRecover', { numberOfKeys: 0, lua: RECOVER_SCRIPT });
    this.command.defineCommand('falconHistory', { numberOfKeys: 0, lua: HISTORY_SCRIPT });
    this.batch = new PublishBatch(
      (now, count, publishes) =>
        this.command.falconPublish(
          this.prefix,
          now,
          newEpoch(),
          this.limits.size,
          this.limits.ttlMs,
          this.tailLines,
          this.finishedTtlMs,
          this.maxChannels,
          this.limits.maxBytes,
          this.tailBytes,
          MAX_LINE_CHARS,
          count,
          ...publishes,
        ),
      { ...DEFAULT_PUBLISH_BATCH_LIMITS, ...options.publishBatch },
    );
    this.subscriber = new Redis(options.url, { ...common, connectionName: 'falcon-hub-feed', autoResubscribe: true });
    for (const client of [this.command, this.subscriber]) {
      client.on('error', (error: Error) => options.logger?.warn({ err: error.message }, 'redis error'));
    }
    this.inputRoute = new RedisInputRoute(
      this.command,
      this.prefix,
      { ...DEFAULT_INPUT_ROUTE_LIMITS, ...options.inputs },
      options.logger,
    );
    this.subscriber.on('message', (name: string, message: string) => {
      if (name === this.inputRoute.channel) this.inputRoute.handleMessage(message);
      else this.onMessage(message);
    });
    this.subscriber.on('close', () => {
      if (this.subscribedOnce) this.lostFeed = true;
    });
    // A Redis that restarted has no scripts: load the publish script first thing on every (re)connect, so no
    // call meets NOSCRIPT and is sent again as EVAL behind a later call that found the script loaded.
    this.command.on('ready', () => {
      this.command.script('LOAD', PUBLISH_BATCH_SCRIPT).catch((error: Error) => {
        options.logger?.warn({ err: error.message }, 'redis: loading the publish script failed');
      });
    });
    this.subscriber.on('ready', () => {
      // Back after a drop: events published meanwhile never reached this hub. Its clients resume.
      if (this.lostFeed) {
        this.lostFeed = false;
        options.logger?.warn('redis feed restored; asking clients to resume');
        for (const listener of this.resetListeners) listener();
      }
    });
  }

  /** Connects both Redis clients and subscribes to the fan-out channel. */
  static async connect(options: RedisEngineOptions): Promise<RedisEngine> {
    const engine = new RedisEngine(options);
    try {
      await Promise.all([engine.command.connect(), engine.subscriber.connect()]);
      await engine.subscriber.subscribe(`${engine.prefix}events`, engine.inputRoute.channel);
    } catch (error) {
      engine.command.disconnect();
      engine.subscriber.disconnect();
      throw new Error(`cannot connect to Redis at ${redact(options.url)}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    engine.subscribedOnce = true;
    return engine;
  }

  async publish(channel: Channel, event: string, data: unknown, guard?: PublishGuard): Promise<ChannelEvent> {
    const dataJson = JSON.stringify(data ?? null);
    const patch = boardPatch(event, data, channel);
    const tail = parseChannel(channel)?.kind === 'agent' ? (outputText(event, data) ?? '') : '';
    const patchJson = patch ? JSON.stringify(patch) : '';
    // Check, then compare-and-set: the script writes only if the issue's stored project is still the one
    // the decision was taken on. Another hub moving the issue meanwhile means deciding again.
    for (let attempt = 1; ; attempt++) {
      const stored = guard ? await this.decide(guard) : null;
      const reply: BatchReply = await this.batch.add({
        channel,
        event,
        dataJson,
        patchJson,
        tail,
        guardIssueId: guard?.issueId ?? '',
        guardStored: stored ?? '',
      });
      if (reply === 'moved') {
        if (attempt < MAX_GUARD_ATTEMPTS) continue;
        throw new HubError(ErrorCode.Unavailable, 'the issue kept changing during the publish; retry');
      }
      this.epoch = reply.epoch;
      return new PublishedEvent(channel, event, data, reply.offset, reply.epoch, reply.time);
    }
  }

  /** Reads what the guard decides on and throws its refusal; returns the stored projectId field as read. */
  private async decide(guard: PublishGuard): Promise<string | null> {
    let stored: string | null = null;
    let exists = false;
    if (guard.issueId !== undefined) {
      try {
        // Every stored issue has createdAt (the publish script sets it): it tells a projectless issue from none.
        const [projectField, createdAt] = await this.command.hmget(
          `${this.prefix}issue:${guard.issueId}`,
          'projectId',
          'createdAt',
        );
        stored = projectField;
        exists = createdAt !== null;
      } catch (error) {
        throw unavailable(error);
      }
    }
    const projectId = stored === null ? undefined : parseField(stored);
    const refusal = guard.decide(typeof projectId === 'string' ? projectId : undefined, exists);
    if (refusal) throw new HubError(refusal.code, refusal.message);
    return stored;
  }

  onEvent(listener: (event: ChannelEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onReset(listener: () => void): () => void {
    this.resetListeners.add(listener);
    return () => this.resetListeners.delete(listener);
  }

  async recover(channel: Channel, since?: StreamPosition): Promise<Recovery> {
    let reply: Array<string | number>;
    try {
      reply = await this.command.falconRecover(
        this.prefix,
        channel,
        newEpoch(),
        since?.epoch ?? '',
        since?.offset ?? 0,
        Date.now(),
        this.limits.ttlMs,
        this.limits.size,
      );
    } catch (error) {
      throw unavailable(error);
    }
    const epoch = String(reply[0]);
    const head = Number(reply[1]);
    const verdict = Number(reply[2]);
    this.epoch = epoch;
    if (verdict === -1) return { epoch, offset: head, events: [] };
    if (verdict === 0) return { epoch, offset: head, recovered: false, events: [] };
    const events: ChannelEvent[] = [];
    for (let i = 3; i < reply.length; i += 2)
      events.push(new StoredEvent(channel, String(reply[i]), Number(reply[i + 1])));
    return { epoch, offset: head, recovered: verdict === 1, events };
  }

  async history(channel: Channel, limit: number): Promise<KeptHistory> {
    let reply: Array<string | number>;
    try {
      reply = await this.command.falconHistory(
        this.prefix,
        channel,
        newEpoch(),
        Date.now(),
        this.limits.ttlMs,
        Math.min(limit, this.limits.size),
      );
    } catch (error) {
      throw unavailable(error);
    }
    const epoch = String(reply[0]);
    this.epoch = epoch;
    const events: ChannelEvent[] = [];
    for (let i = 2; i < reply.length; i += 2)
      events.push(new StoredEvent(channel, String(reply[i]), Number(reply[i + 1])));
    return { epoch, offset: Number(reply[1]), events };
  }

  async snapshot(channel: Channel): Promise<Snapshot> {
    const parsed = parseChannel(channel);
    if (!parsed) return { issues: [], agents: [] };
    try {
      if (parsed.kind === 'project') {
        const ids = await this.command.smembers(`${this.prefix}project-issues:${parsed.id}`);
        const issues = (await this.readAll<IssueState>('issue', ids)).filter((issue) => issue.projectId === parsed.id);
        const agentIds = await this.command.smembers(`${this.prefix}agents`);
        const agents = (await this.readAll<AgentState>('agent', agentIds)).filter(
          (agent) => agent.projectId === parsed.id || !agent.projectId,
        );
        await this.forgetExpired(
          `${this.prefix}project-issues:${parsed.id}`,
          ids,
          issues.map((issue) => issue.issueId),
        );
        return { issues, agents };
      }
      if (parsed.kind === 'issue') {
        const [issue] = await this.readAll<IssueState>('issue', [parsed.id]);
        const agents = issue?.agentId ? await this.readAll<AgentState>('agent', [issue.agentId]) : [];
        return { issues: issue ? [issue] : [], agents };
      }
      const [agent] = await this.readAll<AgentState>('agent', [parsed.id]);
      const issues = agent?.issueId ? await this.readAll<IssueState>('issue', [agent.issueId]) : [];
      return { issues, agents: agent ? [agent] : [] };
    } catch (error) {
      throw unavailable(error);
    }
  }

  async projects(): Promise<string[]> {
    try {
      return (await this.command.smembers(`${this.prefix}projects`)).sort();
    } catch (error) {
      throw unavailable(error);
    }
  }

  async tail(channel: Channel, lines: number): Promise<OutputTail> {
    try {
      const [[, kept], [, offset], [, epoch]] = (await this.command
        .multi()
        .lrange(`${this.prefix}tail:${channel}`, -lines, -1)
        .hget(`${this.prefix}tail-offsets`, channel)
        .get(`${this.prefix}epoch`)
        .exec()) as [[unknown, string[]], [unknown, string | null], [unknown, string | null]];
      // No epoch yet (a fresh or emptied Redis): establish it, so the tail names a real one.
      return { lines: kept, offset: Number(offset ?? 0), epoch: epoch ?? (await this.recover(channel)).epoch };
    } catch (error) {
      throw unavailable(error);
    }
  }

  health(): EngineHealth {
    const ok = this.command.status === 'ready' && this.subscriber.status === 'ready';
    return ok
      ? { ok, engine: this.name }
      : { ok, engine: this.name, detail: `redis ${this.command.status}/${this.subscriber.status}` };
  }

  async close(): Promise<void> {
    this.listeners.clear();
    this.resetListeners.clear();
    // Publishes of this tick go out before the connection closes (QUIT waits for their replies).
    this.batch.flush();
    await this.inputRoute.close();
    await Promise.all([quit(this.command), quit(this.subscriber)]);
  }

  private onMessage(message: string): void {
    // One split per message, no JSON parse: each frame goes to the fan-out as published.
    const parsed = parseFeedMessage(message);
    if ('dropped' in parsed) {
      this.options.logger?.warn(
        { reason: parsed.dropped, start: message.slice(0, 40) },
        'event feed message dropped (are all hubs on this Redis the same release? docs/scaling.md)',
      );
      return;
    }
    for (const group of parsed.groups) {
      this.epoch = group.epoch;
      group.frames.forEach((frame, index) => {
        const event = new StoredEvent(group.channel, frame, parsed.time, group.firstOffset + index, group.epoch);
        for (const listener of this.listeners) listener(event);
      });
    }
  }

  private async readAll<T>(kind: 'issue' | 'agent', ids: string[]): Promise<T[]> {
    if (ids.length === 0) return [];
    const pipeline = this.command.pipeline();
    for (const id of ids) pipeline.hgetall(`${this.prefix}${kind}:${id}`);
    const replies = (await pipeline.exec()) ?? [];
    const result: Array<Record<string, unknown>> = [];
    replies.forEach(([error, fields], index) => {
      if (error || !fields || Object.keys(fields as object).length === 0) return;
      const record: Record<string, unknown> = { [kind === 'issue' ? 'issueId' : 'agentId']: ids[index] };
      for (const [field, value] of Object.entries(fields as Record<string, string>)) record[field] = parseField(value);
      result.push(record);
    });
    // Board hashes are written only by the publish script, from validated events.
    return result as unknown as T[];
  }

  /** Issues whose hash expired (finished work) leave their project's set too. */
  private async forgetExpired(key: string, ids: string[], alive: string[]): Promise<void> {
    const gone = ids.filter((id) => !alive.includes(id));
    if (gone.length > 0) await this.command.srem(key, ...gone);
  }
}

/** The answer to a publish: its frame is serialized only if someone asks (the hub fans out the feed's copy). */
class PublishedEvent implements ChannelEvent {
  private serialized: string | null = null;

  constructor(
    readonly channel: Channel,
    readonly event: string,
    readonly data: unknown,
    readonly offset: number,
    readonly epoch: string,
    readonly time: number,
  ) {}

  get frame(): string {
    this.serialized ??= eventFrame(this.channel, this.event, this.data, this.offset, this.epoch);
    return this.serialized;
  }
}

/** An event read back from Redis: routing fields known, payload parsed only if someone asks. */
class StoredEvent implements ChannelEvent {
  private parsed: { event: string; data: unknown; offset: number; epoch: string } | null = null;

  constructor(
    readonly channel: Channel,
    readonly frame: string,
    readonly time: number,
    private readonly knownOffset?: number,
    private readonly knownEpoch?: string,
  ) {}

  get offset(): number {
    return this.knownOffset ?? this.parse().offset;
  }

  get epoch(): string {
    return this.knownEpoch ?? this.parse().epoch;
  }

  get event(): string {
    return this.parse().event;
  }

  get data(): unknown {
    return this.parse().data;
  }

  private parse() {
    this.parsed ??= JSON.parse(this.frame) as { event: string; data: unknown; offset: number; epoch: string };
    return this.parsed;
  }
}

function parseField(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function newEpoch(): string {
  return randomUUID().slice(0, 8);
}

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

async function quit(client: Redis): Promise<void> {
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
