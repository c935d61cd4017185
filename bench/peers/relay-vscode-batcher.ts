/**
 * Peer of the relay-hop scenario: VS Code's `TerminalDataBufferer`
 * (src/vs/platform/terminal/common/terminalDataBuffering.ts) for one
 * terminal: chunks are collected in an array and joined into one message 5 ms
 * after the first one. No size limit.
 */
const THROTTLE_BY_MS = 5;

export class VsCodeDataBufferer {
  private buffer: { data: string[]; timeoutId: ReturnType<typeof setTimeout> } | null = null;

  constructor(private readonly callback: (data: string) => void) {}

  write(data: string): void {
    if (this.buffer) {
      this.buffer.data.push(data);
      return;
    }
    const timeoutId = setTimeout(() => this.flushBuffer(), THROTTLE_BY_MS);
    this.buffer = { data: [data], timeoutId };
  }

  flushBuffer(): void {
    const buffer = this.buffer;
    if (!buffer) return;
    this.buffer = null;
    this.callback(buffer.data.join(''));
  }

  dispose(): void {
    if (this.buffer) clearTimeout(this.buffer.timeoutId);
    this.buffer = null;
  }
}
