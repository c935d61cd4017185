import { randomUUID } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { WebSocket, WebSocketServer } from 'ws';

/**
 * The seed's server (falcon-pm's `websocket-realtime-patterns.md`), written
 * from its text as a peer to measure against: token checked on upgrade, a Map
 * of clients each with a Set of subscriptions, and `broadcast` that
 * stringifies once and loops `ws.send` over every subscribed client. No
 * offsets, history, limits or heartbeats — that is the point of comparison.
 * Unlike the seed it does not crash on a malformed frame, so a benchmark run
 * cannot die of one.
 */
interface Client {
  ws: WebSocket;
  userId: string;
  subscriptions: Set<string>;
}

export class SeedWsServer {
  protected readonly clients = new Map<string, Client>();
  private readonly wss = new WebSocketServer({ noServer: true });
  readonly server: Server = createServer((_request, response) => response.writeHead(404).end());
  private readonly key: Uint8Array;

  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
    this.server.on('upgrade', (request, socket, head) => {
      socket.on('error', () => socket.destroy());
      const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
      jwtVerify(url.searchParams.get('token') ?? '', this.key).then(
        ({ payload }) =>
          this.wss.handleUpgrade(request, socket, head, (ws) => this.onConnection(ws, String(payload.sub))),
        () => {
          socket.write('HTTP/1.1 401 Unauthorized\r\n\r\n');
          socket.destroy();
        },
      );
    });
  }

  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  private onConnection(ws: WebSocket, userId: string): void {
    const clientId = randomUUID();
    this.clients.set(clientId, { ws, userId, subscriptions: new Set() });
    ws.on('message', (data) => {
      let message: { type?: unknown; channel?: unknown };
      try {
        message = JSON.parse(data.toString()) as typeof message;
      } catch {
        return;
      }
      this.handleMessage(clientId, message);
    });
    ws.on('close', () => this.clients.delete(clientId));
    ws.on('error', () => this.clients.delete(clientId));
    ws.send(JSON.stringify({ type: 'connected', clientId }));
  }

  private handleMessage(clientId: string, message: { type?: unknown; channel?: unknown }): void {
    const client = this.clients.get(clientId);
    if (!client) return;
    const channel = typeof message.channel === 'string' ? message.channel : '';
    switch (message.type) {
      case 'subscribe':
        client.subscriptions.add(channel);
        client.ws.send(JSON.stringify({ type: 'subscribed', channel }));
        break;
      case 'unsubscribe':
        client.subscriptions.delete(channel);
        client.ws.send(JSON.stringify({ type: 'unsubscribed', channel }));
        break;
      case 'ping':
        client.ws.send(JSON.stringify({ type: 'pong' }));
        break;
    }
  }

  /** The seed's `broadcast`, verbatim in substance. */
  broadcast(channel: string, event: string, data: unknown): void {
    const message = JSON.stringify({ type: 'event', channel, event, data });
    for (const client of this.clients.values()) {
      if (client.subscriptions.has(channel) && client.ws.readyState === WebSocket.OPEN) {
        client.ws.send(message);
      }
    }
  }

  /** Drops every client the way a process exit would (no close handshake), then stops listening. */
  async close(): Promise<void> {
    for (const client of this.clients.values()) client.ws.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
