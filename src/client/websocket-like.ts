import { CloseCode } from '../shared/errors';

/**
 * The slice of the WebSocket API the client core uses: the browser's
 * `WebSocket` and `ws` both fit, so the core imports neither.
 */
export interface WebSocketLike {
  readonly readyState: number;
  binaryType?: string;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: { message?: string; error?: unknown }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

/* eslint-disable @typescript-eslint/no-explicit-any -- `ws` types its handlers' events with its own classes */
/** What `nodeWebSocket` needs of a `ws` WebSocket (an EventEmitter with `terminate`). */
export interface NodeWebSocketLike {
  readonly readyState: number;
  onopen: ((event: any) => void) | null;
  onmessage: ((event: any) => void) | null;
  onclose: ((event: any) => void) | null;
  onerror: ((event: any) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  on(
    event: 'unexpected-response',
    listener: (request: unknown, response: { statusCode?: number; resume(): void }) => void,
  ): unknown;
  terminate(): void;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/**
 * Adapts a `ws` WebSocket (Node) for the client core. `ws` reports a refused
 * upgrade only as an error text; here its HTTP status decides: 401 closes
 * with `CloseCode.Unauthorized` (the token was refused), any other status
 * with 1006 and the status as the reason.
 */
export function nodeWebSocket(socket: NodeWebSocketLike): WebSocketLike {
  let refusedWith: number | null = null;
  let onclose: WebSocketLike['onclose'] = null;
  socket.on('unexpected-response', (_request, response) => {
    refusedWith = response.statusCode ?? 0;
    // Drain the body so the socket is released, then fail the handshake (ws emits error and close).
    response.resume();
    socket.terminate();
  });
  socket.onclose = (event: { code: number; reason: string }) => {
    if (refusedWith === null) return onclose?.({ code: event.code, reason: event.reason });
    const code = refusedWith === 401 ? CloseCode.Unauthorized : 1006;
    onclose?.({ code, reason: `HTTP ${refusedWith}` });
  };
  return {
    get readyState() {
      return socket.readyState;
    },
    get onopen() {
      return socket.onopen;
    },
    set onopen(listener) {
      socket.onopen = listener;
    },
    get onmessage() {
      return socket.onmessage;
    },
    set onmessage(listener) {
      socket.onmessage = listener;
    },
    get onerror() {
      return socket.onerror;
    },
    set onerror(listener) {
      socket.onerror = listener;
    },
    get onclose() {
      return onclose;
    },
    set onclose(listener) {
      onclose = listener;
    },
    send: (data) => socket.send(data),
    close: (code, reason) => socket.close(code, reason),
  };
}

/** readyState values, the same in every implementation. */
export const OPEN = 1;
export const CLOSED = 3;
