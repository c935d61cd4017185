import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/**
 * A WebSocket server on port 0 that behaves like a hub just enough for the
 * client core to open and subscribe (`connected`, `subscribed` with a
 * position, `pong`), and then sends whatever frames a test scripts: malformed
 * text, binary, wrong shapes. For testing what a client does with a hub that
 * misbehaves; the real hub never sends such frames.
 */
export class ScriptedServer {
  private readonly wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  private readonly peers: WebSocket[] = [];
  private readonly waiters = new Set<() => void>();
  /** Every frame a client sent, parsed. */
  readonly received: Array<{ type: string; channel?: string; id?: unknown }> = [];
  /** Channels subscribed on the current connection, in order. */
  readonly subscribed: string[] = [];

  private constructor() {
    this.wss.on('connection', (ws) => {
      this.peers.push(ws);
      this.subscribed.length = 0;
      ws.on('message', (data: Buffer) => {
        const message = JSON.parse(data.toString()) as ScriptedServer['received'][number];
        this.received.push(message);
        if (message.type === 'subscribe' && message.channel) {
          this.subscribed.push(message.channel);
          ws.send(JSON.stringify({ type: 'subscribed', channel: message.channel, epoch: 'e1', offset: 0 }));
        } else if (message.type === 'ping') {
          ws.send(JSON.stringify({ type: 'pong', id: message.id }));
        }
        this.wake();
      });
      ws.send(JSON.stringify({ type: 'connected', clientId: `scripted-${this.peers.length}` }));
      this.wake();
    });
  }

  static async start(): Promise<ScriptedServer> {
    const server = new ScriptedServer();
    await once(server.wss, 'listening');
    return server;
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}/ws`;
  }

  /** Connections accepted so far. */
  get connections(): number {
    return this.peers.length;
  }

  /** Sends one frame to the newest connection: text as a text frame, bytes as a binary frame; resolves once written. */
  send(frame: string | Uint8Array): Promise<void> {
    const ws = this.peers.at(-1);
    if (!ws) return Promise.reject(new Error('no client connected'));
    return new Promise((resolve, reject) =>
      ws.send(frame, { binary: typeof frame !== 'string' }, (error) => (error ? reject(error) : resolve())),
    );
  }

  /** Resolves when `condition` holds, checked on every connection and every frame a client sends. */
  until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  async close(): Promise<void> {
    for (const ws of this.peers) ws.terminate();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private wake(): void {
    for (const check of [...this.waiters]) check();
  }
}
