import { randomUUID } from 'node:crypto';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  AuthError,
  DEFAULT_MAX_TOKEN_TTL_SECONDS,
  DEFAULT_TOKEN_TTL_SECONDS,
  KeyRing,
  isKeyId,
  mayAccess,
  parseDuration,
  secretKey,
  signToken,
  verifyToken,
} from '../../src/server/auth';
import { TokenBucket } from '../../src/server/rate-limiter';

// Raw bytes, not secretKey(): a broken secretKey must fail a test, not the loading of this file.
const key = new TextEncoder().encode('k'.repeat(32));

describe('tokens', () => {
  it('round-trips the claims', async () => {
    const jwt = await signToken({ user: 'ana', channels: ['project:*'], publish: true, ttlSeconds: 60 }, key);
    const principal = await verifyToken(jwt, key);
    expect(principal).toMatchObject({ user: 'ana', channels: ['project:*'], publish: true });
    expect(principal.expiresAt).toBeGreaterThan(Date.now());
  });

  it.each([
    ['missing', undefined, /no token/],
    ['missing', '', /no token/],
    ['invalid', 'not.a.jwt', /invalid token/],
  ])('rejects a %s token (%j)', async (reason, value, message) => {
    const error = await verifyToken(value, key).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ name: 'AuthError', reason, message: expect.stringMatching(message) });
  });

  it('rejects a token signed with another secret, and an expired one', async () => {
    const other = await signToken({ user: 'x', channels: ['*'] }, secretKey('o'.repeat(32)));
    await expect(verifyToken(other, key)).rejects.toMatchObject({ reason: 'invalid' });
    const expired = await signToken({ user: 'x', channels: ['*'], ttlSeconds: -10 }, key);
    await expect(verifyToken(expired, key)).rejects.toMatchObject({ reason: 'expired', message: 'token expired' });
  });

  it('refuses a secret shorter than 32 bytes', () => {
    expect(() => secretKey('short')).toThrow(RangeError);
    expect(() => secretKey('short')).toThrow(/at least 32 bytes/);
    expect(() => secretKey('k'.repeat(31))).toThrow(RangeError);
    expect(secretKey('k'.repeat(32))).toHaveLength(32);
    const bytes = new Uint8Array(32).fill(7);
    expect(secretKey(bytes)).toBe(bytes);
  });

  it('accepts HS256 only, even with the right key', async () => {
    for (const alg of ['HS384', 'HS512']) {
      const jwt = await new SignJWT({ channels: ['*'] })
        .setProtectedHeader({ alg })
        .setSubject('mallory')
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(key);
      await expect(verifyToken(jwt, key)).rejects.toMatchObject({ reason: 'invalid' });
    }
  });

  it('reports the expiry in ms and publish only when the claim is true', async () => {
    const principal = await verifyToken(await sign({ sub: 'ana', channels: ['a'], exp: NOW + 60 }), key, at(NOW));
    expect(principal).toEqual({ user: 'ana', channels: ['a'], publish: false, expiresAt: (NOW + 60) * 1000 });
    const publisher = await verifyToken(
      await sign({ sub: 'p', channels: [], publish: true, exp: NOW + 1 }),
      key,
      at(NOW),
    );
    expect(publisher.publish).toBe(true);
  });

  it.each([
    ['no sub', { channels: ['*'] }],
    ['an empty sub', { sub: '', channels: ['*'] }],
    ['a sub of 257 characters', { sub: 'u'.repeat(257), channels: ['*'] }],
    ['no channels', { sub: 'x' }],
    ['channels that are not a list', { sub: 'x', channels: '*' }],
    ['an empty channel pattern', { sub: 'x', channels: [''] }],
    ['a channel pattern of 257 characters', { sub: 'x', channels: ['c'.repeat(257)] }],
    ['257 channel patterns', { sub: 'x', channels: Array.from({ length: 257 }, (_, i) => `c${i}`) }],
    ['a channel pattern that is not a string', { sub: 'x', channels: [1] }],
    ['publish as the string "true"', { sub: 'x', channels: ['*'], publish: 'true' }],
    ['publish as 1', { sub: 'x', channels: ['*'], publish: 1 }],
    ['iat that is not a number', { sub: 'x', channels: ['*'], iat: 'now' }],
  ])('rejects a correctly signed token with %s as invalid', async (_case, claims) => {
    await expect(verifyToken(await sign({ ...claims, exp: NOW + 60 }), key, at(NOW))).rejects.toMatchObject({
      reason: 'invalid',
      message: expect.stringMatching(/sub or channels|invalid/),
    });
  });

  it('accepts the longest claims it allows', async () => {
    const claims = { sub: 'u'.repeat(256), channels: Array.from({ length: 256 }, () => 'c'.repeat(256)) };
    const principal = await verifyToken(await sign({ ...claims, exp: NOW + 60 }), key, at(NOW));
    expect(principal.channels).toHaveLength(256);
  });
});

const NOW = 1_800_000_000;
/** A verification policy at a fixed clock (seconds), so lifetimes can be checked to the second. */
const at = (seconds: number, policy: Parameters<typeof verifyToken>[2] = {}) => ({ ...policy, now: seconds * 1000 });

function sign(
  claims: Record<string, unknown>,
  signingKey: Uint8Array = key,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', ...header }).sign(signingKey);
}

describe('token lifetime', () => {
  const day = 86_400;

  it('defaults to a 30-day maximum', () => {
    expect(DEFAULT_MAX_TOKEN_TTL_SECONDS).toBe(30 * day);
  });

  it('accepts exp − iat up to the maximum and refuses one second more, with reason lifetime', async () => {
    const max = 30 * day;
    const ok = await sign({ sub: 'x', channels: ['*'], iat: NOW - 10, exp: NOW - 10 + max });
    await expect(verifyToken(ok, key, at(NOW))).resolves.toMatchObject({ user: 'x' });
    const long = await sign({ sub: 'x', channels: ['*'], iat: NOW - 10, exp: NOW - 10 + max + 1 });
    await expect(verifyToken(long, key, at(NOW))).rejects.toMatchObject({
      reason: 'lifetime',
      message: expect.stringMatching(/lifetime/),
    });
  });

  it('measures the whole lifetime from iat, not what is left of it', async () => {
    // Issued 40 days ago for 41 days: one day left, but it was minted for longer than the maximum.
    const jwt = await sign({ sub: 'x', channels: ['*'], iat: NOW - 40 * day, exp: NOW + day });
    await expect(verifyToken(jwt, key, at(NOW))).rejects.toMatchObject({ reason: 'lifetime' });
  });

  it('measures from now when the token has no iat', async () => {
    const ok = await sign({ sub: 'x', channels: ['*'], exp: NOW + 2 * day });
    await expect(verifyToken(ok, key, at(NOW, { maxTtlSeconds: 2 * day }))).resolves.toMatchObject({ user: 'x' });
    const long = await sign({ sub: 'x', channels: ['*'], exp: NOW + 2 * day + 1 });
    await expect(verifyToken(long, key, at(NOW, { maxTtlSeconds: 2 * day }))).rejects.toMatchObject({
      reason: 'lifetime',
    });
  });

  it('measures from now when iat lies in the future, so a token cannot shorten its own lifetime', async () => {
    const jwt = await sign({ sub: 'x', channels: ['*'], iat: NOW + 365 * day - 60, exp: NOW + 365 * day });
    await expect(verifyToken(jwt, key, at(NOW))).rejects.toMatchObject({ reason: 'lifetime' });
    const fine = await sign({ sub: 'x', channels: ['*'], iat: NOW + 60, exp: NOW + 120 });
    await expect(verifyToken(fine, key, at(NOW, { maxTtlSeconds: 120 }))).resolves.toMatchObject({ user: 'x' });
    await expect(verifyToken(fine, key, at(NOW, { maxTtlSeconds: 119 }))).rejects.toMatchObject({
      reason: 'lifetime',
    });
  });

  it('refuses a token without exp as no-expiry, unless non-expiring tokens are allowed', async () => {
    const jwt = await sign({ sub: 'x', channels: ['*'], iat: NOW });
    await expect(verifyToken(jwt, key, at(NOW))).rejects.toMatchObject({
      reason: 'no-expiry',
      message: expect.stringMatching(/no expiry/),
    });
    await expect(verifyToken(jwt, key, at(NOW, { allowNonExpiring: false }))).rejects.toMatchObject({
      reason: 'no-expiry',
    });
    expect(await verifyToken(jwt, key, at(NOW, { allowNonExpiring: true, maxTtlSeconds: 1 }))).toMatchObject({
      user: 'x',
      expiresAt: null,
    });
  });

  it('still applies the maximum to expiring tokens when non-expiring ones are allowed', async () => {
    const jwt = await sign({ sub: 'x', channels: ['*'], iat: NOW, exp: NOW + 31 * day });
    await expect(verifyToken(jwt, key, at(NOW, { allowNonExpiring: true }))).rejects.toMatchObject({
      reason: 'lifetime',
    });
  });

  it('tells an expired token from one living too long', async () => {
    const jwt = await sign({ sub: 'x', channels: ['*'], iat: NOW - 60, exp: NOW - 1 });
    await expect(verifyToken(jwt, key, at(NOW))).rejects.toMatchObject({ reason: 'expired' });
  });
});

describe('audience and issuer', () => {
  const claims = { sub: 'x', channels: ['*'], exp: NOW + 60 };

  it('ignores aud and iss when the hub checks neither', async () => {
    const jwt = await sign({ ...claims, aud: 'elsewhere', iss: 'someone' });
    await expect(verifyToken(jwt, key, at(NOW))).resolves.toMatchObject({ user: 'x' });
  });

  it.each([
    ['no aud', {}, 'audience'],
    ['another aud', { aud: 'other-hub' }, 'audience'],
    ['an aud list without it', { aud: ['a', 'b'] }, 'audience'],
  ])('refuses a token with %s when an audience is required', async (_case, extra, reason) => {
    const jwt = await sign({ ...claims, ...extra });
    await expect(verifyToken(jwt, key, at(NOW, { audience: ['falcon-hub'] }))).rejects.toMatchObject({
      reason,
      message: expect.stringMatching(/audience/),
    });
  });

  it('accepts an aud that names one of the required audiences', async () => {
    const policy = at(NOW, { audience: ['falcon-hub', 'falcon-staging'] });
    await expect(verifyToken(await sign({ ...claims, aud: 'falcon-staging' }), key, policy)).resolves.toBeTruthy();
    await expect(verifyToken(await sign({ ...claims, aud: ['x', 'falcon-hub'] }), key, policy)).resolves.toBeTruthy();
  });

  it.each([
    ['no iss', {}],
    ['another iss', { iss: 'mallory' }],
  ])('refuses a token with %s when an issuer is required', async (_case, extra) => {
    const jwt = await sign({ ...claims, ...extra });
    await expect(verifyToken(jwt, key, at(NOW, { issuer: 'falcon-pm' }))).rejects.toMatchObject({
      reason: 'issuer',
      message: expect.stringMatching(/issuer/),
    });
  });

  it('accepts the required issuer', async () => {
    const jwt = await sign({ ...claims, iss: 'falcon-pm' });
    await expect(verifyToken(jwt, key, at(NOW, { issuer: ['ci', 'falcon-pm'] }))).resolves.toBeTruthy();
  });

  it('reports another claim failure (nbf) as invalid', async () => {
    const jwt = await sign({ ...claims, aud: 'a', iss: 'b', nbf: NOW + 3600 });
    await expect(verifyToken(jwt, key, at(NOW, { audience: ['a'], issuer: ['b'] }))).rejects.toMatchObject({
      reason: 'invalid',
    });
  });
});

describe('KeyRing', () => {
  const oldSecret = 'o'.repeat(32);
  const newSecret = 'n'.repeat(32);
  const claims = { sub: 'x', channels: ['*'], exp: NOW + 60 };

  it('verifies a token with a kid with that key, and a token without one with the default secret', async () => {
    const ring = new KeyRing(oldSecret, [{ kid: '2026-12', secret: newSecret }]);
    const keyed = await sign(claims, secretKey(newSecret), { kid: '2026-12' });
    const plain = await sign(claims, secretKey(oldSecret));
    await expect(verifyToken(keyed, ring, at(NOW))).resolves.toMatchObject({ user: 'x' });
    await expect(verifyToken(plain, ring, at(NOW))).resolves.toMatchObject({ user: 'x' });
  });

  it('uses the named key only: a kid with another of the hub\u2019s secrets is invalid', async () => {
    const ring = new KeyRing(oldSecret, [
      { kid: 'a', secret: newSecret },
      { kid: 'b', secret: 'b'.repeat(32) },
    ]);
    const wrongKey = await sign(claims, secretKey('b'.repeat(32)), { kid: 'a' });
    await expect(verifyToken(wrongKey, ring, at(NOW))).rejects.toMatchObject({ reason: 'invalid' });
    const defaultUnderKid = await sign(claims, secretKey(oldSecret), { kid: 'a' });
    await expect(verifyToken(defaultUnderKid, ring, at(NOW))).rejects.toMatchObject({ reason: 'invalid' });
  });

  it('refuses an unknown kid, a kid that is not a string, and a kid-less token without a default secret', async () => {
    const ring = new KeyRing(undefined, [{ kid: 'a', secret: newSecret }]);
    for (const kid of ['b', 7]) {
      const jwt = await sign(claims, secretKey(newSecret), { kid });
      await expect(verifyToken(jwt, ring, at(NOW))).rejects.toMatchObject({
        reason: 'unknown-kid',
        message: expect.stringMatching(/kid names no key/),
      });
    }
    await expect(verifyToken(await sign(claims, secretKey(newSecret)), ring, at(NOW))).rejects.toMatchObject({
      reason: 'unknown-kid',
      message: expect.stringMatching(/no kid/),
    });
  });

  it('stops accepting the old tokens once their secret is removed', async () => {
    const plain = await sign(claims, secretKey(oldSecret));
    const rotated = new KeyRing(undefined, [{ kid: 'new', secret: newSecret }]);
    await expect(verifyToken(plain, rotated, at(NOW))).rejects.toMatchObject({ reason: 'unknown-kid' });
  });

  it('signs with the last key, else the default secret', () => {
    const ring = new KeyRing(oldSecret, [
      { kid: 'a', secret: newSecret },
      { kid: 'b', secret: 'b'.repeat(32) },
    ]);
    expect(ring.kids).toEqual(['a', 'b']);
    expect(ring.signing).toEqual({ kid: 'b', key: secretKey('b'.repeat(32)) });
    const three = new KeyRing(undefined, [
      { kid: 'a', secret: oldSecret },
      { kid: 'b', secret: newSecret },
      { kid: 'c', secret: 'c'.repeat(32) },
    ]);
    expect(three.signing).toEqual({ kid: 'c', key: secretKey('c'.repeat(32)) });
    expect(new KeyRing(oldSecret).signing).toEqual({ kid: undefined, key: secretKey(oldSecret) });
    expect(new KeyRing(oldSecret).defaultKey).toEqual(secretKey(oldSecret));
    expect(new KeyRing(undefined, [{ kid: 'a', secret: newSecret }]).defaultKey).toBeNull();
  });

  it.each([
    ['no secret at all', undefined, [], /needs a secret/],
    ['an empty kid', oldSecret, [{ kid: '', secret: newSecret }], /needs a kid/],
    ['a kid with a space', oldSecret, [{ kid: 'a b', secret: newSecret }], /needs a kid/],
    ['a kid that is not a string', oldSecret, [{ kid: 1, secret: newSecret }], /needs a kid/],
    ['a null entry', oldSecret, [null], /needs a kid/],
    [
      'a kid given twice',
      oldSecret,
      [
        { kid: 'a', secret: newSecret },
        { kid: 'a', secret: oldSecret },
      ],
      /"a".*twice/,
    ],
    ['keys that are not a list', oldSecret, { kid: 'a', secret: newSecret }, /must be an array/],
  ])('refuses %s with a TypeError', (_case, secret, keys, message) => {
    expect(() => new KeyRing(secret, keys as never)).toThrow(TypeError);
    expect(() => new KeyRing(secret, keys as never)).toThrow(message);
  });

  it('refuses a keyed secret shorter than 32 bytes', () => {
    expect(() => new KeyRing(undefined, [{ kid: 'a', secret: 'short' }])).toThrow(RangeError);
  });

  it.each([
    ['a', true],
    ['2026-12_v1.key', true],
    ['k'.repeat(64), true],
    ['k'.repeat(65), false],
    ['', false],
    ['a/b', false],
    ['a=b', false],
    [' a', false],
    [7, false],
    [undefined, false],
  ])('isKeyId(%j) → %s', (kid, valid) => {
    expect(isKeyId(kid)).toBe(valid);
  });
});

describe('signToken', () => {
  it('gives a token a 24-hour lifetime unless told otherwise, and iat now', async () => {
    const before = Math.floor(Date.now() / 1000);
    const claims = decodeJwt(await signToken({ user: 'x', channels: ['*'] }, key));
    expect(DEFAULT_TOKEN_TTL_SECONDS).toBe(86_400);
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(86_400);
    expect(claims).not.toHaveProperty('publish');
    expect(claims).not.toHaveProperty('aud');
    expect(claims).not.toHaveProperty('iss');
  });

  it('signs a token without exp for ttlSeconds null', async () => {
    expect(decodeJwt(await signToken({ user: 'x', channels: ['*'], ttlSeconds: null }, key))).not.toHaveProperty('exp');
  });

  it('puts kid in the header and aud and iss in the claims', async () => {
    const jwt = await signToken({ user: 'x', channels: ['a'], kid: 'k1', audience: 'hub', issuer: 'ci' }, key);
    expect(decodeProtectedHeader(jwt)).toEqual({ alg: 'HS256', typ: 'JWT', kid: 'k1' });
    expect(decodeJwt(jwt)).toMatchObject({ sub: 'x', channels: ['a'], aud: 'hub', iss: 'ci' });
    expect(decodeProtectedHeader(await signToken({ user: 'x', channels: ['a'] }, key))).toEqual({
      alg: 'HS256',
      typ: 'JWT',
    });
  });

  it('refuses a kid that is no key id', async () => {
    await expect(signToken({ user: 'x', channels: ['a'], kid: 'a b' }, key)).rejects.toThrow(TypeError);
    await expect(signToken({ user: 'x', channels: ['a'], kid: 'a b' }, key)).rejects.toThrow(/kid must be/);
  });
});

describe('mayAccess', () => {
  const principal = {
    user: 'u',
    channels: ['project:*', 'agent:opus-1', 'issue:1?', 'issue:a.b', 'board:a*'],
    publish: false,
    expiresAt: null,
  };
  it.each([
    ['project:web', true],
    ['project:', true],
    ['agent:opus-1', true],
    ['agent:opus-12', false],
    ['xagent:opus-1', false],
    ['issue:1', false],
    ['issue:1?', true],
    ['issue:a.b', true],
    ['issue:aXb', false],
    ['board:a', true],
    ['board:admin', true],
    ['board:b', false],
  ] as const)('%s → %s', (channel, allowed) => {
    expect(mayAccess(principal, channel as `issue:${string}`)).toBe(allowed);
  });
});

describe('mayAccess pattern escaping', () => {
  it('treats regular-expression characters in a pattern literally', () => {
    // A fresh pattern each run, so no RegExp compiled earlier (the module caches them) answers for it.
    const id = randomUUID().slice(0, 8);
    const principal = { user: 'u', channels: [`issue:${id}.a+b(c)`], publish: false, expiresAt: null };
    expect(mayAccess(principal, `issue:${id}.a+b(c)` as `issue:${string}`)).toBe(true);
    expect(mayAccess(principal, `issue:${id}xaab(c)` as `issue:${string}`)).toBe(false);
    expect(mayAccess(principal, `issue:${id}.ab` as `issue:${string}`)).toBe(false);
  });
});

describe('parseDuration', () => {
  it.each([
    ['90', 90],
    ['90s', 90],
    ['15m', 900],
    ['24h', 86_400],
    ['7d', 604_800],
    [' 2h ', 7200],
    ['5 m', 300],
    ['0', null],
    ['0d', null],
    ['-5s', null],
    ['1.5h', null],
    ['h', null],
    ['2h2', null],
    ['x2h', null],
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
