/**
 * Batches high-frequency agent output into `output_batch` events: one flush
 * per agent every `intervalMs`, or at once when `maxBytes` are pending. A timer
 * exists only while an agent has pending output; an idle agent costs nothing
 * (the seed's version leaked one setInterval per agent forever).
 */
export interface OutputBatch {
  timestamp: number;
  lines: string[];
}

export interface OutputBatcherOptions {
  intervalMs: number;
  maxBytes: number;
  flush: (agentId: string, batch: OutputBatch) => void;
  now?: () => number;
}

interface Pending {
  lines: string[];
  bytes: number;
  timer: ReturnType<typeof setTimeout>;
}

export class OutputBatcher {
  private readonly pending = new Map<string, Pending>();
  private readonly now: () => number;

  constructor(private readonly options: OutputBatcherOptions) {
    this.now = options.now ?? Date.now;
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
      entry = {
        lines: [],
        bytes: 0,
        timer: setTimeout(() => this.flush(agentId), this.options.intervalMs),
      };
      this.pending.set(agentId, entry);
    }
    return entry;
  }

  /** Flushes one agent now; a no-op when nothing is pending. */
  flush(agentId: string): void {
    const entry = this.pending.get(agentId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(agentId);
    this.options.flush(agentId, { timestamp: this.now(), lines: entry.lines });
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
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
