import type { Logger } from 'pino';
import { DEFAULT_MAX_TOKEN_TTL_SECONDS } from './auth';
import type { Engine, HistoryLimits } from './engine';

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
  /** History per channel for the default in-memory engine. Default 1000 events, 10 min. */
  history?: Partial<HistoryLimits>;
  /** Agent output batching: flush every `intervalMs` (100) or at `maxBytes` (256 KiB). */
  outputBatch?: { intervalMs?: number; maxBytes?: number };
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
}

export interface ResolvedHubOptions {
  path: string;
  outputBatch: { intervalMs: number; maxBytes: number };
  maxPayload: number;
  maxSubscriptions: number;
  rateLimit: { perSecond: number; burst: number; abuseMs: number };
  allowedOrigins: string[] | null;
  heartbeatMs: number;
  pongTimeoutMs: number;
  maxBufferedBytes: number;
  sseKeepAliveMs: number;
  maxBodyBytes: number;
  webRoot: string | null;
  maxTokenTtlMs: number;
  allowNonExpiringTokens: boolean;
  tokenAudience: string[] | null;
  tokenIssuer: string[] | null;
}

export function resolveOptions(options: HubOptions): ResolvedHubOptions {
  if (options === null || typeof options !== 'object') throw new TypeError('Hub options must be an object');
  const resolved: ResolvedHubOptions = {
    path: options.path ?? '/ws',
    outputBatch: { intervalMs: 100, maxBytes: 256 * 1024, ...options.outputBatch },
    maxPayload: options.maxPayload ?? 64 * 1024,
    maxSubscriptions: options.maxSubscriptions ?? 256,
    rateLimit: { perSecond: 20, burst: 40, abuseMs: 5000, ...options.rateLimit },
    allowedOrigins: options.allowedOrigins ?? null,
    heartbeatMs: options.heartbeatMs ?? 30_000,
    pongTimeoutMs: options.pongTimeoutMs ?? 5_000,
    maxBufferedBytes: options.maxBufferedBytes ?? 1024 * 1024,
    sseKeepAliveMs: options.sseKeepAliveMs ?? 15_000,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    webRoot: options.webRoot ?? null,
    maxTokenTtlMs: options.maxTokenTtlMs ?? DEFAULT_MAX_TOKEN_TTL_SECONDS * 1000,
    allowNonExpiringTokens: options.allowNonExpiringTokens === true,
    tokenAudience: claimValues('tokenAudience', options.tokenAudience),
    tokenIssuer: claimValues('tokenIssuer', options.tokenIssuer),
  };
  if (!resolved.path.startsWith('/')) throw new TypeError('The path option must start with "/"');
  positive('outputBatch.intervalMs', resolved.outputBatch.intervalMs);
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
  positive('sseKeepAliveMs', resolved.sseKeepAliveMs);
  positive('maxBodyBytes', resolved.maxBodyBytes);
  positive('maxTokenTtlMs', resolved.maxTokenTtlMs);
  return resolved;
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
