const NEWLINE = 0x0a;
const decoder = new TextDecoder();

/**
 * The recent output of one agent channel in the desktop main process, as the
 * UTF-8 runs the relay sent (one per channel per flush): a window that joins
 * a channel another window already holds gets its tail from here. An append
 * keeps the run itself — the very bytes sent over IPC, which Electron copies,
 * so nothing is encoded or copied again — and, once the byte bound is passed,
 * cuts the front at a line break. Lines are found, and the bytes decoded,
 * only when the tail is read.
 *
 * What it holds is the longest end of the output that starts at a line and
 * fits `maxBytes`; when even the last line is longer, that line's last
 * `maxBytes` bytes, cut at a character boundary. Reads return at most
 * `maxLines` lines of it. Memory: `maxBytes`, plus the rest of the oldest run
 * when the cut falls inside it (a subarray keeps its buffer), so at most one
 * run (256 KiB) more.
 */
export class RecentBytes {
  private runs: Uint8Array[] = [];
  private bytes = 0;
  /** The front is the end of a line too long to keep whole, not a line's start. */
  private fragment = false;

  constructor(
    private readonly maxLines: number,
    private readonly maxBytes: number,
  ) {
    if (!(maxLines >= 1) || !(maxBytes >= 4)) throw new RangeError('a tail keeps at least one line of four bytes');
  }

  /** Bytes held. */
  get size(): number {
    return this.bytes;
  }

  append(run: Uint8Array): void {
    if (run.length === 0) return;
    this.runs.push(run);
    this.bytes += run.length;
    // A fragment's line is complete once a line break follows it (and more comes after).
    if (this.fragment) {
      const through = this.breakAtOrAfter(0);
      if (through !== null && through < this.bytes) {
        this.drop(through);
        this.fragment = false;
      }
    }
    if (this.bytes > this.maxBytes) this.trim();
  }

  /** The last `count` lines (at most `maxLines`), decoded; each ends with a newline, except perhaps the last. */
  last(count: number): string {
    const wanted = Math.min(count, this.maxLines);
    if (wanted <= 0 || this.bytes === 0) return '';
    const lastRun = this.runs[this.runs.length - 1];
    // The line break before the first line wanted: one more when the output ends with one.
    let skip = lastRun[lastRun.length - 1] === NEWLINE ? wanted + 1 : wanted;
    for (let i = this.runs.length - 1; i >= 0; i--) {
      const run = this.runs[i];
      let at = run.length;
      while (skip > 0 && at > 0) {
        const found = run.lastIndexOf(NEWLINE, at - 1);
        if (found === -1) break;
        at = found;
        skip--;
      }
      if (skip === 0) return decodeAll([run.subarray(at + 1), ...this.runs.slice(i + 1)]);
    }
    return decodeAll(this.runs);
  }

  /** Cuts the front back to `maxBytes`, at a line start where one is left to cut at. */
  private trim(): void {
    const cut = this.breakAtOrAfter(this.bytes - this.maxBytes);
    if (cut !== null && cut < this.bytes) {
      this.drop(cut);
      this.fragment = false;
    } else {
      this.drop(this.bytes - this.maxBytes, true);
      this.fragment = true;
    }
  }

  /** Bytes from the front through the first line break at index `from - 1` or later (dropping `from` or more). */
  private breakAtOrAfter(from: number): number | null {
    let offset = 0;
    for (const run of this.runs) {
      if (offset + run.length >= from) {
        const at = run.indexOf(NEWLINE, Math.max(0, from - 1 - offset));
        if (at !== -1) return offset + at + 1;
      }
      offset += run.length;
    }
    return null;
  }

  /** Drops `count` bytes from the front (never into the middle of a character when `raw`). */
  private drop(count: number, raw = false): void {
    let left = count;
    let whole = 0;
    while (whole < this.runs.length && this.runs[whole].length <= left) {
      left -= this.runs[whole].length;
      this.bytes -= this.runs[whole].length;
      whole++;
    }
    if (whole > 0) this.runs = this.runs.slice(whole);
    if (left === 0 || this.runs.length === 0) return;
    const run = this.runs[0];
    let cut = left;
    // UTF-8 continuation bytes are 10xxxxxx: a cut moves past them to the next character's start.
    if (raw) while (cut < run.length && (run[cut] & 0xc0) === 0x80) cut++;
    this.runs[0] = run.subarray(cut);
    this.bytes -= cut;
    if (this.runs[0].length === 0) this.runs.shift();
  }
}

function decodeAll(runs: Uint8Array[]): string {
  if (runs.length === 1) return decoder.decode(runs[0]);
  let text = '';
  const stream = new TextDecoder();
  for (const run of runs) text += stream.decode(run, { stream: true });
  return text + stream.decode();
}
