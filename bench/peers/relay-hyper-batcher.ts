/**
 * Peer of the relay-hop scenario: Hyper's `DataBatcher` (app/session.ts) as
 * Hyper writes it: output strings are concatenated behind the session uid and
 * flushed as one IPC message after 16 ms or before 200 KB would be exceeded.
 * The renderer strips the uid. Text input only (Hyper decodes PTY bytes first).
 */
const BATCH_DURATION_MS = 16;
const BATCH_MAX_SIZE = 200 * 1024;

export class HyperDataBatcher {
  private data = '';
  private timeout: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly uid: string,
    private readonly onFlush: (data: string) => void,
  ) {
    this.reset();
  }

  private reset(): void {
    this.data = this.uid;
    this.timeout = null;
  }

  write(chunk: string): void {
    if (this.data.length + chunk.length >= BATCH_MAX_SIZE) {
      // We've reached the max batch size. Flush it and start another one
      if (this.timeout) {
        clearTimeout(this.timeout);
        this.timeout = null;
      }
      this.flush();
    }
    this.data += chunk;
    if (!this.timeout) this.timeout = setTimeout(() => this.flush(), BATCH_DURATION_MS);
  }

  flush(): void {
    // Reset before emitting to allow for potential reentrancy
    const data = this.data;
    this.reset();
    this.onFlush(data);
  }

  dispose(): void {
    if (this.timeout) clearTimeout(this.timeout);
    this.timeout = null;
  }
}
