/** Hands one chunk to the consumer; `done` is called once the consumer has taken it in (for xterm: parsed). */
export type ChunkWriter = (chunk: string, done: () => void) => void;

export interface WriteQueueOptions {
  /** Largest chunk handed over at once, in UTF-16 code units. Default 65 536 (64 KiB of ASCII). */
  maxChunk?: number;
  /** Chunks handed over and not yet acknowledged. Default 2: one parsing, one ready behind it. */
  maxInFlight?: number;
  /**
   * Queued text beyond which the oldest queued text is dropped (down to half this),
   * so a consumer that cannot keep up falls behind by a bounded amount instead of
   * holding unbounded memory. Default 4 Mi code units. `Infinity` never drops.
   */
  maxPending?: number;
  /** Text written where queued text was dropped (e.g. a warning line); called when that spot is written. */
  describeDrop?: (droppedChars: number) => string;
}

type Action = () => void;

/** Stands where dropped text was; grows when more next to it is dropped. */
class Dropped {
  constructor(public chars: number) {}
}

type Entry = string | Action | Dropped;

export const DEFAULT_MAX_CHUNK = 64 * 1024;
export const DEFAULT_MAX_IN_FLIGHT = 2;
export const DEFAULT_MAX_PENDING = 4 * 1024 * 1024;

/**
 * Flow control in front of a slow consumer (xterm parses 5–35 MB/s and stalls
 * the page when hundreds of KB are queued inside it): text waits here and is
 * handed over in chunks of at most `maxChunk`, with at most `maxInFlight`
 * chunks unacknowledged — so at most maxChunk × maxInFlight is ever queued in
 * the consumer. Small writes are coalesced into one chunk. It pipelines (the
 * next chunk is ready while one is parsed) rather than stopping and waiting.
 *
 * Actions run in stream order: once all text pushed before them has been
 * acknowledged, before anything pushed after them is handed over.
 */
export class WriteQueue {
  private entries: Entry[] = [];
  private head = 0;
  /** Code units of `entries[head]` already handed over, when a long string is split across chunks. */
  private headOffset = 0;
  private pending = 0;
  private chunksInFlight = 0;
  private charsInFlight = 0;
  private dropped = 0;
  private pumping = false;
  private disposed = false;
  private idleWaiters: Array<() => void> = [];
  private readonly maxChunk: number;
  private readonly maxInFlight: number;
  private readonly maxPending: number;

  constructor(
    private readonly writer: ChunkWriter,
    private readonly options: WriteQueueOptions = {},
  ) {
    this.maxChunk = options.maxChunk ?? DEFAULT_MAX_CHUNK;
    this.maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    this.maxPending = options.maxPending ?? DEFAULT_MAX_PENDING;
    if (!Number.isInteger(this.maxChunk) || this.maxChunk < 2) throw new RangeError('maxChunk must be an integer ≥ 2');
    if (!Number.isInteger(this.maxInFlight) || this.maxInFlight < 1) {
      throw new RangeError('maxInFlight must be an integer ≥ 1');
    }
    if (!(this.maxPending >= this.maxChunk)) throw new RangeError('maxPending must be ≥ maxChunk');
  }

  /** Code units queued and not yet handed over. */
  get pendingChars(): number {
    return this.pending;
  }

  /** Chunks handed over and not yet acknowledged. */
  get inFlight(): number {
    return this.chunksInFlight;
  }

  /** Code units handed over and not yet acknowledged. */
  get inFlightChars(): number {
    return this.charsInFlight;
  }

  /** Code units dropped so far because the consumer could not keep up. */
  get droppedChars(): number {
    return this.dropped;
  }

  /** Nothing queued and nothing in flight. */
  get idle(): boolean {
    return this.head >= this.entries.length && this.chunksInFlight === 0;
  }

  push(text: string): void {
    if (this.disposed || text.length === 0) return;
    this.entries.push(text);
    this.pending += text.length;
    if (this.pending > this.maxPending) this.dropOldest();
    this.pump();
  }

  /** Runs `action` once everything pushed before it has been acknowledged. */
  pushAction(action: () => void): void {
    if (this.disposed) return;
    this.entries.push(action);
    this.pump();
  }

  /** Resolves once the queue is idle (at once if it already is). Never resolves after dispose. */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Forgets everything not yet handed over — text and actions alike — for a
   * consumer about to be given the whole picture again (a pane redrawing its
   * output from its own record). Chunks in flight still complete.
   */
  discardPending(): void {
    this.entries = [];
    this.head = 0;
    this.headOffset = 0;
    this.pending = 0;
    this.pump();
  }

  /** Drops everything; acknowledgements that arrive later are ignored. */
  dispose(): void {
    this.disposed = true;
    this.entries = [];
    this.head = 0;
    this.headOffset = 0;
    this.pending = 0;
    this.idleWaiters = [];
  }

  private pump(): void {
    // An acknowledgement that arrives synchronously (inside `writer`) lands here
    // while the loop below is running: the loop sees the freed slot itself.
    if (this.pumping || this.disposed) return;
    this.pumping = true;
    try {
      while (this.head < this.entries.length && !this.disposed) {
        const entry = this.entries[this.head];
        if (typeof entry === 'function') {
          if (this.chunksInFlight > 0) break;
          this.shift();
          runAction(entry);
          continue;
        }
        if (this.chunksInFlight >= this.maxInFlight) break;
        const chunk = this.takeChunk();
        if (chunk.length > 0) this.hand(chunk);
      }
    } finally {
      this.pumping = false;
    }
    if (this.idle && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private hand(chunk: string): void {
    this.chunksInFlight++;
    this.charsInFlight += chunk.length;
    let acknowledged = false;
    this.writer(chunk, () => {
      if (acknowledged || this.disposed) return;
      acknowledged = true;
      this.chunksInFlight--;
      this.charsInFlight -= chunk.length;
      this.pump();
    });
  }

  /** Takes text entries from the head, up to `maxChunk` code units, stopping at an action. */
  private takeChunk(): string {
    const parts: string[] = [];
    let size = 0;
    while (this.head < this.entries.length && size < this.maxChunk) {
      const entry = this.entries[this.head];
      if (typeof entry === 'function') break;
      if (entry instanceof Dropped) {
        const notice = this.options.describeDrop?.(entry.chars).slice(0, this.maxChunk) ?? '';
        if (size > 0 && notice.length > this.maxChunk - size) break;
        parts.push(notice);
        size += notice.length;
        this.shift();
        continue;
      }
      const room = this.maxChunk - size;
      const rest = entry.length - this.headOffset;
      if (rest <= room) {
        parts.push(this.headOffset === 0 ? entry : entry.slice(this.headOffset));
        size += rest;
        this.pending -= rest;
        this.shift();
        continue;
      }
      let end = this.headOffset + room;
      // Never split a surrogate pair across two writes.
      if (isHighSurrogate(entry.charCodeAt(end - 1)) && end - 1 > this.headOffset) end--;
      parts.push(entry.slice(this.headOffset, end));
      this.pending -= end - this.headOffset;
      this.headOffset = end;
      break;
    }
    return parts.length === 1 ? parts[0] : parts.join('');
  }

  private shift(): void {
    // Release what was handed over now: the slot would otherwise keep up to 1 024 written strings alive.
    this.entries[this.head] = '';
    this.head++;
    this.headOffset = 0;
    // Compact now and then, so the array does not grow forever nor shift on every take.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * Drops whole queued strings from the oldest on (actions stay, in place) until
   * half of `maxPending` remains; one `Dropped` entry stands where they were.
   */
  private dropOldest(): void {
    const target = Math.floor(this.maxPending / 2);
    let notice: Dropped | undefined;
    for (let index = this.head; index < this.entries.length && this.pending > target; index++) {
      const entry = this.entries[index];
      if (typeof entry === 'function') continue;
      if (entry instanceof Dropped) {
        notice ??= entry;
        continue;
      }
      const offset = index === this.head ? this.headOffset : 0;
      const rest = entry.length - offset;
      if (rest === 0) continue;
      this.pending -= rest;
      this.dropped += rest;
      if (notice) {
        notice.chars += rest;
        this.entries[index] = '';
      } else {
        notice = new Dropped(rest);
        this.entries[index] = notice;
      }
      if (index === this.head) this.headOffset = 0;
    }
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function runAction(action: Action): void {
  try {
    action();
  } catch (error) {
    // One failing action must not wedge the stream: rethrow it on its own and go on.
    queueMicrotask(() => {
      throw error;
    });
  }
}
