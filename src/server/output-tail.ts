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
