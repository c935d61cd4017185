/**
 * Exponential backoff with full jitter (AWS, centrifuge-js): the n-th retry
 * waits a random time in [0, min(max, initial · 2ⁿ)], so a hub restart does
 * not bring every client back in the same millisecond.
 */
export interface BackoffOptions {
  /** Upper bound of the first retry's delay (default 1 s). */
  initialDelayMs: number;
  /** Cap on any delay (default 30 s). */
  maxDelayMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialDelayMs: 1000, maxDelayMs: 30_000 };

export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
