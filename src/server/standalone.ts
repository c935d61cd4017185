import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createRequestHandler } from './http-api';
import { Hub } from './hub';
import type { HubOptions } from './options';

export interface StandaloneHubOptions extends HubOptions {
  /** Port to listen on; 0 picks a free one. Default 3002. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** PEM certificate and key: serve wss:// and https:// directly. */
  tls?: { cert: string | Buffer; key: string | Buffer };
}

export interface RunningHub {
  hub: Hub;
  server: HttpServer | HttpsServer;
  /** `http(s)://host:port` */
  url: string;
  /** `ws(s)://host:port/ws` */
  wsUrl: string;
  port: number;
  /** Closes the hub (clients get 1001), then the server. */
  close(): Promise<void>;
}

/** Starts a hub on its own HTTP(S) server: WebSocket, HTTP API, SSE, metrics and (with `webRoot`) the web edition. */
export async function startHub(options: StandaloneHubOptions): Promise<RunningHub> {
  const hub = new Hub(options);
  const handler = createRequestHandler(hub);
  const server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler)
    : createHttpServer(handler);
  // Node drops headers past 2000 (maxHeadersCount); keep header size bounded too.
  server.headersTimeout = 10_000;
  server.requestTimeout = 0; // SSE streams are long-lived
  const detach = hub.attach(server);
  server.on('upgrade', (request, socket) => {
    // Upgrades on paths the hub does not own get a plain 404.
    if (!hub.isOurPath(request)) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3002, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  const secure = options.tls !== undefined;
  let closing: Promise<void> | null = null;
  return {
    hub,
    server,
    port,
    url: `${secure ? 'https' : 'http'}://${shownHost}:${port}`,
    wsUrl: `${secure ? 'wss' : 'ws'}://${shownHost}:${port}${hub.options.path}`,
    close() {
      closing ??= (async () => {
        await hub.close();
        detach();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })();
      return closing;
    },
  };
}
