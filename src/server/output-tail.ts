/**
 * The last lines of an agent's output, so a newly opened pane is not empty.
 * Pieces are kept as lines with their line endings (the last one may be
 * partial); joined, they reproduce the end of the output byte for byte.
 */
export class OutputTail {
  private lines: string[] = [];
  private start = 0;
  private chars = 0;
  /** Offset of the newest output event included. */
  offset = 0;

  constructor(
    private readonly maxLines: number,
    private readonly maxChars: number,
  ) {}

  append(text: string, offset: number): void {
    this.offset = offset;
    let from = 0;
    // Continue a partial last line.
    if (this.size > 0 && !this.lines[this.lines.length - 1].endsWith('\n')) {
      const newline = text.indexOf('\n');
      const end = newline === -1 ? text.length : newline + 1;
      this.lines[this.lines.length - 1] += text.slice(0, end);
      this.chars += end;
      from = end;
    }
    while (from < text.length) {
      const newline = text.indexOf('\n', from);
      const end = newline === -1 ? text.length : newline + 1;
      this.lines.push(text.slice(from, end));
      this.chars += end - from;
      from = end;
    }
    this.trim();
  }

  last(count: number): string[] {
    return this.lines.slice(Math.max(this.start, this.lines.length - count));
  }

  get size(): number {
    return this.lines.length - this.start;
  }

  private trim(): void {
    while (this.size > this.maxLines || (this.chars > this.maxChars && this.size > 1)) {
      this.chars -= this.lines[this.start].length;
      this.start++;
    }
    if (this.start > 256 && this.start * 2 > this.lines.length) {
      this.lines = this.lines.slice(this.start);
      this.start = 0;
    }
  }
}

/** The text an output event carries: `output.content` or the joined `output_batch.lines`. */
export function outputText(event: string, data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return null;
  if (event === 'output') {
    const content = (data as { content?: unknown }).content;
    return typeof content === 'string' ? content : null;
  }
  if (event === 'output_batch') {
    const lines = (data as { lines?: unknown }).lines;
    return Array.isArray(lines) && lines.every((line) => typeof line === 'string') ? lines.join('') : null;
  }
  return null;
}
