import WebSocket from 'ws';

/**
 * The seed's client (`useWebSocket` in falcon-pm's realtime design) outside
 * React: connect, subscribe once open, and on any close try again after a
 * fixed 3 s. It keeps no position, so whatever was published while it was
 * away is simply never seen.
 */
export class SeedClient {
  private ws: WebSocket | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly channel: string,
    private readonly handlers: {
      onConnecting?: () => void;
      onSubscribed?: () => void;
      onEvent?: (data: unknown) => void;
    },
    private readonly reconnectInterval = 3000,
  ) {}

  connect(): void {
    if (this.closed || this.ws?.readyState === WebSocket.OPEN) return;
    this.handlers.onConnecting?.();
    const ws = new WebSocket(this.url, { perMessageDeflate: false });
    ws.onopen = () => ws.send(JSON.stringify({ type: 'subscribe', channel: this.channel }));
    ws.onmessage = (event) => {
      const message = JSON.parse(String(event.data)) as { type: string; data?: unknown };
      if (message.type === 'subscribed') this.handlers.onSubscribed?.();
      else if (message.type === 'event') this.handlers.onEvent?.(message.data);
    };
    ws.onclose = () => {
      if (this.ws !== ws || this.closed) return;
      this.timer = setTimeout(() => this.connect(), this.reconnectInterval);
    };
    ws.onerror = () => {}; // the seed logs it; close follows either way
    this.ws = ws;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.ws?.terminate();
  }
}
