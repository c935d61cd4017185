/**
 * Deadlines for many items on one timer: the hub's token expiries. A timer
 * per connection costs a Timeout object, its closure and a timer-list entry
 * per connection; here each item costs one heap entry and one map entry, and
 * only the earliest deadline holds a timer. Items are removed with `delete`
 * (not an undo closure per item, which would cost what this saves).
 *
 * Removal is lazy: a deleted item's heap entry stays until it surfaces or the
 * heap holds more than twice the live items, when it is rebuilt, so memory
 * follows what is live.
 */

// setTimeout holds at most ~24.8 days; a later deadline is re-armed when the timer fires.
const MAX_DELAY_MS = 2 ** 31 - 1;

interface Entry<T> {
  at: number;
  item: T;
}

export class ExpiryQueue<T> {
  private readonly deadlines = new Map<T, number>();
  private heap: Entry<T>[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private timerAt = Infinity;

  /** `onExpire` is called once per item whose deadline (ms since epoch) has passed, earliest first. */
  constructor(
    private readonly onExpire: (item: T) => void,
    private readonly now: () => number = Date.now,
  ) {}

  /** Items waiting. */
  get size(): number {
    return this.deadlines.size;
  }

  /** Sets (or moves) the deadline of `item`. */
  add(item: T, at: number): void {
    this.deadlines.set(item, at);
    this.push({ at, item });
    if (this.heap.length > 2 * this.deadlines.size + 16) this.rebuild();
    this.arm();
  }

  /** Forgets `item`; its expiry will not be called. */
  delete(item: T): void {
    if (!this.deadlines.delete(item)) return;
    if (this.deadlines.size === 0) {
      this.heap = [];
      this.disarm();
    } else if (this.heap.length > 2 * this.deadlines.size + 16) {
      this.rebuild();
    }
  }

  /** Forgets every item and stops the timer. */
  dispose(): void {
    this.deadlines.clear();
    this.heap = [];
    this.disarm();
  }

  private fire(): void {
    this.timer = null;
    this.timerAt = Infinity;
    const now = this.now();
    for (;;) {
      const top = this.heap[0];
      if (top === undefined || top.at > now) break;
      this.pop();
      // A deleted item, or one whose deadline moved: not this entry's to expire.
      if (this.deadlines.get(top.item) !== top.at) continue;
      this.deadlines.delete(top.item);
      this.onExpire(top.item);
    }
    this.arm();
  }

  private arm(): void {
    this.dropStale();
    const top = this.heap[0];
    if (top === undefined) return this.disarm();
    if (this.timer !== null && this.timerAt <= top.at) return;
    this.disarm();
    this.timerAt = top.at;
    this.timer = setTimeout(() => this.fire(), Math.min(Math.max(top.at - this.now(), 0), MAX_DELAY_MS));
    // The sockets keep the process alive, not their tokens' deadlines.
    this.timer.unref?.();
  }

  private disarm(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
  }

  /** Pops deleted items off the top, so the timer is set for a live one. */
  private dropStale(): void {
    for (;;) {
      const top = this.heap[0];
      if (top === undefined || this.deadlines.get(top.item) === top.at) return;
      this.pop();
    }
  }

  private rebuild(): void {
    this.heap = [];
    for (const [item, at] of this.deadlines) this.push({ at, item });
  }

  private push(entry: Entry<T>): void {
    const heap = this.heap;
    let index = heap.push(entry) - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (heap[parent].at <= entry.at) break;
      heap[index] = heap[parent];
      index = parent;
    }
    heap[index] = entry;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right].at < heap[left].at ? right : left;
      if (heap[child].at >= last.at) break;
      heap[index] = heap[child];
      index = child;
    }
    heap[index] = last;
  }
}
