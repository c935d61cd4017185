import type { LoggedLine } from './line-log';
import { markerLine } from './marker-line';

/** How a pane shows its output: as it came, or as lines with arrival times and/or only those matching a filter. */
export interface LineModes {
  timestamps: boolean;
  /** Case-insensitive text a line must contain to be shown; empty shows every line. */
  filter: string;
}

export const PLAIN_MODES: LineModes = { timestamps: false, filter: '' };

export function isPlain(modes: LineModes): boolean {
  return !modes.timestamps && modes.filter === '';
}

/** Width of a timestamp prefix, "12:04:59 ". */
export const TIMESTAMP_WIDTH = 9;

/** The prefix for a line that arrived at `time` (local time), or a placeholder for history from the hub. */
export function timestampPrefix(time: number | null): string {
  return `\x1b[2m${formatTime(time)}\x1b[22m `;
}

/** "12:04:59" in local time; "--:--:--" when unknown (history replayed from the hub carries no times). */
export function formatTime(time: number | null): string {
  if (time === null) return '--:--:--';
  const date = new Date(time);
  return [date.getHours(), date.getMinutes(), date.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/**
 * A line reduced to what a line-oriented view can show: colours (SGR) kept,
 * every other escape sequence (cursor moves, screen clears, titles, OSC 8
 * link wrappers) and control character dropped.
 */
export function lineForDisplay(text: string): string {
  return (
    text
      // eslint-disable-next-line no-control-regex -- removing escape sequences is the point
      .replace(/\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?/g, '')
      // eslint-disable-next-line no-control-regex -- removing escape sequences is the point
      .replace(/\x1b\[[0-9;:?<=>]*[ -/]*([@-~])/g, (sequence, final: string) => (final === 'm' ? sequence : ''))
      // eslint-disable-next-line no-control-regex -- removing escape sequences is the point
      .replace(/\x1b(?!\[[0-9;:]*m)[@-Z\\-_]?/g, '')
      // eslint-disable-next-line no-control-regex -- removing control characters is the point
      .replace(/[\u0000-\u0008\u000b-\u001a\u001c-\u001f\u007f]/g, '')
  );
}

/** The plain text of a line: no escape sequences at all (what filtering and saving look at). */
export function plainText(text: string): string {
  // eslint-disable-next-line no-control-regex -- removing colours is the point
  return lineForDisplay(text).replace(/\x1b\[[0-9;:]*m/g, '');
}

/** Whether a (non-marker) line passes the filter. */
export function matchesFilter(line: LoggedLine, filter: string): boolean {
  return filter === '' || plainText(line.text).toLowerCase().includes(filter.toLowerCase());
}

/**
 * One logged line as the terminal shows it in `modes` (ending in CRLF), or ''
 * when the filter hides it. Marker lines are always shown: a gap in the
 * output matters most when looking for something in it.
 */
export function renderLine(line: LoggedLine, modes: LineModes, cols: number): string {
  const prefix = modes.timestamps ? timestampPrefix(line.time) : '';
  if (line.marker) {
    const width = modes.timestamps ? Math.max(1, cols - TIMESTAMP_WIDTH) : cols;
    return markerLine(line.marker, line.text, width)
      .split('\r\n')
      .filter(Boolean)
      .map((row) => `${prefix}${row}\r\n`)
      .join('');
  }
  if (!matchesFilter(line, modes.filter)) return '';
  // Colours end with the line: the next line shown may not be the next line that came.
  return `${prefix}${lineForDisplay(line.text)}\x1b[0m\r\n`;
}

/** A logged line as plain text for a file: its time first when timestamps are shown. */
export function lineAsText(line: LoggedLine, timestamps: boolean): string {
  const text = line.marker ? `── ${line.text} ──` : plainText(line.text);
  return timestamps ? `${formatTime(line.time)} ${text}` : text;
}

/**
 * Puts a timestamp in front of every line of a live stream as it arrives
 * (timestamps on, no filter): a line's prefix is written with its first
 * characters, so a half-written line shows at once. A bare carriage return
 * (a progress bar redrawing itself) writes the prefix again.
 */
export class TimestampStamper {
  private atLineStart = true;
  private pendingCR = false;

  /** The stamper's view of the terminal after a rendering that ended mid-line (or at a line start). */
  reset(atLineStart: boolean): void {
    this.atLineStart = atLineStart;
    this.pendingCR = false;
  }

  stamp(text: string, time: number | null): string {
    const prefix = timestampPrefix(time);
    let out = '';
    let index = 0;
    if (this.pendingCR && text.length > 0) {
      this.pendingCR = false;
      if (text[0] !== '\n') out += prefix;
    }
    while (index < text.length) {
      if (this.atLineStart) {
        out += prefix;
        this.atLineStart = false;
      }
      const newline = text.indexOf('\n', index);
      const end = newline < 0 ? text.length : newline + 1;
      let piece = text.slice(index, end);
      if (newline < 0 && piece.endsWith('\r')) {
        this.pendingCR = true;
      }
      // A CR inside the piece that does not end it returns to column 0: the prefix goes in again.
      piece = piece.replace(/\r(?!\n|$)/g, `\r${prefix}`);
      out += piece;
      if (newline < 0) break;
      this.atLineStart = true;
      index = newline + 1;
    }
    return out;
  }
}
