import type { MarkerKind } from './marker-line';

/** One line of output as it arrived: its text (escape sequences kept, no line ending) and when. */
export interface LoggedLine {
  text: string;
  /** When the line's first characters arrived (ms since the epoch); null for history replayed from the hub. */
  time: number | null;
  /** Set on the pane's own marker lines (live output, gaps), whose `text` is the label. */
  marker?: MarkerKind | 'dropped';
}

/** A single line longer than this keeps its first part only (a progress bar that never ends its line). */
export const MAX_LINE_CHARS = 16 * 1024;

const DROPPED: LoggedLine = { text: '', time: null };

/**
 * A bounded record of a pane's output as lines, for the views that need whole
 * lines and their arrival times (timestamps, filter) and to show the output
 * again as it came once they are turned off. It keeps at most `maxLines`
 * complete lines — the pane ties it to the terminal's scrollback — plus the
 * line in progress; older lines drop off the front, as they do from xterm's
 * scrollback.
 *
 * A carriage return that does not end a line starts it over (what a terminal
 * shows for a progress bar), so a line that redraws itself stays one line.
 */
export class LineLog {
  private lines: LoggedLine[] = [];
  /** Index of the oldest line in `lines` (trimmed lazily, so dropping the front does not shift every write). */
  private start = 0;
  private partial: LoggedLine | null = null;
  /** The last text ended in a bare CR: a LF next ends the line, anything else starts it over. */
  private pendingCR = false;

  /** `onDrop` hears of each complete line that falls off the front. */
  constructor(
    private maxLines: number,
    private readonly onDrop: (line: LoggedLine) => void = () => undefined,
  ) {
    assertMaxLines(maxLines);
  }

  get size(): number {
    return this.lines.length - this.start;
  }

  /** The line still being written, if any. */
  get current(): LoggedLine | null {
    return this.partial;
  }

  /** Complete lines, oldest first. */
  all(): LoggedLine[] {
    return this.lines.slice(this.start);
  }

  setMaxLines(maxLines: number): void {
    assertMaxLines(maxLines);
    this.maxLines = maxLines;
    this.trim();
  }

  /** Records `text`; returns the lines it completed, in order. */
  append(text: string, time: number | null): LoggedLine[] {
    const completed: LoggedLine[] = [];
    let index = 0;
    if (this.pendingCR && text.length > 0) {
      this.pendingCR = false;
      if (text[0] === '\n') {
        completed.push(this.finish(time));
        index = 1;
      } else if (this.partial) this.partial.text = '';
    }
    while (index < text.length) {
      const newline = text.indexOf('\n', index);
      const end = newline < 0 ? text.length : newline;
      let piece = text.slice(index, end);
      if (piece.endsWith('\r')) piece = piece.slice(0, -1);
      if (newline < 0 && text.endsWith('\r')) this.pendingCR = true;
      // Text after a bare CR replaces the line so far.
      const restart = piece.lastIndexOf('\r');
      if (restart >= 0) {
        if (this.partial) this.partial.text = '';
        piece = piece.slice(restart + 1);
      }
      this.extend(piece, time);
      if (newline < 0) break;
      completed.push(this.finish(time));
      index = newline + 1;
    }
    return completed;
  }

  /** Records a marker line (it ends a line in progress, as the terminal view does). */
  addMarker(kind: MarkerKind | 'dropped', label: string, time: number | null): LoggedLine {
    if (this.partial) this.finish(time);
    this.pendingCR = false;
    const line: LoggedLine = { text: label, time, marker: kind };
    this.push(line);
    return line;
  }

  clear(): void {
    this.lines = [];
    this.start = 0;
    this.partial = null;
    this.pendingCR = false;
  }

  private extend(piece: string, time: number | null): void {
    if (!this.partial) this.partial = { text: '', time };
    const line = this.partial;
    if (line.text.length < MAX_LINE_CHARS) line.text = (line.text + piece).slice(0, MAX_LINE_CHARS);
  }

  private finish(time: number | null): LoggedLine {
    const line = this.partial ?? { text: '', time };
    this.partial = null;
    this.push(line);
    return line;
  }

  private push(line: LoggedLine): void {
    this.lines.push(line);
    this.trim();
  }

  private trim(): void {
    while (this.size > this.maxLines) {
      const line = this.lines[this.start];
      // Release the slot now; compaction below drops the array's dead front.
      this.lines[this.start] = DROPPED;
      this.start++;
      this.onDrop(line);
    }
    // Compact once the dead front outweighs the live lines.
    if (this.start > 1024 && this.start * 2 > this.lines.length) {
      this.lines = this.lines.slice(this.start);
      this.start = 0;
    }
  }
}

function assertMaxLines(lines: number): void {
  if (!Number.isInteger(lines) || lines < 1) throw new RangeError('maxLines must be a positive integer');
}
