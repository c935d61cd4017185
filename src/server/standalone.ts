import { type IncomingMessage, createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { type AddressInfo, isIPv4 } from 'node:net';
import type { Duplex } from 'node:stream';
import { ErrorCode } from '../shared/errors';
import { createMetricsHandler, createRequestHandler } from './http-api';
import { Hub } from './hub';
import type { HubOptions } from './options';
import { requestTarget } from './request-target';
import { rejectUpgrade } from './upgrade';

export interface StandaloneHubOptions extends HubOptions {
  /** Port to listen on; 0 picks a free one. Default 3002. */
  port?: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host?: string;
  /** PEM certificate and key: serve wss:// and https:// directly. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /**
   * Serve `/metrics` (and `/healthz` with details) on their own plain-HTTP
   * listener, e.g. one only the Prometheus network reaches; the main listener
   * then serves neither. Default: none.
   */
  metricsListen?: { host: string; port: number };
}

export interface RunningHub {
  hub: Hub;
  server: HttpServer | HttpsServer;
  /** `http(s)://host:port` */
  url: string;
  /** `ws(s)://host:port/ws` */
  wsUrl: string;
  port: number;
  /** `http://host:port/metrics` where the metrics are served, or null when they are not. */
  metricsUrl: string | null;
  /** Closes the hub (clients get 1001), then the server. */
  close(): Promise<void>;
}

/** Starts a hub on its own HTTP(S) server: WebSocket, HTTP API, SSE, metrics and (with `webRoot`) the web edition. */
export async function startHub(options: StandaloneHubOptions): Promise<RunningHub> {
  const host = options.host ?? '127.0.0.1';
  const hub = new Hub({ ...options, serveMetrics: options.serveMetrics ?? defaultServeMetrics(options, host) });
  const handler = createRequestHandler(hub);
  const server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler)
    : createHttpServer(handler);
  // Node drops headers past 2000 (maxHeadersCount); keep header size bounded too.
  server.headersTimeout = 10_000;
  server.requestTimeout = 0; // SSE streams are long-lived
  const detach = hub.attach(server);
  server.on('upgrade', (request: IncomingMessage, socket: Duplex) => {
    if (hub.isOurPath(request)) return;
    // Upgrades the hub does not own get a plain 404; a target that does not parse, a 400.
    if (requestTarget(request) === null)
      rejectUpgrade(socket, 400, ErrorCode.InvalidRequest, 'the request target is not a path');
    else rejectUpgrade(socket, 404, ErrorCode.NotFound, 'not found');
  });
  await listen(server, options.port ?? 3002, host);
  let metricsServer: HttpServer | null = null;
  if (options.metricsListen) {
    metricsServer = createHttpServer(createMetricsHandler(hub));
    metricsServer.headersTimeout = 10_000;
    try {
      await listen(metricsServer, options.metricsListen.port, options.metricsListen.host);
    } catch (error) {
      await closeServer(server);
      await hub.close();
      throw error;
    }
  }
  const { port } = server.address() as AddressInfo;
  const secure = options.tls !== undefined;
  const url = `${secure ? 'https' : 'http'}://${showHost(host)}:${port}`;
  let metricsUrl: string | null = hub.options.serveMetrics ? `${url}/metrics` : null;
  if (metricsServer && options.metricsListen) {
    const metricsPort = (metricsServer.address() as AddressInfo).port;
    metricsUrl = `http://${showHost(options.metricsListen.host)}:${metricsPort}/metrics`;
  }
  let closing: Promise<void> | null = null;
  return {
    hub,
    server,
    port,
    url,
    wsUrl: `${secure ? 'wss' : 'ws'}://${showHost(host)}:${port}${hub.options.path}`,
    metricsUrl,
    close() {
      closing ??= (async () => {
        await hub.close();
        detach();
        await Promise.all([closeServer(server), metricsServer ? closeServer(metricsServer) : null]);
      })();
      return closing;
    },
  };
}

/**
 * Where `/metrics` is open by default: on a loopback host, or behind a
 * metrics token. A hub listening on another interface without a token keeps
 * its metrics to itself (what an attacker could learn: load, clients, errors);
 * give it `metricsToken` or `metricsListen`.
 */
function defaultServeMetrics(options: StandaloneHubOptions, host: string): boolean {
  if (options.metricsListen) return false;
  if (options.metricsToken !== undefined) return true;
  return isLoopback(host);
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIPv4(host) && host.startsWith('127.');
}

function showHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

function listen(server: HttpServer | HttpsServer, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: HttpServer | HttpsServer): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
