import type { ChannelEvent, HistoryLimits } from './engine';

/**
 * One channel's recent events, oldest first, bounded by count and age. Offsets
 * are contiguous (1, 2, 3, …), so the event after `offset` sits at a computed
 * index and recovery is a slice, not a search.
 */
export class ChannelHistory {
  private events: ChannelEvent[] = [];
  private start = 0;
  /** Latest offset ever published on the channel (0 before the first). */
  head = 0;

  constructor(private readonly limits: HistoryLimits) {}

  append(event: ChannelEvent): void {
    this.head = event.offset;
    this.events.push(event);
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

  get size(): number {
    return this.events.length - this.start;
  }

  private oldestOffset(): number | null {
    return this.size > 0 ? this.events[this.start].offset : null;
  }

  private trim(now: number): void {
    const { size, ttlMs } = this.limits;
    let start = this.start;
    const overflow = this.events.length - start - size;
    if (overflow > 0) start += overflow;
    while (start < this.events.length && now - this.events[start].time > ttlMs) start++;
    this.start = start;
    // Compact once the dead prefix outweighs the live part: amortized O(1) per event.
    if (start > 64 && start * 2 > this.events.length) {
      this.events = this.events.slice(start);
      this.start = 0;
    }
  }
}
