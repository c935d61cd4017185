import { randomUUID } from 'node:crypto';
import { applyBoardEvent, createBoardState, selectSnapshot, touchAgent } from '../shared/board-state';
import { type Channel, type Snapshot, type StreamPosition, parseChannel } from '../shared/protocol';
import {
  type ChannelEvent,
  type Engine,
  type EngineHealth,
  type HistoryLimits,
  type OutputTail as Tail,
  type Recovery,
  eventFrame,
} from './engine';
import { ChannelHistory } from './history';
import { HubError } from './hub-error';
import { OutputTail, outputText } from './output-tail';
import type { PublishGuard } from './publish-authorization';

export interface MemoryEngineOptions {
  history?: Partial<HistoryLimits>;
  /** Lines of output kept per agent for `tail` (default 5000, and at most 2 MiB of text). */
  tailLines?: number;
  now?: () => number;
}

export const DEFAULT_HISTORY: HistoryLimits = { size: 1000, ttlMs: 10 * 60_000 };

/**
 * History, snapshots and tails in this process. Its epoch is new every start,
 * so clients resuming against a restarted hub are told `recovered: false`.
 */
export class MemoryEngine implements Engine {
  readonly name = 'memory';
  readonly epoch = randomUUID().slice(0, 8);
  private readonly channels = new Map<Channel, ChannelHistory>();
  private readonly tails = new Map<Channel, OutputTail>();
  private readonly board = createBoardState();
  private readonly listeners = new Set<(event: ChannelEvent) => void>();
  private readonly limits: HistoryLimits;
  private readonly tailLines: number;
  private readonly now: () => number;

  constructor(options: MemoryEngineOptions = {}) {
    this.limits = { ...DEFAULT_HISTORY, ...options.history };
    this.tailLines = options.tailLines ?? 5000;
    this.now = options.now ?? Date.now;
  }

  async publish(channel: Channel, event: string, data: unknown, guard?: PublishGuard): Promise<ChannelEvent> {
    return this.publishNow(channel, event, data, guard);
  }

  /** Synchronous publish: the memory engine needs no I/O, so the guard's check and the write cannot interleave. */
  publishNow(channel: Channel, event: string, data: unknown, guard?: PublishGuard): ChannelEvent {
    if (guard) {
      const stored = guard.issueId === undefined ? undefined : this.board.issues.get(guard.issueId)?.projectId;
      const refusal = guard.decide(stored);
      if (refusal) throw new HubError(refusal.code, refusal.message);
    }
    let history = this.channels.get(channel);
    if (!history) {
      history = new ChannelHistory(this.limits);
      this.channels.set(channel, history);
    }
    const offset = history.head + 1;
    const time = this.now();
    const stored: ChannelEvent = {
      channel,
      event,
      data,
      offset,
      epoch: this.epoch,
      time,
      frame: eventFrame(channel, event, data, offset, this.epoch),
    };
    history.append(stored);
    this.remember(stored);
    for (const listener of this.listeners) listener(stored);
    return stored;
  }

  private remember(stored: ChannelEvent): void {
    applyBoardEvent(this.board, stored.event, stored.data, stored.time);
    const text = outputText(stored.event, stored.data);
    if (text === null) return;
    touchAgent(this.board, stored.channel, stored.time);
    let tail = this.tails.get(stored.channel);
    if (!tail) {
      tail = new OutputTail(this.tailLines, 2 * 1024 * 1024);
      this.tails.set(stored.channel, tail);
    }
    tail.append(text, stored.offset);
  }

  onEvent(listener: (event: ChannelEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async recover(channel: Channel, since?: StreamPosition): Promise<Recovery> {
    const history = this.channels.get(channel);
    const offset = history?.head ?? 0;
    if (!since) return { epoch: this.epoch, offset, events: [] };
    if (since.epoch !== this.epoch) {
      // History was lost: not recovered, but this epoch's events from the start, if still kept.
      const fromStart = history?.after(0, this.now()) ?? [];
      return { epoch: this.epoch, offset, recovered: false, events: fromStart };
    }
    const events = history ? history.after(since.offset, this.now()) : since.offset === 0 ? [] : null;
    return events
      ? { epoch: this.epoch, offset, recovered: true, events }
      : { epoch: this.epoch, offset, recovered: false, events: [] };
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
    const tail = parseChannel(channel)?.kind === 'agent' ? this.tails.get(channel) : undefined;
    return { lines: tail ? tail.last(lines) : [], offset: tail?.offset ?? 0, epoch: this.epoch };
  }

  health(): EngineHealth {
    return { ok: true, engine: this.name };
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
