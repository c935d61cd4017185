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
      // A full second without refusals ends an episode of abuse.
      if (this.abuseSince !== null && now - this.lastRefusedAt > 1000) this.abuseSince = null;
      return { ok: true, abusive: false };
    }
    if (this.abuseSince === null || now - this.lastRefusedAt > 1000) this.abuseSince = now;
    this.lastRefusedAt = now;
    return { ok: false, abusive: now - this.abuseSince >= this.abuseMs };
  }
}
