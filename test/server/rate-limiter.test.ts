import { describe, expect, it } from 'vitest';
import { KeyedTokenBuckets } from '../../src/server/rate-limiter';

describe('KeyedTokenBuckets', () => {
  it('gives every key its own burst, and says when to retry', () => {
    let now = 0;
    const buckets = new KeyedTokenBuckets(2, 2, () => now);

    expect([buckets.take('a').ok, buckets.take('a').ok]).toEqual([true, true]);
    expect(buckets.take('a')).toEqual({ ok: false, retryAfterMs: 500 });
    expect(buckets.take('b').ok).toBe(true);
    now += 500;
    expect(buckets.take('a').ok).toBe(true);
  });

  it('drops the buckets of keys idle long enough to have refilled', () => {
    let now = 0;
    const buckets = new KeyedTokenBuckets(10, 10, () => now);
    for (let key = 0; key < 100; key++) buckets.take(String(key));
    expect(buckets.size).toBe(100);

    now += 1000;
    buckets.take('fresh');

    expect(buckets.size).toBe(1);
  });
});
