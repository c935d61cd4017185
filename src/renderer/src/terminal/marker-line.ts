import type { OutputSink } from '../lib/output-router';

export type MarkerKind = Parameters<OutputSink['marker']>[0];

/** Colour (SGR foreground code) and sign per marker kind; shown inverse, so the bar takes the colour. */
const MARKER_STYLES: Record<MarkerKind | 'dropped', { color: number; sign: string }> = {
  live: { color: 36, sign: '' },
  gap: { color: 33, sign: '⚠ ' },
  resync: { color: 31, sign: '⚠ ' },
  dropped: { color: 33, sign: '⚠ ' },
};

const RESET = '\x1b[0m';

/**
 * One full-width marker line (ending in CRLF): a short rule, the label in
 * inverse video, then a rule to the last column but one — so the cursor never
 * sits in xterm's pending-wrap state. Colours are ANSI palette colours, so
 * they follow the terminal theme and are as readable inverse as they are as text.
 */
export function markerLine(kind: MarkerKind | 'dropped', text: string, cols: number): string {
  const { color, sign } = MARKER_STYLES[kind];
  // Room for the label between the leading rule (2) and a minimal trailing one (3), short of the last column.
  const room = cols - 1 - 2 - 3;
  let body = `${sign}${stripControls(text)}`;
  // Shorten rather than wrap in a narrow pane; in an absurdly narrow one, wrapping is the lesser evil.
  if (body.length + 2 > room && room >= 12) body = `${body.slice(0, room - 3)}…`;
  const label = ` ${body} `;
  const fill = Math.max(3, cols - 1 - 2 - label.length);
  return `${RESET}\x1b[${color}m──\x1b[1;7m${label}\x1b[22;27m${'─'.repeat(fill)}${RESET}\r\n`;
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
