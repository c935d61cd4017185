/** One Server-Sent Event as the stream carried it. */
export interface SseEvent {
  id: string | undefined;
  event: string;
  data: string;
}

/**
 * Reads an SSE response with fetch and records every event and comment, for
 * asserting what the hub streams. `abort()` drops the connection, as a
 * closing browser tab would.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  /** Resolves when the stream ends: `end` when the server finished it, `error` when it broke or was aborted. */
  readonly ended: Promise<'end' | 'error'>;
  private done = false;
  private waiters: Array<() => void> = [];

  private constructor(
    readonly response: Response,
    private readonly controller: AbortController,
  ) {
    this.ended = this.read().finally(() => {
      this.done = true;
      this.wake();
    });
  }

  /** Opens a stream; rejects unless the hub answers 200 with an event stream. */
  static async open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const controller = new AbortController();
    const response = await fetch(url, { headers, signal: controller.signal });
    if (response.status !== 200 || !response.body) {
      controller.abort();
      throw new Error(`HTTP ${response.status}`);
    }
    return new SseClient(response, controller);
  }

  get lastId(): string | undefined {
    return this.events.at(-1)?.id;
  }

  /** Parsed `data` of every event, in order. */
  data(): unknown[] {
    return this.events.map((event) => JSON.parse(event.data) as unknown);
  }

  async waitForCount(count: number, timeoutMs = 5000): Promise<SseEvent[]> {
    await this.until(() => this.events.length >= count, `${count} events`, timeoutMs);
    return this.events.slice(0, count);
  }

  async waitForComment(text: string, timeoutMs = 5000): Promise<void> {
    await this.until(() => this.comments.includes(text), `comment "${text}"`, timeoutMs);
  }

  abort(): void {
    this.controller.abort();
  }

  private async until(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (this.done) throw new Error(`stream ended before ${what}; got ${this.events.length} events`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${this.events.length} events`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private async read(): Promise<'end' | 'error'> {
    const reader = (this.response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return 'end';
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          this.parseBlock(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
        this.wake();
      }
    } catch {
      return 'error';
    }
  }

  private parseBlock(block: string): void {
    let id: string | undefined;
    let event = 'message';
    const data: string[] = [];
    let isEvent = false;
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) {
        this.comments.push(line.slice(1).trim());
        continue;
      }
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      isEvent = true;
      if (field === 'id') id = value;
      else if (field === 'event') event = value;
      else if (field === 'data') data.push(value);
    }
    if (isEvent) this.events.push({ id, event, data: data.join('\n') });
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}
