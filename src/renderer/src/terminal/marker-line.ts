import type { OutputSink } from '../lib/output-router';

export type MarkerKind = Parameters<OutputSink['marker']>[0];

/** Colour (SGR foreground code) and sign per marker kind; shown inverse, so the bar takes the colour. */
const MARKER_STYLES: Record<MarkerKind | 'dropped', { color: number; sign: string }> = {
  live: { color: 36, sign: '' },
  gap: { color: 33, sign: '⚠ ' },
  resync: { color: 31, sign: '⚠ ' },
  answer: { color: 35, sign: '↳ ' },
  dropped: { color: 33, sign: '⚠ ' },
};

const RESET = '\x1b[0m';
/** Columns around the label: the leading rule (2), the label's two spaces, a minimal trailing rule (3), the last column. */
const FRAME = 2 + 2 + 3 + 1;
/** Widest marker row: panes are rarely narrower than this, so a written marker keeps its shape when they shrink. */
export const MARKER_COLS = 42;
/** Narrower than this, rows of a word or two would be noise: one row, and xterm wraps it. */
const MIN_ROOM = 10;

/**
 * A marker (ending in CRLF), as wide as the terminal up to MARKER_COLS: a
 * short rule, the label in inverse video, then a rule to its last column but one — so the cursor never sits in
 * xterm's pending-wrap state. A label too long for the terminal is broken at
 * word boundaries over as many marker rows as it needs (nothing is cut off,
 * and the words that matter come first in every label we write). Colours are
 * ANSI palette colours, so they follow the terminal theme and are as readable
 * inverse as they are as text.
 */
export function markerLine(kind: MarkerKind | 'dropped', text: string, terminalCols: number): string {
  const { color, sign } = MARKER_STYLES[kind];
  // Never wider than MARKER_COLS: xterm reflows written rows when a pane narrows (another pane
  // opens, the board grows, an answer bar appears), and a full-width rule would break into
  // fragments of rule over several rows.
  const cols = Math.min(terminalCols, MARKER_COLS);
  const body = `${sign}${stripControls(text)}`;
  const room = cols - FRAME;
  const rows = room >= MIN_ROOM ? breakWords(body, room) : [body];
  return rows
    .map((row) => {
      const label = ` ${row} `;
      const fill = Math.max(3, cols - 1 - 2 - label.length);
      return `${RESET}\x1b[${color}m──\x1b[1;7m${label}\x1b[22;27m${'─'.repeat(fill)}${RESET}\r\n`;
    })
    .join('');
}

/** Lines of at most `width` characters, broken at spaces; a word longer than a line is split. */
export function breakWords(text: string, width: number): string[] {
  const rows: string[] = [];
  let row = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let rest = word;
    while (rest.length > width) {
      if (row) rows.push(row);
      rows.push(rest.slice(0, width));
      row = '';
      rest = rest.slice(width);
    }
    if (!row) row = rest;
    else if (row.length + 1 + rest.length <= width) row += ` ${rest}`;
    else {
      rows.push(row);
      row = rest;
    }
  }
  if (row || rows.length === 0) rows.push(row);
  return rows;
}

/** Whether the next write starts at column 0: text ends in a newline, maybe followed by colour resets. */
export function endsAtLineStart(text: string): boolean {
  // eslint-disable-next-line no-control-regex -- matching escape sequences is the point
  return /\n(?:\x1b\[[0-9;:]*m)*$/.test(text);
}

function stripControls(text: string): string {
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}
