import type { IBuffer } from '@xterm/xterm';

/** A logical line of the buffer: wrapped rows joined, with the row it starts on. */
export interface BufferLine {
  text: string;
  row: number;
}

/**
 * The lines of an xterm buffer: wrapped rows joined back into their lines,
 * trailing spaces dropped (a row that wraps on keeps them: they are part of the line).
 */
export function bufferLines(buffer: IBuffer): BufferLine[] {
  const lines: BufferLine[] = [];
  for (let y = 0; y < buffer.length; y++) {
    const line = buffer.getLine(y);
    if (!line) continue;
    // getLine past the end can return a recycled row of the circular buffer: bound it here.
    const continues = y + 1 < buffer.length && (buffer.getLine(y + 1)?.isWrapped ?? false);
    const text = line.translateToString(!continues);
    const last = lines[lines.length - 1];
    if (line.isWrapped && last) last.text += text;
    else lines.push({ text, row: y });
  }
  return lines;
}

/**
 * Plain text of an xterm buffer: its lines (see `bufferLines`), trailing empty
 * lines dropped; the last `lastLines` lines when given.
 */
export function bufferText(buffer: IBuffer, lastLines?: number): string {
  if (lastLines !== undefined && lastLines <= 0) return '';
  const lines = bufferLines(buffer).map((line) => line.text);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return (lastLines === undefined ? lines : lines.slice(-lastLines)).join('\n');
}

/** A line of the buffer that contains the search term: where, and the line's text. */
export interface LineMatch {
  row: number;
  /** Offset of the match in `text`. */
  column: number;
  text: string;
}

/** Lines containing `term` (case-insensitive), oldest first, at most `limit`; `total` counts them all. */
export function matchingLines(buffer: IBuffer, term: string, limit: number): { matches: LineMatch[]; total: number } {
  const needle = term.toLowerCase();
  const matches: LineMatch[] = [];
  let total = 0;
  if (needle === '') return { matches, total };
  for (const line of bufferLines(buffer)) {
    const column = line.text.toLowerCase().indexOf(needle);
    if (column < 0) continue;
    total++;
    if (matches.length < limit) matches.push({ row: line.row, column, text: line.text.trimEnd() });
  }
  return { matches, total };
}
