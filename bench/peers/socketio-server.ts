import { type Server as HttpServer, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import { Server } from 'socket.io';

/**
 * Socket.IO as falcon-pm's seed suggests for dashboards, used the way its
 * docs show: a token checked in a middleware, a room per channel joined on
 * `subscribe`, and `io.to(room).emit(event, data)` to broadcast. WebSocket
 * transport only (no long-polling) so it does the same job as the others.
 */
export class SocketIoPeer {
  readonly server: HttpServer = createServer((_request, response) => response.writeHead(404).end());
  readonly io: Server;

  constructor(secret: string) {
    const key = new TextEncoder().encode(secret);
    this.io = new Server(this.server, { transports: ['websocket'], serveClient: false });
    this.io.use((socket, next) => {
      const token = socket.handshake.query.token ?? socket.handshake.auth.token;
      jwtVerify(typeof token === 'string' ? token : '', key).then(
        () => next(),
        () => next(new Error('unauthorized')),
      );
    });
    this.io.on('connection', (socket) => {
      socket.on('subscribe', (channel: unknown) => {
        if (typeof channel !== 'string') return;
        void socket.join(channel);
        socket.emit('subscribed', channel);
      });
    });
  }

  async listen(port = 0): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  broadcast(channel: string, event: string, data: unknown): void {
    this.io.to(channel).emit(event, data);
  }

  async close(): Promise<void> {
    this.io.disconnectSockets(true);
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
  }
}
