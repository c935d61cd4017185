import type { HubOptions } from '../../src/server/index';

/**
 * Benchmarks open thousands of connections from 127.0.0.1 with one token:
 * that is the load being measured, so the hub's per-token and per-address
 * caps and its HTTP publishing rate limit are lifted.
 */
export const BENCH_LIMITS = {
  maxConnectionsPerToken: Number.POSITIVE_INFINITY,
  maxConnectionsPerAddress: Number.POSITIVE_INFINITY,
  maxSseStreamsPerToken: Number.POSITIVE_INFINITY,
  maxSseStreamsPerAddress: Number.POSITIVE_INFINITY,
  httpRateLimit: { perSecond: 1e9, burst: 1e9 },
} satisfies Partial<HubOptions>;
