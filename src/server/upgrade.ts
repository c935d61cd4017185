import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ErrorCode } from '../shared/errors';
import { requestTarget } from './request-target';

/**
 * The token of a request: `Authorization: Bearer`, or — where `fromQuery`
 * allows it — `?token=`. Only the WebSocket upgrade and SSE GETs take it from
 * the query: a browser's WebSocket and EventSource cannot send headers, and a
 * token in a URL lands in logs and histories, so no other route accepts one.
 */
export function tokenFromRequest(request: IncomingMessage, fromQuery: boolean): string | null {
  // The scheme is case-insensitive (RFC 9110 §11.1): clients send `bearer` too.
  // Stryker disable next-line Regex,StringLiteral: header values hold no newline and the token is trimmed, so `$` and `+` change nothing; neither does the fallback text
  const bearer = /^bearer[ \t]+(.*)$/i.exec(request.headers.authorization ?? '');
  if (bearer) return bearer[1].trim() || null;
  if (!fromQuery) return null;
  return requestTarget(request)?.query.get('token') ?? null;
}

/**
 * Most headers an upgrade may carry. Node keeps only a request's first 2 000
 * headers (`maxHeadersCount`) and drops the rest without a word, so a request
 * with that many could hide an `Origin` from the origin check; real clients and
 * the proxies in front of them send a few dozen.
 */
export const MAX_UPGRADE_HEADERS = 100;

/** Whether an upgrade carries more headers than any real client sends (answered 431). */
export function hasTooManyHeaders(request: IncomingMessage): boolean {
  return request.rawHeaders.length / 2 > MAX_UPGRADE_HEADERS;
}

/** Answers an upgrade with an HTTP error and closes the socket, before any WebSocket exists. */
export function rejectUpgrade(socket: Duplex, status: number, code: ErrorCode, message: string): void {
  // Stryker disable next-line ConditionalExpression: writing to a destroyed socket does nothing either; this only skips building the reply
  if (socket.destroyed) return;
  // Node removes its own error listener from an upgraded socket: a reset while this answer is
  // written would otherwise be an uncaught error.
  if (socket.listenerCount('error') === 0) socket.on('error', () => socket.destroy());
  const body = JSON.stringify({ error: { code, message } });
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
      body,
  );
}
