import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { connect } from 'node:net';

/** What came back for one handcrafted request on its own TCP connection. */
export interface RawExchange {
  /** The status code of the first status line, or null when none arrived. */
  status: number | null;
  /** Everything received (latin1), up to the point the exchange ended. */
  received: string;
  /** The server closed the connection by itself (end or reset); false when this side had to cut it. */
  closedByServer: boolean;
  /** A socket error seen on this side (a reset, a write after the server closed), if any. */
  error: string | null;
}

export interface RawExchangeOptions {
  /**
   * Cut the connection from this side once a status line satisfying this has
   * arrived (a 101 or an SSE stream stays open otherwise). Without it, the
   * exchange waits for the server to close the connection, as a refusal must.
   */
  cutWhen?: (status: number) => boolean;
  /** Give up (and cut the connection) after this long. Default 10 s. */
  timeoutMs?: number;
}

/**
 * Writes `request` byte for byte on a fresh connection to 127.0.0.1:`port` and
 * reads the status line: the test controls every byte, which a client library
 * would normalize or refuse to send.
 */
export function rawExchange(
  port: number,
  request: string | Buffer,
  options: RawExchangeOptions = {},
): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let status: number | null = null;
    let error: string | null = null;
    let settled = false;
    const finish = (closedByServer: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ status, received, closedByServer, error });
    };
    const timer = setTimeout(() => finish(false), options.timeoutMs ?? 10_000);
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (status === null) {
        const line = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n/.exec(received);
        if (line) status = Number(line[1]);
        if (status !== null && options.cutWhen?.(status)) finish(false);
      }
    });
    // The server may answer and close before the whole request is written (431): that is an answer, not a failure.
    socket.on('error', (cause: NodeJS.ErrnoException) => {
      error = cause.code ?? cause.message;
    });
    socket.on('close', () => finish(true));
    socket.write(request);
  });
}

/** A valid `Sec-WebSocket-Key`: 16 random bytes, base64. */
export function webSocketKey(): string {
  return randomBytes(16).toString('base64');
}

/** A WebSocket upgrade request for `target` (path and query, sent as is), with a valid key and version. */
export function upgradeRequest(target: string, extraHeaders: string[] = []): string {
  return (
    `GET ${target} HTTP/1.1\r\n` +
    'Host: 127.0.0.1\r\n' +
    'Upgrade: websocket\r\n' +
    'Connection: Upgrade\r\n' +
    `Sec-WebSocket-Key: ${webSocketKey()}\r\n` +
    'Sec-WebSocket-Version: 13\r\n' +
    extraHeaders.map((header) => `${header}\r\n`).join('') +
    '\r\n'
  );
}

/** Open TCP connections on `server` (what "no leaked sockets" is measured with). */
export function openConnections(server: Server): Promise<number> {
  return new Promise((resolve, reject) =>
    server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
  );
}

/** Runs `work` over `items` with at most `concurrency` in flight; results keep the items' order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return results;
}
