import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { negotiateContentCoding } from '../../src/server/content-coding';

const pick = (header: string | undefined): string => negotiateContentCoding(header, ['br', 'gzip']);

describe('negotiateContentCoding', () => {
  it('sends identity without the header, or with an empty one', () => {
    expect(pick(undefined)).toBe('identity');
    expect(pick('')).toBe('identity');
  });

  it('prefers brotli, then gzip, when both are equally welcome', () => {
    expect(pick('gzip, deflate, br, zstd')).toBe('br');
    expect(pick('br, gzip, identity')).toBe('br');
    expect(pick('gzip, deflate')).toBe('gzip');
    expect(pick('deflate')).toBe('identity');
  });

  it('follows q-values, and q=0 refuses a coding', () => {
    expect(pick('br;q=0, gzip')).toBe('gzip');
    expect(pick('br;q=0.5, gzip;q=0.8')).toBe('gzip');
    expect(pick('br;q=0, gzip;q=0')).toBe('identity');
    expect(pick('BR;Q=1.000')).toBe('br');
    expect(pick('gzip ; q = 0.3 ')).toBe('gzip');
  });

  it('lets * stand for every coding not named, and maps x-gzip to gzip', () => {
    expect(pick('*')).toBe('br');
    expect(pick('br;q=0, *')).toBe('gzip');
    expect(pick('*;q=0')).toBe('identity');
    expect(pick('x-gzip')).toBe('gzip');
  });

  it('sends identity when the client prefers it strictly', () => {
    expect(pick('gzip;q=0.5, identity')).toBe('identity');
    expect(pick('gzip, identity;q=0.5')).toBe('gzip');
    expect(pick('gzip;q=0.5, identity;q=0.5')).toBe('gzip');
  });

  it('ignores entries whose q-value is malformed instead of guessing', () => {
    for (const q of ['2', '-1', '1.5', 'NaN', '0.0001', '', '1e0', 'Infinity', '0x1', ' 1 1']) {
      expect(pick(`br;q=${q}`), `q=${q}`).toBe('identity');
    }
    expect(pick('br;q=abc, gzip')).toBe('gzip');
  });

  it('counts the first mention of a repeated coding', () => {
    expect(pick('br;q=0, br, gzip')).toBe('gzip');
  });

  it('always answers one of the offered codings or identity, whatever the header', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (header) => {
        expect(['br', 'gzip', 'identity']).toContain(pick(header));
      }),
    );
    const part = fc.oneof(
      fc.constantFrom('br', 'gzip', 'x-gzip', '*', 'identity', 'deflate', ';', ',', '=', 'q', ' '),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(part, { maxLength: 40 }), (parts) => {
        const header = parts.join('');
        const coding = pick(header);
        expect(['br', 'gzip', 'identity']).toContain(coding);
        // A coding the header never names (nor covers with *) is never chosen.
        if (coding === 'br') expect(header).toMatch(/br|\*/i);
        if (coding === 'gzip') expect(header).toMatch(/gzip|\*/i);
      }),
    );
  });

  it('reads a header of tens of thousands of entries in one linear pass', () => {
    const header = `${'a;q=0.5,'.repeat(20_000)}gzip;q=0.1`;
    expect(pick(header)).toBe('gzip');
  });
});
