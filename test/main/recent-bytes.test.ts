import { describe, expect, it } from 'vitest';
import { RecentBytes } from '../../src/main/recent-bytes';

const bytes = (text: string) => new TextEncoder().encode(text);

function recent(lines: number, maxBytes: number, ...runs: string[]): RecentBytes {
  const tail = new RecentBytes(lines, maxBytes);
  for (const run of runs) tail.append(bytes(run));
  return tail;
}

describe('RecentBytes', () => {
  it('returns the last lines across runs, decoded', () => {
    const tail = recent(100, 1024, 'a\nb', '\nc\n', 'd\ne\n');
    expect(tail.last(2)).toBe('d\ne\n');
    expect(tail.last(3)).toBe('c\nd\ne\n');
    expect(tail.last(100)).toBe('a\nb\nc\nd\ne\n');
  });

  it('counts an unfinished last line as a line', () => {
    expect(recent(100, 1024, 'a\nb\nhalf').last(2)).toBe('b\nhalf');
  });

  it('never returns more than its line bound', () => {
    expect(recent(2, 1024, '1\n2\n3\n4\n').last(10)).toBe('3\n4\n');
  });

  it('cuts its front at a line start once past its byte bound', () => {
    const tail = recent(100, 8, 'one\n', 'two\n', 'six\n');
    expect(tail.size).toBeLessThanOrEqual(8);
    expect(tail.last(100)).toBe('two\nsix\n');
  });

  it('keeps the end of a line longer than the bound, cut at a character boundary', () => {
    const tail = recent(100, 7, 'ééééé');
    expect(tail.size).toBeLessThanOrEqual(7);
    expect(tail.last(1)).toBe('ééé');
    // Once a line break follows, the fragment is dropped: it was never a whole line.
    tail.append(bytes('\nnext\n'));
    expect(tail.last(100)).toBe('next\n');
  });

  it('decodes a character split across runs', () => {
    const smile = bytes('😀\n');
    const tail = new RecentBytes(10, 100);
    tail.append(smile.subarray(0, 2));
    tail.append(smile.subarray(2));
    expect(tail.last(1)).toBe('😀\n');
  });

  it('is empty until output comes, and refuses bounds that cannot hold a line', () => {
    expect(recent(10, 100).last(5)).toBe('');
    expect(recent(10, 100, 'x\n').last(0)).toBe('');
    expect(() => new RecentBytes(0, 100)).toThrow(RangeError);
    expect(() => new RecentBytes(10, 2)).toThrow(RangeError);
  });
});
