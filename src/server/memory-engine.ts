import { randomUUID } from 'node:crypto';
import { type BoardRetention, DEFAULT_BOARD_RETENTION, pruneBoard } from '../shared/board-retention';
import { applyBoardEvent, createBoardState, selectSnapshot, touchAgent } from '../shared/board-state';
import { type Channel, type Snapshot, type StreamPosition, parseChannel } from '../shared/protocol';
import {
  type ChannelEvent,
  type Engine,
  type EngineHealth,
  type HistoryLimits,
  type KeptHistory,
  type OutputTail as Tail,
  type Recovery,
  eventFrame,
} from './engine';
import { ChannelHistory, HistoryLedger } from './history';
import { HubError } from './hub-error';
import { outputText } from '../shared/output';
import { OutputTail } from './output-tail';
import type { PublishGuard } from './publish-authorization';

/** The memory engine's bounds (docs/hub.md, "Memory budget"). */
export interface MemoryLimits {
  /** Bytes of history kept across all channels; the globally oldest events go first. Default 256 MiB. */
  maxHistoryBytes?: number;
  /** Channels whose offsets, history and tail are kept; the least recently published go first. Default 100 000. */
  maxChannels?: number;
  /** Lines of output kept per agent for `tail`. Default 5000. */
  tailLines?: number;
  /** Characters of output kept per agent for `tail`. Default 2 MiB. */
  tailChars?: number;
  /** Characters of output kept for all agents' tails; the least recently written go first. Default 64 MiB. */
  maxTailChars?: number;
  /**
   * How long finished issues, quiet agents and idle channels (offsets, tail)
   * are kept, and how many issues and agents at most. Default 24 h, like the
   * Redis engine's `finishedTtlMs`.
   */
  retention?: Partial<BoardRetention>;
}

export interface MemoryEngineOptions extends MemoryLimits {
  history?: Partial<HistoryLimits>;
  now?: () => number;
}

export const DEFAULT_HISTORY: HistoryLimits = { size: 1000, ttlMs: 10 * 60_000, maxBytes: 8 * 1024 * 1024 };

export const DEFAULT_MEMORY_LIMITS: Required<Omit<MemoryLimits, 'retention'>> = {
  maxHistoryBytes: 256 * 1024 * 1024,
  maxChannels: 100_000,
  tailLines: 5000,
  tailChars: 2 * 1024 * 1024,
  maxTailChars: 64 * 1024 * 1024,
};

// Expired history is swept this often even when nothing is published.
const SWEEP_MS = 1000;
// The board is pruned of finished work this often (a pass over every issue).
const BOARD_PRUNE_MS = 60_000;

/** What the engine keeps of one channel. */
interface ChannelState {
  /**
   * The channel's epoch. A channel whose state was evicted starts again at
   * offset 1 under a new epoch, so no client ever sees an (epoch, offset)
   * pair reused, and one resuming it is told `recovered: false`.
   */
  epoch: string;
  history: ChannelHistory;
  tail?: OutputTail;
  lastPublishAt: number;
}

/**
 * History, snapshots and tails in this process, each bounded (docs/hub.md,
 * "Memory budget"). Its epoch is new every start, so clients resuming against
 * a restarted hub are told `recovered: false`.
 */
export class MemoryEngine implements Engine {
  readonly name = 'memory';
  readonly epoch = randomUUID().slice(0, 8);
  /** Least recently published first. */
  private readonly channels = new Map<Channel, ChannelState>();
  /** Channels with a tail, least recently written first. */
  private readonly tails = new Map<Channel, ChannelState>();
  private tailChars = 0;
  /** Channel states evicted so far: each bump names a new epoch for channels created afterwards. */
  private generation = 0;
  private readonly board = createBoardState();
  private readonly listeners = new Set<(event: ChannelEvent) => void>();
  private readonly limits: HistoryLimits;
  private readonly memory: Required<Omit<MemoryLimits, 'retention'>>;
  private readonly retention: BoardRetention;
  private readonly ledger: HistoryLedger;
  private readonly now: () => number;
  private readonly sweeper: ReturnType<typeof setInterval>;
  private lastBoardPrune: number;

  constructor(options: MemoryEngineOptions = {}) {
    const { maxHistoryBytes, maxChannels, tailLines, tailChars, maxTailChars } = options;
    this.limits = { ...DEFAULT_HISTORY, ...defined(options.history) };
    this.memory = {
      ...DEFAULT_MEMORY_LIMITS,
      ...defined({ maxHistoryBytes, maxChannels, tailLines, tailChars, maxTailChars }),
    };
    this.retention = { ...DEFAULT_BOARD_RETENTION, ...defined(options.retention) };
    for (const [name, value] of Object.entries({ ...this.limits, ...this.memory, ...this.retention })) {
      if (typeof value !== 'number' || !(value > 0))
        throw new RangeError(`The ${name} option must be a positive number`);
    }
    this.now = options.now ?? Date.now;
    this.lastBoardPrune = this.now();
    this.ledger = new HistoryLedger(this.memory.maxHistoryBytes, this.limits.ttlMs);
    this.sweeper = setInterval(() => this.sweep(), SWEEP_MS);
    // Housekeeping only: it must not keep a process alive.
    this.sweeper.unref();
  }

  async publish(channel: Channel, event: string, data: unknown, guard?: PublishGuard): Promise<ChannelEvent> {
    return this.publishNow(channel, event, data, guard);
  }

  /** Synchronous publish: the memory engine needs no I/O, so the guard's check and the write cannot interleave. */
  publishNow(channel: Channel, event: string, data: unknown, guard?: PublishGuard): ChannelEvent {
    if (guard) {
      const issue = guard.issueId === undefined ? undefined : this.board.issues.get(guard.issueId);
      const refusal = guard.decide(issue?.projectId, issue !== undefined);
      if (refusal) throw new HubError(refusal.code, refusal.message);
    }
    const time = this.now();
    const state = this.touch(channel, time);
    const offset = state.history.head + 1;
    const stored: ChannelEvent = {
      channel,
      event,
      data,
      offset,
      epoch: state.epoch,
      time,
      frame: eventFrame(channel, event, data, offset, state.epoch),
    };
    state.history.append(stored);
    this.ledger.enforce(time);
    this.remember(state, stored);
    for (const listener of this.listeners) listener(stored);
    return stored;
  }

  /** The channel's state, created when missing, moved to the most recently published end. */
  private touch(channel: Channel, time: number): ChannelState {
    let state = this.channels.get(channel);
    if (state) this.channels.delete(channel);
    else
      state = { epoch: this.currentEpoch(), history: new ChannelHistory(this.limits, this.ledger), lastPublishAt: 0 };
    state.lastPublishAt = time;
    this.channels.set(channel, state);
    while (this.channels.size > this.memory.maxChannels) this.evictOldestChannel();
    return state;
  }

  /** The epoch a channel created now gets. */
  private currentEpoch(): string {
    return this.generation === 0 ? this.epoch : `${this.epoch}-${this.generation}`;
  }

  private evictOldestChannel(): void {
    const [channel, state] = this.channels.entries().next().value as [Channel, ChannelState];
    this.forget(channel, state);
  }

  /** Drops a channel's history and tail; a channel created after this gets a new epoch. */
  private forget(channel: Channel, state: ChannelState): void {
    this.channels.delete(channel);
    state.history.clear();
    this.dropTail(channel, state);
    this.generation++;
  }

  private remember(state: ChannelState, stored: ChannelEvent): void {
    applyBoardEvent(this.board, stored.event, stored.data, stored.time, stored.channel);
    if (
      this.board.issues.size > this.retention.maxIssues ||
      this.board.agents.size > this.retention.maxAgents ||
      stored.time - this.lastBoardPrune >= BOARD_PRUNE_MS
    )
      this.pruneBoard(stored.time);
    const text = outputText(stored.event, stored.data);
    if (text === null) return;
    touchAgent(this.board, stored.channel, stored.time);
    if (state.tail) this.tails.delete(stored.channel);
    state.tail ??= new OutputTail(this.memory.tailLines, this.memory.tailChars);
    this.tails.set(stored.channel, state);
    const before = state.tail.chars;
    state.tail.append(text, stored.offset);
    this.tailChars += state.tail.chars - before;
    while (this.tailChars > this.memory.maxTailChars && this.tails.size > 1) {
      const [channel, oldest] = this.tails.entries().next().value as [Channel, ChannelState];
      this.dropTail(channel, oldest);
    }
  }

  private dropTail(channel: Channel, state: ChannelState): void {
    if (!state.tail) return;
    this.tailChars -= state.tail.chars;
    state.tail = undefined;
    this.tails.delete(channel);
  }

  private pruneBoard(now: number): void {
    this.lastBoardPrune = now;
    // Pruned to 90 % of a cap, so a flood past it is not a full pass per publish.
    pruneBoard(this.board, now, {
      ...this.retention,
      maxIssues: Math.floor(this.retention.maxIssues * 0.9),
      maxAgents: Math.floor(this.retention.maxAgents * 0.9),
    });
  }

  /**
   * Expires what time alone ends: history past its TTL (an idle channel
   * publishes nothing that would trim it), channels idle past the retention
   * time, and finished work on the board.
   */
  sweep(): void {
    const now = this.now();
    this.ledger.enforce(now);
    for (const [channel, state] of this.channels) {
      if (now - state.lastPublishAt <= this.retention.finishedTtlMs) break;
      this.forget(channel, state);
    }
    if (now - this.lastBoardPrune >= BOARD_PRUNE_MS) this.pruneBoard(now);
  }

  /** What the engine holds now, for tests and `/metrics`-style diagnosis. */
  usage(): Record<'channels' | 'historyBytes' | 'historyEvents' | 'tailChars' | 'issues' | 'agents', number> {
    return {
      channels: this.channels.size,
      historyBytes: this.ledger.bytes,
      historyEvents: this.ledger.kept,
      tailChars: this.tailChars,
      issues: this.board.issues.size,
      agents: this.board.agents.size,
    };
  }

  onEvent(listener: (event: ChannelEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async recover(channel: Channel, since?: StreamPosition): Promise<Recovery> {
    const state = this.channels.get(channel);
    const epoch = state?.epoch ?? this.currentEpoch();
    const history = state?.history;
    const offset = history?.head ?? 0;
    if (!since) return { epoch, offset, events: [] };
    if (since.epoch !== epoch) {
      // History was lost: not recovered, but this epoch's events from the start, if still kept.
      const fromStart = history?.after(0, this.now()) ?? [];
      return { epoch, offset, recovered: false, events: fromStart };
    }
    const events = history ? history.after(since.offset, this.now()) : since.offset === 0 ? [] : null;
    return events ? { epoch, offset, recovered: true, events } : { epoch, offset, recovered: false, events: [] };
  }

  async history(channel: Channel, limit: number): Promise<KeptHistory> {
    const state = this.channels.get(channel);
    const epoch = state?.epoch ?? this.currentEpoch();
    const history = state?.history;
    return { epoch, offset: history?.head ?? 0, events: history && limit > 0 ? history.last(limit, this.now()) : [] };
  }

  async snapshot(channel: Channel): Promise<Snapshot> {
    return selectSnapshot(this.board, channel);
  }

  async projects(): Promise<string[]> {
    const ids = new Set<string>();
    for (const issue of this.board.issues.values()) if (issue.projectId) ids.add(issue.projectId);
    for (const channel of this.channels.keys()) {
      const parsed = parseChannel(channel);
      if (parsed?.kind === 'project') ids.add(parsed.id);
    }
    return [...ids].sort();
  }

  async tail(channel: Channel, lines: number): Promise<Tail> {
    const state = this.channels.get(channel);
    const tail = parseChannel(channel)?.kind === 'agent' ? state?.tail : undefined;
    return {
      lines: tail ? tail.last(lines) : [],
      offset: tail?.offset ?? 0,
      epoch: state?.epoch ?? this.currentEpoch(),
    };
  }

  health(): EngineHealth {
    return { ok: true, engine: this.name };
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.listeners.clear();
  }
}

/** The fields that are set: an option given as `undefined` takes its default. */
function defined<T extends object>(values: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(values ?? {}).filter(([, value]) => value !== undefined)) as Partial<T>;
}
