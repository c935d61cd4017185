/** Longest piece a tail keeps (default): a longer line is kept as several pieces. */
export const MAX_LINE_CHARS = 16 * 1024;

/**
 * The last lines of an agent's output, so a newly opened pane is not empty.
 * Pieces are kept as lines with their line endings (the last one may be
 * partial); joined, they reproduce the end of the output byte for byte. A
 * line longer than `maxLineChars` is kept as several pieces, so one endless
 * line (a progress bar redrawn with `\r`, a stuck process) is bounded by
 * `maxChars` like any other output.
 */
export class OutputTail {
  private lines: string[] = [];
  private start = 0;
  /** Characters (UTF-16 units) kept. */
  chars = 0;
  /** Offset of the newest output event included. */
  offset = 0;

  constructor(
    private readonly maxLines: number,
    private readonly maxChars: number,
    private readonly maxLineChars = MAX_LINE_CHARS,
  ) {
    if (!(maxLineChars >= 2)) throw new RangeError('maxLineChars must be at least 2');
  }

  append(text: string, offset: number): void {
    this.offset = offset;
    if (text.length > this.maxChars) {
      // Only the end of this write stays. Pieces sliced from a string keep all of it alive
      // in V8, so they are cut from a copy of that end, and everything before goes now.
      let end = text.slice(text.length - this.maxChars);
      // Whole lines, where the end holds a line break.
      const newline = end.indexOf('\n');
      if (newline !== -1 && newline < end.length - 1) end = end.slice(newline + 1);
      text = (' ' + end).slice(1);
      this.lines = [];
      this.start = 0;
      this.chars = 0;
    }
    let from = 0;
    // Continue a partial last line, up to the piece limit.
    const last = this.size > 0 ? this.lines[this.lines.length - 1] : '\n';
    if (!last.endsWith('\n') && last.length < this.maxLineChars) {
      const end = this.pieceEnd(text, 0, this.maxLineChars - last.length);
      this.lines[this.lines.length - 1] = last + text.slice(0, end);
      this.chars += end;
      from = end;
    }
    while (from < text.length) {
      const end = this.pieceEnd(text, from, this.maxLineChars);
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

  /** Where the piece starting at `from` ends: after its newline, or after `room` characters. */
  private pieceEnd(text: string, from: number, room: number): number {
    const newline = text.indexOf('\n', from);
    const end = newline === -1 ? text.length : newline + 1;
    if (end - from <= room) return end;
    let cut = from + room;
    // Never split a surrogate pair: each half alone is not text.
    if (cut > from && isHighSurrogate(text.charCodeAt(cut - 1))) cut--;
    return cut;
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

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * The newest of `lines` whose `tail` message fits in `maxBytes` on the wire
 * (JSON-escaped: a terminal's escape character costs six bytes), so asking
 * for a tail never makes the hub close a subscriber as a slow consumer.
 */
export function fitTail(lines: string[], maxBytes: number): string[] {
  // Room for the message around the lines: type, channel, offset, epoch.
  let room = maxBytes - 512;
  let first = lines.length;
  while (first > 0) {
    const cost = Buffer.byteLength(JSON.stringify(lines[first - 1])) + 1;
    if (cost > room) break;
    room -= cost;
    first--;
  }
  return first === 0 ? lines : lines.slice(first);
}
