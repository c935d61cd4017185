/**
 * The recent output of one agent channel, kept as the chunks it arrived in
 * (a batch's joined text at a time). An append costs a push and, once the
 * character bound is passed, one search for the line break to cut at: the
 * text is never split into lines while it streams. Lines are found when the
 * tail is read — when a window joins the channel — and the line bound is
 * applied then.
 *
 * What it holds is the longest end of the output that starts at a line and
 * fits `maxChars`; when even the last line is longer, that line's last
 * `maxChars` characters. Reads return at most `maxLines` lines of it. Memory:
 * `maxChars` characters, plus the rest of the oldest chunk when the cut falls
 * inside it (V8 keeps a sliced string's parent), so at most one chunk more.
 */
export class RecentText {
  private chunks: string[] = [];
  private start = 0;
  private chars = 0;
  /** The front is the end of a line too long to keep whole, not a line's start. */
  private fragment = false;

  constructor(
    private readonly maxLines: number,
    private readonly maxChars: number,
  ) {
    if (!(maxLines >= 1) || !(maxChars >= 2)) throw new RangeError('a tail keeps at least one line of two characters');
  }

  append(text: string): void {
    if (text.length === 0) return;
    this.chunks.push(text);
    this.chars += text.length;
    // A fragment's line is complete once a line break follows it (and more comes after).
    if (this.fragment) {
      const through = this.breakAtOrAfter(0);
      if (through !== null && through < this.chars) {
        this.dropChars(through);
        this.fragment = false;
      }
    }
    if (this.chars > this.maxChars) this.trim();
    if (this.start > 256 && this.start * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.start);
      this.start = 0;
    }
  }

  /** Characters held. */
  get size(): number {
    return this.chars;
  }

  /** The last `count` lines (at most `maxLines`), joined; each ends with a newline, except perhaps the last. */
  last(count: number): string {
    const wanted = Math.min(count, this.maxLines);
    if (wanted <= 0 || this.chars === 0) return '';
    const lastChunk = this.chunks[this.chunks.length - 1];
    // The line break before the first line wanted: one more when the text ends with one.
    let skip = lastChunk.endsWith('\n') ? wanted + 1 : wanted;
    for (let i = this.chunks.length - 1; i >= this.start; i--) {
      const chunk = this.chunks[i];
      let at = chunk.length;
      while (skip > 0 && at > 0) {
        const found = chunk.lastIndexOf('\n', at - 1);
        if (found === -1) break;
        at = found;
        skip--;
      }
      if (skip === 0) return chunk.slice(at + 1) + this.chunks.slice(i + 1).join('');
    }
    return this.chunks.slice(this.start).join('');
  }

  /** Cuts the front back to `maxChars`, at a line start where one is left to cut at. */
  private trim(): void {
    const cut = this.breakAtOrAfter(this.chars - this.maxChars);
    if (cut !== null && cut < this.chars) {
      this.dropChars(cut);
      this.fragment = false;
    } else {
      this.dropChars(this.chars - this.maxChars, true);
      this.fragment = true;
    }
  }

  /** Characters from the front through the first line break at index `from - 1` or later (dropping `from` or more). */
  private breakAtOrAfter(from: number): number | null {
    let offset = 0;
    for (let i = this.start; i < this.chunks.length; i++) {
      const chunk = this.chunks[i];
      if (offset + chunk.length >= from) {
        const at = chunk.indexOf('\n', Math.max(0, from - 1 - offset));
        if (at !== -1) return offset + at + 1;
      }
      offset += chunk.length;
    }
    return null;
  }

  /** Drops `count` characters from the front (never half a surrogate pair when `raw`). */
  private dropChars(count: number, raw = false): void {
    let left = count;
    while (left > 0 && this.start < this.chunks.length) {
      const chunk = this.chunks[this.start];
      if (chunk.length <= left) {
        left -= chunk.length;
        this.chars -= chunk.length;
        this.chunks[this.start] = '';
        this.start++;
        continue;
      }
      let cut = left;
      if (raw && isLowSurrogate(chunk.charCodeAt(cut))) cut++;
      this.chunks[this.start] = chunk.slice(cut);
      this.chars -= cut;
      left = 0;
    }
  }
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}
