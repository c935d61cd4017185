import { type BackoffOptions, DEFAULT_BACKOFF } from './backoff';
import { DEFAULT_OUTPUT_TAIL, type OutputTailLimits } from './channel-store';
import { DEFAULT_DELIVERY_BATCH, type DeliveryBatcherOptions } from './delivery-batcher';
import type { WebSocketFactory } from './websocket-like';

export interface ConnectionOptions {
  /** Hub WebSocket URLs (`ws://host:3002/ws`); the next is tried after a failure. */
  urls: string | string[];
  token?: string | null;
  /**
   * Creates a socket: `(url) => new WebSocket(url)` in a browser; in Node,
   * `(url) => nodeWebSocket(new WebSocket(url))` with `ws`, so a refused
   * upgrade is told apart by its HTTP status.
   */
  createWebSocket: WebSocketFactory;
  backoff?: Partial<BackoffOptions>;
  /** A connection that stayed up this long resets the backoff (default 10 s). */
  resetAfterMs?: number;
  /** Give up on an attempt that has not opened in this long (default 10 s). */
  connectTimeoutMs?: number;
  /** Send an application ping this often (default 25 s)… */
  pingIntervalMs?: number;
  /** …and declare the connection dead when nothing arrives this long after it (default 10 s). */
  pongTimeoutMs?: number;
  /** After an auth failure, retry this rarely unless the token changes (default 60 s). */
  authRetryMs?: number;
  /** An input the hub has not answered in this long is `no_answer` (default 15 s: the hub's handler deadline is 10 s). */
  inputAnswerTimeoutMs?: number;
  batch?: Partial<DeliveryBatcherOptions>;
  /** Output kept per subscribed agent channel (`connection.store`), or false to keep none (default 2000 lines / 1 MiB). */
  outputTail?: Partial<OutputTailLimits> | false;
  /**
   * Browsers hide a refused upgrade's HTTP status. When an attempt fails before
   * opening, this is asked whether the token was the reason.
   */
  probeAuth?: (url: string, token: string | null) => Promise<'ok' | 'unauthorized' | 'unknown'>;
  random?: () => number;
  now?: () => number;
}

/** The options with every default filled in, checked once when the connection is made. */
export interface ResolvedConnectionOptions {
  urls: string[];
  token: string | null;
  createWebSocket: WebSocketFactory;
  backoff: BackoffOptions;
  resetAfterMs: number;
  connectTimeoutMs: number;
  pingIntervalMs: number;
  pongTimeoutMs: number;
  authRetryMs: number;
  inputAnswerTimeoutMs: number;
  batch: DeliveryBatcherOptions;
  outputTail: OutputTailLimits | null;
  probeAuth: ConnectionOptions['probeAuth'] | null;
  random: () => number;
  now: () => number;
}

/**
 * How long an input waits for the hub's answer by default: the hub gives its
 * handler 10 s (INPUT_HANDLER_TIMEOUT_MS) and then answers itself, so past
 * this the hub is not answering at all.
 */
export const INPUT_ANSWER_TIMEOUT_MS = 15_000;

/** Longest timer a runtime accepts (setTimeout clamps longer delays to 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Fills in the defaults and rejects what cannot work (a TypeError or RangeError naming the option). */
export function resolveConnectionOptions(options: ConnectionOptions): ResolvedConnectionOptions {
  const urls = Array.isArray(options.urls) ? [...options.urls] : [options.urls];
  if (urls.length === 0) throw new TypeError('At least one hub URL is required');
  for (const url of urls) {
    if (typeof url !== 'string' || !/^wss?:\/\/[^/]/i.test(url)) {
      throw new TypeError(`Hub URLs must be ws:// or wss:// URLs, got ${JSON.stringify(url)}`);
    }
  }
  if (typeof options.createWebSocket !== 'function') throw new TypeError('createWebSocket must be a function');
  const backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
  const batch = { ...DEFAULT_DELIVERY_BATCH, ...options.batch };
  const outputTail = options.outputTail === false ? null : { ...DEFAULT_OUTPUT_TAIL, ...options.outputTail };
  const resolved: ResolvedConnectionOptions = {
    urls,
    token: options.token ?? null,
    createWebSocket: options.createWebSocket,
    backoff: {
      initialDelayMs: duration('backoff.initialDelayMs', backoff.initialDelayMs, 0),
      maxDelayMs: duration('backoff.maxDelayMs', backoff.maxDelayMs, 0),
    },
    resetAfterMs: duration('resetAfterMs', options.resetAfterMs ?? 10_000, 1),
    connectTimeoutMs: duration('connectTimeoutMs', options.connectTimeoutMs ?? 10_000, 1),
    pingIntervalMs: duration('pingIntervalMs', options.pingIntervalMs ?? 25_000, 1),
    pongTimeoutMs: duration('pongTimeoutMs', options.pongTimeoutMs ?? 10_000, 1),
    authRetryMs: duration('authRetryMs', options.authRetryMs ?? 60_000, 1),
    inputAnswerTimeoutMs: duration('inputAnswerTimeoutMs', options.inputAnswerTimeoutMs ?? INPUT_ANSWER_TIMEOUT_MS, 1),
    batch: {
      flushMs: duration('batch.flushMs', batch.flushMs, 0),
      maxBytes: whole('batch.maxBytes', batch.maxBytes, 1),
      joinOutput: Boolean(batch.joinOutput),
    },
    outputTail: outputTail && {
      lines: whole('outputTail.lines', outputTail.lines, 1),
      chars: whole('outputTail.chars', outputTail.chars, 2),
    },
    probeAuth: options.probeAuth ?? null,
    random: options.random ?? Math.random,
    now: options.now ?? Date.now,
  };
  if (resolved.backoff.maxDelayMs < resolved.backoff.initialDelayMs) {
    throw new RangeError('backoff.maxDelayMs must be at least backoff.initialDelayMs');
  }
  return resolved;
}

function duration(name: string, value: number, min: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > MAX_TIMER_MS) {
    throw new RangeError(`${name} must be a number of milliseconds from ${min} to ${MAX_TIMER_MS}, got ${value}`);
  }
  return value;
}

function whole(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new RangeError(`${name} must be a whole number, ${min} or more, got ${value}`);
  }
  return value;
}
