import type { Logger } from 'pino';
import { DEFAULT_MAX_TOKEN_TTL_SECONDS } from './auth';
import type { Engine, HistoryLimits } from './engine';
import type { MemoryLimits } from './memory-engine';
import { DEFAULT_URGENT_MS } from './output-batcher';

export interface HubOptions {
  /**
   * HS256 secret (≥ 32 bytes) for tokens without a `kid` header. Required
   * unless `keys` is given; leave it out once every kid-less token has expired.
   */
  secret?: string | Uint8Array;
  /**
   * More secrets, each under a key id: a token whose header has `kid` is
   * verified with that key only (key rotation). The last one signs the hub's
   * own tokens (`hub.signToken`). Default: none.
   */
  keys?: Array<{ kid: string; secret: string | Uint8Array }>;
  /**
   * Longest token lifetime accepted, in ms: `exp − iat` (or `exp − now` without
   * `iat`) above it is refused with reason `lifetime`. Default 30 days.
   */
  maxTokenTtlMs?: number;
  /** Accept tokens without `exp` (`falcon token --ttl never`). Default false: they are refused (`no-expiry`). */
  allowNonExpiringTokens?: boolean;
  /** When set, tokens must carry an `aud` naming one of these. Default: `aud` is not checked. */
  tokenAudience?: string[];
  /** When set, tokens must carry an `iss` that is one of these. Default: `iss` is not checked. */
  tokenIssuer?: string[];
  /** Path of the WebSocket endpoint; upgrades on other paths are left alone. Default `/ws`. */
  path?: string;
  /** Where history, snapshots and tails live. Default: a new in-memory engine. */
  engine?: Engine;
  /** History per channel for the default in-memory engine. Default 1000 events, 8 MiB, 10 min. */
  history?: Partial<HistoryLimits>;
  /**
   * The default in-memory engine's other bounds: total history bytes (256 MiB),
   * channels kept (100 000), agent tails (5000 lines and 2 MiB each, 64 MiB in
   * all), and the retention of finished issues and quiet agents (24 h). See
   * docs/hub.md, "Memory budget".
   */
  memory?: MemoryLimits;
  /**
   * Agent output batching: flush every `intervalMs` (100) or at `maxBytes` (256 KiB); an agent a
   * subscriber marked urgent every `urgentMs` (8), or at once after a quiet spell.
   */
  outputBatch?: { intervalMs?: number; urgentMs?: number; maxBytes?: number };
  /** Largest accepted client frame in bytes; larger closes with 1009. Default 64 KiB. */
  maxPayload?: number;
  /** Subscriptions per connection. Default 256. */
  maxSubscriptions?: number;
  /** Per-connection token bucket. Default 20 messages/s, burst 40, closed after 5 s of abuse. */
  rateLimit?: { perSecond?: number; burst?: number; abuseMs?: number };
  /** Browser origins allowed to connect; others get 403. Default: any (non-browser clients send none). */
  allowedOrigins?: string[];
  /** Protocol ping interval; a peer that missed the previous pong is terminated. Default 30 s. */
  heartbeatMs?: number;
  /** How long a pinged peer has to answer before it is terminated. Default 5 s (dead peers go within 35 s). */
  pongTimeoutMs?: number;
  /** Unsent bytes per client before it is closed with 4008 "slow consumer". Default 1 MiB. */
  maxBufferedBytes?: number;
  /**
   * How long a subscriber lagging on an agent channel (its live output held
   * back, docs/hub.md "Slow consumers") may go without its send buffer
   * draining to a quarter of `maxBufferedBytes` before it is closed with 4008
   * as a client that stopped reading. Default 5 s.
   */
  lagStallMs?: number;
  /** SSE keep-alive comment interval. Default 15 s. */
  sseKeepAliveMs?: number;
  /** Largest HTTP API body. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Directory of the web edition to serve at `/` (e.g. `out/renderer`). Default: none. */
  webRoot?: string;
  /** Structured logger (pino). Default: silent. */
  logger?: Logger;
  /** Collect Node's default process metrics in `/metrics`. Default false (the CLI turns it on). */
  processMetrics?: boolean;
  /**
   * Open WebSocket connections per token (a token is identified by a SHA-256
   * of its string, not by its user); more get 429 `too_many_connections`.
   * Default 64. `Infinity` turns the cap off.
   */
  maxConnectionsPerToken?: number;
  /** Open WebSocket connections per remote address (a proxy in front counts as one). Default 256. */
  maxConnectionsPerAddress?: number;
  /** Open SSE streams per token. Default 32. */
  maxSseStreamsPerToken?: number;
  /** Open SSE streams per remote address. Default 128. */
  maxSseStreamsPerAddress?: number;
  /**
   * Per-token token bucket for HTTP publishing (`POST /api/publish` and
   * `/api/agents/:id/output`); refusals get 429 `rate_limited` with
   * `Retry-After`. Default 200 requests/s, burst 400.
   */
  httpRateLimit?: { perSecond?: number; burst?: number };
  /**
   * Bearer token `GET /metrics` requires, and that `/healthz` needs before it
   * tells more than `{ok}`. Default: none.
   */
  metricsToken?: string;
  /**
   * Whether the request handler serves `/metrics` (open, or behind
   * `metricsToken`). Default true; `startHub` turns it off on a non-loopback
   * host without a metrics token, or when metrics have their own listener.
   */
  serveMetrics?: boolean;
}

export interface ResolvedHubOptions {
  path: string;
  outputBatch: { intervalMs: number; urgentMs: number; maxBytes: number };
  maxPayload: number;
  maxSubscriptions: number;
  rateLimit: { perSecond: number; burst: number; abuseMs: number };
  allowedOrigins: string[] | null;
  heartbeatMs: number;
  pongTimeoutMs: number;
  maxBufferedBytes: number;
  lagStallMs: number;
  sseKeepAliveMs: number;
  maxBodyBytes: number;
  webRoot: string | null;
  maxConnectionsPerToken: number;
  maxConnectionsPerAddress: number;
  maxSseStreamsPerToken: number;
  maxSseStreamsPerAddress: number;
  httpRateLimit: { perSecond: number; burst: number };
  metricsToken: string | null;
  serveMetrics: boolean;
  maxTokenTtlMs: number;
  allowNonExpiringTokens: boolean;
  tokenAudience: string[] | null;
  tokenIssuer: string[] | null;
}

/**
 * Every per-token and per-address cap and the HTTP publishing rate limit
 * lifted: for a hub whose clients are already capped by something in front
 * of it, and for load tests and benchmarks, where thousands of connections
 * from one address with one token are the load being measured.
 */
export const NO_CONNECTION_LIMITS = {
  maxConnectionsPerToken: Number.POSITIVE_INFINITY,
  maxConnectionsPerAddress: Number.POSITIVE_INFINITY,
  maxSseStreamsPerToken: Number.POSITIVE_INFINITY,
  maxSseStreamsPerAddress: Number.POSITIVE_INFINITY,
  httpRateLimit: { perSecond: 1e9, burst: 1e9 },
} as const satisfies Partial<HubOptions>;

export function resolveOptions(options: HubOptions): ResolvedHubOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('Hub options must be an object');
  const resolved: ResolvedHubOptions = {
    path: options.path ?? '/ws',
    outputBatch: { intervalMs: 100, urgentMs: DEFAULT_URGENT_MS, maxBytes: 256 * 1024, ...options.outputBatch },
    maxPayload: options.maxPayload ?? 64 * 1024,
    maxSubscriptions: options.maxSubscriptions ?? 256,
    rateLimit: { perSecond: 20, burst: 40, abuseMs: 5000, ...options.rateLimit },
    allowedOrigins: options.allowedOrigins ?? null,
    heartbeatMs: options.heartbeatMs ?? 30_000,
    pongTimeoutMs: options.pongTimeoutMs ?? 5_000,
    maxBufferedBytes: options.maxBufferedBytes ?? 1024 * 1024,
    lagStallMs: options.lagStallMs ?? 5_000,
    sseKeepAliveMs: options.sseKeepAliveMs ?? 15_000,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    webRoot: options.webRoot ?? null,
    maxConnectionsPerToken: options.maxConnectionsPerToken ?? 64,
    maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? 256,
    maxSseStreamsPerToken: options.maxSseStreamsPerToken ?? 32,
    maxSseStreamsPerAddress: options.maxSseStreamsPerAddress ?? 128,
    httpRateLimit: { perSecond: 200, burst: 400, ...options.httpRateLimit },
    metricsToken: options.metricsToken ?? null,
    serveMetrics: options.serveMetrics ?? true,
    maxTokenTtlMs: options.maxTokenTtlMs ?? DEFAULT_MAX_TOKEN_TTL_SECONDS * 1000,
    allowNonExpiringTokens: options.allowNonExpiringTokens === true,
    tokenAudience: claimValues('tokenAudience', options.tokenAudience),
    tokenIssuer: claimValues('tokenIssuer', options.tokenIssuer),
  };
  if (!resolved.path.startsWith('/')) throw new TypeError('The path option must start with "/"');
  positive('outputBatch.intervalMs', resolved.outputBatch.intervalMs);
  positive('outputBatch.urgentMs', resolved.outputBatch.urgentMs);
  positive('outputBatch.maxBytes', resolved.outputBatch.maxBytes);
  positive('maxPayload', resolved.maxPayload);
  positive('maxSubscriptions', resolved.maxSubscriptions);
  positive('rateLimit.perSecond', resolved.rateLimit.perSecond);
  positive('rateLimit.burst', resolved.rateLimit.burst);
  positive('rateLimit.abuseMs', resolved.rateLimit.abuseMs);
  positive('heartbeatMs', resolved.heartbeatMs);
  positive('pongTimeoutMs', resolved.pongTimeoutMs);
  if (resolved.pongTimeoutMs >= resolved.heartbeatMs)
    throw new RangeError('The pongTimeoutMs option must be less than heartbeatMs');
  positive('maxBufferedBytes', resolved.maxBufferedBytes);
  positive('lagStallMs', resolved.lagStallMs);
  positive('sseKeepAliveMs', resolved.sseKeepAliveMs);
  positive('maxBodyBytes', resolved.maxBodyBytes);
  cap('maxConnectionsPerToken', resolved.maxConnectionsPerToken);
  cap('maxConnectionsPerAddress', resolved.maxConnectionsPerAddress);
  cap('maxSseStreamsPerToken', resolved.maxSseStreamsPerToken);
  cap('maxSseStreamsPerAddress', resolved.maxSseStreamsPerAddress);
  positive('httpRateLimit.perSecond', resolved.httpRateLimit.perSecond);
  positive('httpRateLimit.burst', resolved.httpRateLimit.burst);
  if (resolved.metricsToken !== null && (typeof resolved.metricsToken !== 'string' || resolved.metricsToken === ''))
    throw new TypeError('The metricsToken option must be a non-empty string');
  positive('maxTokenTtlMs', resolved.maxTokenTtlMs);
  return resolved;
}

/** A cap is a positive whole number, or Infinity for none. */
function cap(name: string, value: number): void {
  if (value === Number.POSITIVE_INFINITY) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new RangeError(`The ${name} option must be a positive integer or Infinity`);
  }
}

function claimValues(name: string, values: string[] | undefined): string[] | null {
  if (values === undefined) return null;
  if (!Array.isArray(values) || values.length === 0 || values.some((v) => typeof v !== 'string' || v === '')) {
    throw new TypeError(`The ${name} option must be a non-empty array of non-empty strings`);
  }
  return [...values];
}

function positive(name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`The ${name} option must be a positive number`);
  }
}
