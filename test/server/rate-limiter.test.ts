import { describe, expect, it } from 'vitest';
import { KeyedTokenBuckets, TokenBucket } from '../../src/server/rate-limiter';

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

  it('sweeps at most once per refill time, and keeps buckets used within it', () => {
    let now = 0;
    // burst / rate = 1 s.
    const buckets = new KeyedTokenBuckets(2, 2, () => now);
    buckets.take('old');
    now = 999;
    buckets.take('recent');
    expect(buckets.size).toBe(2);

    now = 1_000; // a sweep is due: 'old' is 1000 ms idle, 'recent' 1 ms
    buckets.take('x');
    expect(buckets.size).toBe(2);

    now = 1_999; // 'recent' is 1000 ms idle, but the last sweep was 999 ms ago: no sweep yet
    buckets.take('y');
    expect(buckets.size).toBe(3);

    now = 2_000; // a sweep: 'recent' (1001 ms) and 'x' (1000 ms) go, 'y' (1 ms) stays
    buckets.take('z');
    expect(buckets.size).toBe(2);
  });

  it('keeps using one bucket per key, so its refusals persist', () => {
    let now = 0;
    const buckets = new KeyedTokenBuckets(1, 1, () => now);
    buckets.take('a');
    now = 500;
    expect(buckets.take('a')).toEqual({ ok: false, retryAfterMs: 1000 });
    now = 999;
    expect(buckets.take('a').ok).toBe(false);
    expect(buckets.size).toBe(1);
  });

  it('never calls a refusal abusive: every refusal is just a 429', () => {
    let now = 0;
    const buckets = new KeyedTokenBuckets(1, 1, () => now);
    buckets.take('a');
    for (now = 0; now < 1_000; now += 100) expect(buckets.take('a')).toEqual({ ok: false, retryAfterMs: 1000 });
  });

  it('rounds the retry up to a whole millisecond', () => {
    const buckets = new KeyedTokenBuckets(3, 1, () => 0);
    buckets.take('a');
    expect(buckets.take('a')).toEqual({ ok: false, retryAfterMs: 334 });
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then one take per 1/rate seconds', () => {
    let now = 0;
    const bucket = new TokenBucket(4, 2, 10_000, () => now);

    expect([bucket.take().ok, bucket.take().ok, bucket.take().ok]).toEqual([true, true, false]);
    now += 249;
    expect(bucket.take().ok).toBe(false);
    now += 1;
    expect(bucket.take().ok).toBe(true);
  });

  it('saves up at most the burst however long it waits', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 3, 10_000, () => now);
    for (let i = 0; i < 3; i++) bucket.take();
    now += 60_000;

    const taken = Array.from({ length: 5 }, () => bucket.take().ok);

    expect(taken).toEqual([true, true, true, false, false]);
  });

  it('starts full', () => {
    const bucket = new TokenBucket(1, 1, 10_000, () => 0);
    expect(bucket.take()).toEqual({ ok: true, abusive: false });
    expect(bucket.take()).toEqual({ ok: false, abusive: false });
  });

  it('calls refusals abusive once they have lasted abuseMs without a quiet second', () => {
    let now = 0;
    // rate 0.5: a token every 2 s, so refusals every 900 ms stay one episode.
    const bucket = new TokenBucket(0.5, 1, 2_000, () => now);
    bucket.take();
    const abusive: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      abusive.push(bucket.take().abusive);
      now += 900;
    }
    // Taken at 0, 900 and 1800 ms: the episode began at 0. At 2700 ms a token is due again.
    expect(abusive).toEqual([false, false, false]);
    now = 1_999;
    expect(bucket.take()).toEqual({ ok: false, abusive: false });
    now = 2_000;
    expect(bucket.take()).toEqual({ ok: true, abusive: false });
  });

  it('counts abuse from the first refusal, and reports it at exactly abuseMs', () => {
    let now = 0;
    const bucket = new TokenBucket(0.1, 1, 1_500, () => now);
    bucket.take();
    expect(bucket.take()).toEqual({ ok: false, abusive: false });
    now = 1_000;
    expect(bucket.take()).toEqual({ ok: false, abusive: false });
    now = 1_499;
    expect(bucket.take().abusive).toBe(false);
    now = 1_500;
    expect(bucket.take()).toEqual({ ok: false, abusive: true });
  });

  it('starts a new episode after a gap of more than a second between refusals', () => {
    let now = 0;
    const bucket = new TokenBucket(0.01, 1, 1_500, () => now);
    bucket.take();
    bucket.take(); // refused at 0: the episode starts
    now = 1_000;
    bucket.take(); // 1 s after the last refusal: the same episode
    now = 2_001;
    // 1001 ms since the last refusal: a new episode, from 2001.
    expect(bucket.take().abusive).toBe(false);
    now = 3_000;
    expect(bucket.take().abusive).toBe(false);
    now = 3_501;
    expect(bucket.take().abusive).toBe(true);
  });

  it('keeps the episode at exactly one second between refusals', () => {
    let now = 0;
    const bucket = new TokenBucket(0.01, 1, 2_000, () => now);
    bucket.take();
    bucket.take(); // refused at 0
    now = 1_000;
    bucket.take();
    now = 2_000;
    expect(bucket.take().abusive).toBe(true);
  });

  it('ends an episode when a token is taken after a quiet second', () => {
    let now = 0;
    const bucket = new TokenBucket(1, 1, 1_500, () => now);
    bucket.take();
    bucket.take(); // refused at 0: the episode starts
    now = 1_001; // a token is due, and the last refusal was more than a second ago
    expect(bucket.take().ok).toBe(true);
    expect(bucket.take()).toEqual({ ok: false, abusive: false }); // a new episode from 1001
    now = 1_600; // 1600 ms after the first episode began, 599 after this one
    expect(bucket.take()).toEqual({ ok: false, abusive: false });
  });

  it('keeps an episode when a token is taken within a second of the last refusal', () => {
    let now = 0;
    const bucket = new TokenBucket(1, 1, 1_500, () => now);
    bucket.take();
    bucket.take(); // refused at 0: the episode starts
    now = 500;
    bucket.take(); // refused again
    now = 1_500; // a token is due, exactly a second after the last refusal
    expect(bucket.take().ok).toBe(true);
    expect(bucket.take()).toEqual({ ok: false, abusive: true });
  });

  it('starts the first episode at the first refusal, whatever the clock reads', () => {
    let now = 500;
    const bucket = new TokenBucket(0.01, 1, 1_500, () => now);
    bucket.take();
    const abusive: boolean[] = [];
    for (; now <= 1_700; now += 300) abusive.push(bucket.take().abusive);
    // Refused at 500 … 1700: 1200 ms of refusals, less than abuseMs.
    expect(abusive).toEqual([false, false, false, false, false]);
    now = 2_000;
    expect(bucket.take().abusive).toBe(true);
  });
});
