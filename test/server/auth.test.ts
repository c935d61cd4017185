import { describe, expect, it } from 'vitest';
import { mayAccess, parseDuration, secretKey, signToken, verifyToken } from '../../src/server/auth';
import { TokenBucket } from '../../src/server/rate-limiter';

const key = secretKey('k'.repeat(32));

describe('tokens', () => {
  it('round-trips the claims', async () => {
    const jwt = await signToken({ user: 'ana', channels: ['project:*'], publish: true, ttlSeconds: 60 }, key);
    const principal = await verifyToken(jwt, key);
    expect(principal).toMatchObject({ user: 'ana', channels: ['project:*'], publish: true });
    expect(principal.expiresAt).toBeGreaterThan(Date.now());
  });

  it.each([
    ['missing', undefined],
    ['invalid', 'not.a.jwt'],
  ])('rejects a %s token', async (reason, value) => {
    await expect(verifyToken(value, key)).rejects.toMatchObject({ reason });
  });

  it('rejects a token signed with another secret, and an expired one', async () => {
    const other = await signToken({ user: 'x', channels: ['*'] }, secretKey('o'.repeat(32)));
    await expect(verifyToken(other, key)).rejects.toMatchObject({ reason: 'invalid' });
    const expired = await signToken({ user: 'x', channels: ['*'], ttlSeconds: -10 }, key);
    await expect(verifyToken(expired, key)).rejects.toMatchObject({ reason: 'expired' });
  });

  it('refuses a secret shorter than 32 bytes', () => {
    expect(() => secretKey('short')).toThrow(RangeError);
  });
});

describe('mayAccess', () => {
  const principal = { user: 'u', channels: ['project:*', 'agent:opus-1', 'issue:1?'], publish: false, expiresAt: null };
  it.each([
    ['project:web', true],
    ['agent:opus-1', true],
    ['agent:opus-12', false],
    ['issue:1', false],
    ['issue:1?', true],
  ] as const)('%s → %s', (channel, allowed) => {
    expect(mayAccess(principal, channel as `issue:${string}`)).toBe(allowed);
  });
});

describe('parseDuration', () => {
  it.each([
    ['90', 90],
    ['90s', 90],
    ['15m', 900],
    ['24h', 86_400],
    ['7d', 604_800],
    ['0', null],
    ['1w', null],
    ['abc', null],
  ])('%s → %s', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds);
  });
});

describe('TokenBucket', () => {
  it('allows a burst, then the rate, and flags sustained abuse', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 5, 2000, () => now);
    const burst = Array.from({ length: 6 }, () => bucket.take().ok);
    expect(burst).toEqual([true, true, true, true, true, false]);
    now += 100;
    expect(bucket.take().ok).toBe(true);
    let abusive = false;
    for (let t = 0; t < 3000 && !abusive; t += 1) {
      now += 1;
      abusive = bucket.take().abusive;
    }
    expect(abusive).toBe(true);
  });

  it('forgives a client that calms down for a second', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 1, 500, () => now);
    bucket.take();
    expect(bucket.take().ok).toBe(false);
    now += 1500;
    expect(bucket.take()).toEqual({ ok: true, abusive: false });
    now += 1;
    expect(bucket.take()).toEqual({ ok: false, abusive: false });
  });
});
