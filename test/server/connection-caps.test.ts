import { describe, expect, it } from 'vitest';
import { ConnectionCaps, tokenKey } from '../../src/server/connection-caps';

describe('ConnectionCaps', () => {
  it('refuses past the per-token cap, naming the token', () => {
    const caps = new ConnectionCaps(2, 10);
    caps.acquire('t', 'a');
    caps.acquire('t', 'b');

    expect(caps.acquire('t', 'c')).toEqual({ refused: 'token' });
    expect('release' in caps.acquire('u', 'c')).toBe(true);
  });

  it('refuses past the per-address cap, naming the address', () => {
    const caps = new ConnectionCaps(10, 1);
    caps.acquire('t', 'a');

    expect(caps.acquire('u', 'a')).toEqual({ refused: 'address' });
  });

  it('releases once however often release is called, and forgets keys at zero', () => {
    const caps = new ConnectionCaps(1, 1);
    const first = caps.acquire('t', 'a');
    const second = caps.acquire('u', 'b');
    if (!('release' in first) || !('release' in second)) throw new Error('refused');

    first.release();
    first.release();

    expect(caps.countFor('u')).toBe(1);
    expect(caps.keys).toEqual({ tokens: 1, addresses: 1 });
    second.release();
    expect(caps.keys).toEqual({ tokens: 0, addresses: 0 });
  });

  it('gives back a slot by key and address, for an owner that keeps them and releases once', () => {
    const caps = new ConnectionCaps(1, 1);
    caps.acquire('t', 'a');

    caps.release('t', 'a');

    expect(caps.keys).toEqual({ tokens: 0, addresses: 0 });
    expect('release' in caps.acquire('t', 'a')).toBe(true);
  });

  it('releases one of several connections of a key, once', () => {
    const caps = new ConnectionCaps(5, 5);
    const first = caps.acquire('t', 'a');
    caps.acquire('t', 'a');
    if (!('release' in first)) throw new Error('refused');

    first.release();
    first.release();

    expect(caps.countFor('t')).toBe(1);
    expect(caps.keys).toEqual({ tokens: 1, addresses: 1 });
    expect(caps.acquire('u', 'a')).not.toHaveProperty('refused');
  });

  it('does not count a refused acquire', () => {
    const caps = new ConnectionCaps(1, 5);
    caps.acquire('t', 'a');
    caps.acquire('t', 'b');

    expect(caps.keys).toEqual({ tokens: 1, addresses: 1 });
  });
});

describe('tokenKey', () => {
  it('is a digest: stable, different per token, and not the token', () => {
    expect(tokenKey('a.b.c')).toBe(tokenKey('a.b.c'));
    expect(tokenKey('a.b.c')).not.toBe(tokenKey('a.b.d'));
    expect(tokenKey('a.b.c')).not.toContain('a.b.c');
  });
});
