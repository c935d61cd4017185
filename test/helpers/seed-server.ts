import { randomUUID } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

/**
 * A server written exactly to falcon-pm's seed document, with no extensions:
 * no offsets, no epochs, no resume, no snapshots. The client core must work
 * against it (events pass through; reconnects raise `gap` notices). Unlike the
 * seed it does not crash on a bad frame, so tests can focus on the client.
 */
export class SeedServer {
  private readonly clients = new Map<string, { ws: WebSocket; subscriptions: Set<string> }>();
  private readonly wss = new WebSocketServer({ noServer: true });
  readonly server: Server = createServer((_request, response) => response.writeHead(404).end());
  port = 0;

  constructor(private readonly validToken = 'seed-token') {
    this.server.on('upgrade', (request, socket, head) => {
      const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
      if (url.searchParams.get('token') !== this.validToken) {
        socket.write('HTTP/1.1 401 Unauthorized\r\n\r\n');
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(request, socket, head, (ws) => this.onConnection(ws));
    });
  }

  async listen(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  private onConnection(ws: WebSocket): void {
    const clientId = randomUUID();
    this.clients.set(clientId, { ws, subscriptions: new Set() });
    ws.on('message', (data) => {
      let message: { type?: string; channel?: string };
      try {
        message = JSON.parse(data.toString()) as typeof message;
      } catch {
        return;
      }
      const client = this.clients.get(clientId);
      if (!client) return;
      if (message.type === 'subscribe' && message.channel) {
        client.subscriptions.add(message.channel);
        ws.send(JSON.stringify({ type: 'subscribed', channel: message.channel }));
      } else if (message.type === 'unsubscribe' && message.channel) {
        client.subscriptions.delete(message.channel);
        ws.send(JSON.stringify({ type: 'unsubscribed', channel: message.channel }));
      } else if (message.type === 'ping') {
        ws.send(JSON.stringify({ type: 'pong' }));
      }
    });
    ws.on('close', () => this.clients.delete(clientId));
    ws.on('error', () => this.clients.delete(clientId));
    ws.send(JSON.stringify({ type: 'connected', clientId }));
  }

  broadcast(channel: string, event: string, data: unknown): void {
    const message = JSON.stringify({ type: 'event', channel, event, data });
    for (const client of this.clients.values()) {
      if (client.subscriptions.has(channel) && client.ws.readyState === WebSocket.OPEN) client.ws.send(message);
    }
  }

  subscriberCount(channel: string): number {
    return [...this.clients.values()].filter((client) => client.subscriptions.has(channel)).length;
  }

  /** Cuts every connection without a close frame. */
  terminateAll(): void {
    for (const client of this.clients.values()) client.ws.terminate();
  }

  async close(): Promise<void> {
    this.terminateAll();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
