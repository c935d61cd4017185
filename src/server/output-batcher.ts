/**
 * Batches high-frequency agent output into `output_batch` events: one flush
 * per agent every `intervalMs`, or at once when `maxBytes` are pending. A timer
 * exists only while an agent has pending output; an idle agent costs nothing
 * (the seed's version leaked one setInterval per agent forever).
 *
 * An urgent agent (someone is looking at its pane) is flushed at most
 * `urgentMs` after its previous flush, and on the next turn when it has been
 * quiet that long: output that trickles goes out at once, a flood goes out
 * every `urgentMs`, which keeps it within a frame.
 */
export interface OutputBatch {
  timestamp: number;
  lines: string[];
}

export interface OutputBatcherOptions {
  intervalMs: number;
  /** Flush cadence of urgent agents (default 8 ms: half a frame, leaving the rest for the hop and the client). */
  urgentMs?: number;
  maxBytes: number;
  flush: (agentId: string, batch: OutputBatch) => void;
  now?: () => number;
}

interface Pending {
  lines: string[];
  bytes: number;
  timer: ReturnType<typeof setTimeout>;
  /** When the timer fires (by `now`). */
  dueAt: number;
}

export const DEFAULT_URGENT_MS = 8;

export class OutputBatcher {
  private readonly pending = new Map<string, Pending>();
  private readonly now: () => number;
  private readonly urgentMs: number;
  /** Urgent agents → when each was last flushed (0 before its first flush as urgent). */
  private readonly urgent = new Map<string, number>();

  constructor(private readonly options: OutputBatcherOptions) {
    this.now = options.now ?? Date.now;
    this.urgentMs = options.urgentMs ?? DEFAULT_URGENT_MS;
  }

  /** Switches an agent to the urgent cadence or back; pending output is rescheduled when that brings it forward. */
  setUrgent(agentId: string, urgent: boolean): void {
    if (!urgent) {
      // Pending output keeps its (earlier) due time; the next batch waits the normal interval.
      this.urgent.delete(agentId);
      return;
    }
    if (this.urgent.has(agentId)) return;
    this.urgent.set(agentId, 0);
    const entry = this.pending.get(agentId);
    if (!entry) return;
    const dueAt = this.dueAt(agentId);
    if (dueAt >= entry.dueAt) return;
    clearTimeout(entry.timer);
    entry.dueAt = dueAt;
    entry.timer = setTimeout(() => this.flush(agentId), Math.max(0, dueAt - this.now()));
  }

  isUrgent(agentId: string): boolean {
    return this.urgent.has(agentId);
  }

  push(agentId: string, text: string): void {
    // A batch never exceeds maxBytes, however large one write is: it is cut into batches of that size.
    for (let from = 0; from < text.length;) {
      const entry = this.entry(agentId);
      let end = Math.min(text.length, from + Math.max(1, this.options.maxBytes - entry.bytes));
      // Never split a surrogate pair: each half alone is not text.
      if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end += end - from > 1 ? -1 : 1;
      const piece = from === 0 && end === text.length ? text : text.slice(from, end);
      entry.lines.push(piece);
      // Counted in UTF-16 units: close enough to bytes for a flush threshold, and free.
      entry.bytes += piece.length;
      if (entry.bytes >= this.options.maxBytes) this.flush(agentId);
      from = end;
    }
  }

  private entry(agentId: string): Pending {
    let entry = this.pending.get(agentId);
    if (!entry) {
      const dueAt = this.dueAt(agentId);
      entry = {
        lines: [],
        bytes: 0,
        dueAt,
        timer: setTimeout(() => this.flush(agentId), Math.max(0, dueAt - this.now())),
      };
      this.pending.set(agentId, entry);
    }
    return entry;
  }

  /** When output pushed now should go out: the normal interval, or for an urgent agent its cadence after its last flush. */
  private dueAt(agentId: string): number {
    const now = this.now();
    const lastFlush = this.urgent.get(agentId);
    if (lastFlush === undefined) return now + this.options.intervalMs;
    return Math.max(now, lastFlush + this.urgentMs);
  }

  /** Flushes one agent now; a no-op when nothing is pending. */
  flush(agentId: string): void {
    const entry = this.pending.get(agentId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(agentId);
    const now = this.now();
    if (this.urgent.has(agentId)) this.urgent.set(agentId, now);
    this.options.flush(agentId, { timestamp: now, lines: entry.lines });
  }

  flushAll(): void {
    for (const agentId of [...this.pending.keys()]) this.flush(agentId);
  }

  /** Number of agents with output waiting (each holds exactly one timer). */
  get activeAgents(): number {
    return this.pending.size;
  }

  /** Drops pending output and every timer. */
  dispose(): void {
    for (const entry of this.pending.values()) clearTimeout(entry.timer);
    this.pending.clear();
    this.urgent.clear();
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
