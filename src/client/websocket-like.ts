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

/** readyState values, the same in every implementation. */
export const OPEN = 1;
export const CLOSED = 3;
