/**
 * Latency markers woven into agent output: an OSC sequence (which terminals
 * ignore) carrying a sequence number and the wall-clock time it was written.
 * Producer and consumer run on one machine, so `wallNow` in one process is
 * comparable with `wallNow` in another (both are the system clock at start
 * plus a monotonic offset).
 */
const PREFIX = '\x1b]7770;';
const END = `${PREFIX}end\x07`;

export function marker(seq: number, at: number): string {
  return `${PREFIX}${seq};${at.toFixed(3)}\x07`;
}

/** Written after the last marker: the consumer stops measuring when it arrives. */
export function endMarker(): string {
  return END;
}

/** Cheap test first: most output lines start with ESC too, but few start with the whole prefix. */
export function readMarker(line: string): { seq: number; at: number } | 'end' | null {
  if (line.length > 48 || !line.startsWith(PREFIX)) return null;
  if (line === END) return 'end';
  const body = line.slice(PREFIX.length, -1);
  const split = body.indexOf(';');
  return { seq: Number(body.slice(0, split)), at: Number(body.slice(split + 1)) };
}

/** The markers anywhere in a piece of output (joined lines hold them mid-text), in order. */
export function markersIn(text: string): Array<{ seq: number; at: number } | 'end'> {
  const found: Array<{ seq: number; at: number } | 'end'> = [];
  for (let at = text.indexOf(PREFIX); at !== -1; at = text.indexOf(PREFIX, at + 1)) {
    const end = text.indexOf('\x07', at);
    if (end === -1) break;
    const mark = readMarker(text.slice(at, end + 1));
    if (mark) found.push(mark);
  }
  return found;
}
