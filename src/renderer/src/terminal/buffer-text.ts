import type { IBuffer } from '@xterm/xterm';

/**
 * Plain text of an xterm buffer: wrapped rows joined back into their lines,
 * trailing spaces and trailing empty lines dropped; the last `lastLines` lines
 * when given.
 */
export function bufferText(buffer: IBuffer, lastLines?: number): string {
  if (lastLines !== undefined && lastLines <= 0) return '';
  const lines: string[] = [];
  for (let y = 0; y < buffer.length; y++) {
    const line = buffer.getLine(y);
    if (!line) continue;
    // getLine past the end can return a recycled row of the circular buffer: bound it here.
    const continues = y + 1 < buffer.length && (buffer.getLine(y + 1)?.isWrapped ?? false);
    // A row that wraps on keeps its trailing spaces: they are part of the line.
    const text = line.translateToString(!continues);
    if (line.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
    else lines.push(text);
  }
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return (lastLines === undefined ? lines : lines.slice(-lastLines)).join('\n');
}
