/**
 * A token bucket per connection: `rate` tokens a second, at most `burst`
 * saved up. It also tracks sustained abuse: being refused again and again for
 * `abuseMs` with no quiet second in between.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private abuseSince: number | null = null;
  private lastRefusedAt = 0;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly abuseMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.updatedAt = now();
  }

  /** Takes one token. `ok` when allowed; `abusive` once refusals have lasted `abuseMs`. */
  take(): { ok: boolean; abusive: boolean } {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) * this.rate) / 1000);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true, abusive: false };
    }
    // A full second without refusals ends an episode of abuse (whether tokens were taken in it or not).
    if (this.abuseSince === null || now - this.lastRefusedAt > 1000) this.abuseSince = now;
    this.lastRefusedAt = now;
    return { ok: false, abusive: now - this.abuseSince >= this.abuseMs };
  }
}

/**
 * One token bucket per key (the HTTP API keys them by token). A bucket left
 * alone long enough to refill is the same as a new one, so those are dropped:
 * memory follows the keys active in the last `burst / rate` seconds.
 */
export class KeyedTokenBuckets {
  private readonly buckets = new Map<string, { bucket: TokenBucket; usedAt: number }>();
  private sweptAt: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.sweptAt = now();
  }

  /** Takes one token from `key`'s bucket; when refused, `retryAfterMs` says when the next one is due. */
  take(key: string): { ok: boolean; retryAfterMs: number } {
    const now = this.now();
    const refillMs = (this.burst / this.rate) * 1000;
    if (now - this.sweptAt >= refillMs) {
      this.sweptAt = now;
      for (const [k, entry] of this.buckets) if (now - entry.usedAt >= refillMs) this.buckets.delete(k);
    }
    let entry = this.buckets.get(key);
    if (!entry) {
      // Abuse closes are a WebSocket notion; here every refusal is answered 429.
      entry = { bucket: new TokenBucket(this.rate, this.burst, Number.POSITIVE_INFINITY, this.now), usedAt: now };
      this.buckets.set(key, entry);
    }
    entry.usedAt = now;
    const { ok } = entry.bucket.take();
    return { ok, retryAfterMs: ok ? 0 : Math.ceil(1000 / this.rate) };
  }

  /** Keys with a bucket (for tests: the map must not grow without bound). */
  get size(): number {
    return this.buckets.size;
  }
}
