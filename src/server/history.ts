import type { Channel } from '../shared/protocol';
import type { ChannelEvent, HistoryLimits } from './engine';

/**
 * An event as history keeps it: the wire frame only. The parsed payload is
 * read back from the frame when asked (SSE replays), and not cached, so a
 * kept event costs its frame and nothing more.
 */
class KeptEvent implements ChannelEvent {
  readonly channel: Channel;
  readonly event: string;
  readonly offset: number;
  readonly epoch: string;
  readonly time: number;
  readonly frame: string;

  constructor(
    event: ChannelEvent,
    /** What the event counts against the byte bounds. */
    readonly bytes: number,
  ) {
    this.channel = event.channel;
    this.event = event.event;
    this.offset = event.offset;
    this.epoch = event.epoch;
    this.time = event.time;
    this.frame = event.frame;
  }

  get data(): unknown {
    return (JSON.parse(this.frame) as { data: unknown }).data;
  }
}

/**
 * What keeping an event costs besides its frame: the kept event, its slots in
 * the channel's and the ledger's arrays (measured: about 150 bytes on V8).
 * Counted, so that many tiny events are bounded like a few large ones.
 */
export const KEPT_EVENT_OVERHEAD = 160;

/**
 * What an event costs in history: its frame's UTF-8 bytes, which is what it
 * costs on the wire and never less than the string's memory in V8 (one byte
 * per Latin-1 character, two per other UTF-16 unit), plus the overhead of
 * keeping it.
 */
export function keptBytes(frame: string): number {
  return Buffer.byteLength(frame, 'utf8') + KEPT_EVENT_OVERHEAD;
}

/**
 * One channel's recent events, oldest first, bounded by count, bytes (see
 * `keptBytes`) and age.
 * Offsets are contiguous (1, 2, 3, …), so the event after `offset` sits at a
 * computed index and recovery is a slice, not a search. Whatever is evicted
 * is reported lost (`after` answers null), never skipped silently.
 */
export class ChannelHistory {
  private events: KeptEvent[] = [];
  private start = 0;
  /** Latest offset ever published on the channel (0 before the first). */
  head = 0;
  /** Bytes of the events kept. */
  bytes = 0;

  constructor(
    private readonly limits: HistoryLimits,
    private readonly ledger?: HistoryLedger,
  ) {}

  append(event: ChannelEvent): void {
    this.head = event.offset;
    const kept = new KeptEvent(event, keptBytes(event.frame));
    this.events.push(kept);
    this.bytes += kept.bytes;
    this.ledger?.record(this, kept);
    this.trim(event.time);
  }

  /** Events after `offset`, or null when some of them are no longer kept. */
  after(offset: number, now: number): ChannelEvent[] | null {
    this.trim(now);
    if (offset > this.head) return null;
    if (offset === this.head) return [];
    const oldest = this.oldestOffset();
    if (oldest === null || offset < oldest - 1) return null;
    return this.events.slice(this.start + (offset + 1 - oldest));
  }

  /** The newest `limit` events kept, oldest first. */
  last(limit: number, now: number): ChannelEvent[] {
    this.trim(now);
    return this.events.slice(Math.max(this.start, this.events.length - limit));
  }

  get size(): number {
    return this.events.length - this.start;
  }

  /** Offset of the oldest event kept, or null when none is. */
  oldestOffset(): number | null {
    return this.size > 0 ? this.events[this.start].offset : null;
  }

  /** Evicts the oldest event kept (the ledger's global bounds). */
  dropOldest(): void {
    if (this.size === 0) return;
    this.evict(this.start + 1);
  }

  /** Evicts every event; the head stays, so the channel's offsets go on. */
  clear(): void {
    this.evict(this.events.length);
  }

  private trim(now: number): void {
    const { size, ttlMs, maxBytes } = this.limits;
    let start = this.start;
    const overflow = this.events.length - start - size;
    if (overflow > 0) start += overflow;
    let bytes = this.bytes;
    for (let i = this.start; i < start; i++) bytes -= this.events[i].bytes;
    while (start < this.events.length && (bytes > maxBytes || now - this.events[start].time > ttlMs)) {
      bytes -= this.events[start].bytes;
      start++;
    }
    this.evict(start);
  }

  /** Evicts the events before index `start`. */
  private evict(start: number): void {
    if (start <= this.start) return;
    let freed = 0;
    for (let i = this.start; i < start; i++) freed += this.events[i].bytes;
    // Evicted slots are cleared, so their frames are garbage now and not at the next compaction.
    this.events.fill(undefined as unknown as KeptEvent, this.start, start);
    this.ledger?.release(start - this.start, freed);
    this.start = start;
    this.bytes -= freed;
    if (this.start === this.events.length) {
      this.events = [];
      this.start = 0;
    } else if (start > 64 && start * 2 > this.events.length) {
      // Compact once the dead prefix outweighs the live part: amortized O(1) per event.
      this.events = this.events.slice(start);
      this.start = 0;
    }
  }
}

/**
 * Every channel's history in publish order, for the bounds that span
 * channels: total bytes (the globally oldest event goes first) and age (an
 * idle channel's events expire without waiting for its next publish). It
 * holds no event, only where each one lives, so what a channel evicted is
 * garbage at once.
 */
export class HistoryLedger {
  /** Bytes of history kept across all channels. */
  bytes = 0;
  /** Events kept across all channels. */
  kept = 0;
  private histories: Array<ChannelHistory | undefined> = [];
  private offsets: number[] = [];
  private times: number[] = [];
  private start = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly ttlMs: number,
  ) {}

  record(history: ChannelHistory, event: ChannelEvent & { bytes: number }): void {
    this.histories.push(history);
    this.offsets.push(event.offset);
    this.times.push(event.time);
    this.bytes += event.bytes;
    this.kept++;
  }

  /** Entries held, live or not, including the popped prefix not yet dropped (about twice the events kept at most). */
  get entries(): number {
    return this.histories.length;
  }

  release(events: number, bytes: number): void {
    this.kept -= events;
    this.bytes -= bytes;
  }

  /** Evicts the globally oldest events while over the byte bound or past the age limit. */
  enforce(now: number): void {
    while (this.start < this.histories.length) {
      const history = this.histories[this.start]!;
      const offset = this.offsets[this.start];
      const oldest = history.oldestOffset();
      const live = oldest !== null && oldest <= offset;
      if (live && this.bytes <= this.maxBytes && now - this.times[this.start] <= this.ttlMs) break;
      // A live entry is its channel's oldest event: everything older was evicted before it.
      if (live) history.dropOldest();
      this.histories[this.start] = undefined;
      this.start++;
    }
    this.compact();
  }

  private compact(): void {
    const length = this.histories.length;
    if (this.start === length) {
      this.histories = [];
      this.offsets = [];
      this.times = [];
      this.start = 0;
      return;
    }
    // The popped prefix is dropped once it outweighs the rest, and entries of
    // events a channel evicted itself (they linger until they reach the front)
    // once they outnumber the live ones: amortized O(1) per event.
    const popped = this.start > 1024 && this.start * 2 > length;
    if (!popped && length - this.start <= 2 * this.kept + 1024) return;
    const histories: ChannelHistory[] = [];
    const offsets: number[] = [];
    const times: number[] = [];
    for (let i = this.start; i < length; i++) {
      const history = this.histories[i]!;
      const oldest = history.oldestOffset();
      if (oldest === null || oldest > this.offsets[i]) continue;
      histories.push(history);
      offsets.push(this.offsets[i]);
      times.push(this.times[i]);
    }
    this.histories = histories;
    this.offsets = offsets;
    this.times = times;
    this.start = 0;
  }
}
