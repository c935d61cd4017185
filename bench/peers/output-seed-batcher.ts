import { randomUUID } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

/**
 * The peer of the output-pipeline scenario: the seed document's WebSocket
 * loop (`setupWebSocket`, `broadcast`: stringify once, `send` per subscribed
 * client) and its `streamAgentOutputThrottled` (one `setInterval` of 100 ms
 * per agent, an unbounded buffer, `output_batch` with everything buffered).
 * Written as the seed wrote it; the only additions are a fixed token instead
 * of a JWT (checked once per connection, not on the measured path) and
 * `close`, which clears the intervals the seed never clears.
 */
export class SeedOutputServer {
  private readonly clients = new Map<string, { ws: WebSocket; subscriptions: Set<string> }>();
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly server: Server = createServer((_request, response) => response.writeHead(404).end());
  private readonly outputBuffers = new Map<string, string[]>();
  private readonly intervals: Array<ReturnType<typeof setInterval>> = [];
  port = 0;

  constructor(readonly token: string) {
    this.server.on('upgrade', (request, socket, head) => {
      const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
      if (url.searchParams.get('token') !== token) {
        socket.write('HTTP/1.1 401 Unauthorized\r\n\r\n');
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(request, socket, head, (ws) => this.onConnection(ws));
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  private onConnection(ws: WebSocket): void {
    const clientId = randomUUID();
    this.clients.set(clientId, { ws, subscriptions: new Set() });
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { type: string; channel: string };
      const client = this.clients.get(clientId);
      if (!client) return;
      if (message.type === 'subscribe') {
        client.subscriptions.add(message.channel);
        ws.send(JSON.stringify({ type: 'subscribed', channel: message.channel }));
      } else if (message.type === 'unsubscribe') {
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
      if (client.subscriptions.has(channel) && client.ws.readyState === WebSocket.OPEN) {
        client.ws.send(message);
      }
    }
  }

  streamAgentOutputThrottled(agentId: string, output: string): void {
    const channel = `agent:${agentId}`;
    if (!this.outputBuffers.has(channel)) {
      this.outputBuffers.set(channel, []);
      // Flush every 100ms
      this.intervals.push(
        setInterval(() => {
          const buffer = this.outputBuffers.get(channel);
          if (buffer && buffer.length > 0) {
            this.broadcast(channel, 'output_batch', {
              timestamp: Date.now(),
              lines: buffer.splice(0),
            });
          }
        }, 100),
      );
    }
    this.outputBuffers.get(channel)!.push(output);
  }

  async close(): Promise<void> {
    for (const interval of this.intervals) clearInterval(interval);
    for (const client of this.clients.values()) client.ws.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
