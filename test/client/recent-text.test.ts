import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RecentText } from '../../src/client/recent-text';

/** Output made of short lines, partial lines and bare text, in chunks of any size. */
const chunk = fc
  .array(fc.constantFrom('a', 'bc', 'é', '😀', '\n', 'line\n', '\r\n', 'x'.repeat(40)), { maxLength: 30 })
  .map((parts) => parts.join(''));

function lineCount(text: string): number {
  if (text === '') return 0;
  return (text.match(/\n/g)?.length ?? 0) + (text.endsWith('\n') ? 0 : 1);
}

/**
 * What a tail bounded by lines and characters should keep of `full`: the
 * longest suffix that starts at a line and fits both bounds; when even the
 * last line is too long, its last `maxChars` characters (never half a pair).
 */
function kept(full: string, maxLines: number, maxChars: number): string {
  const starts = [0];
  for (let i = 0; i < full.length - 1; i++) if (full[i] === '\n') starts.push(i + 1);
  for (const start of starts) {
    const suffix = full.slice(start);
    if (lineCount(suffix) <= maxLines && suffix.length <= maxChars) return suffix;
  }
  let cut = full.length - maxChars;
  const code = full.charCodeAt(cut);
  if (code >= 0xdc00 && code <= 0xdfff) cut++;
  return full.slice(cut);
}

/** The last `count` lines of `text`. */
function lastLines(text: string, count: number): string {
  const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  return count <= 0 ? '' : lines.slice(-count).join('');
}

describe('RecentText (the client core’s output tail)', () => {
  it('keeps the longest suffix of whole lines within its bounds, and reads its last lines', () => {
    fc.assert(
      fc.property(
        fc.array(chunk, { maxLength: 40 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 2, max: 400 }),
        fc.integer({ min: 0, max: 15 }),
        (chunks, maxLines, maxChars, read) => {
          const recent = new RecentText(maxLines, maxChars);
          for (const text of chunks) recent.append(text);
          const full = chunks.join('');
          // What is held: bounded by characters (lines are bounded when read).
          const held = kept(full, Number.MAX_SAFE_INTEGER, maxChars);
          expect(recent.size).toBe(held.length);
          // What is read: the same as a tail bounded by both would hold.
          const expected = kept(full, maxLines, maxChars);
          expect(recent.last(Number.MAX_SAFE_INTEGER)).toBe(expected);
          expect(recent.last(read)).toBe(lastLines(expected, read));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('keeps the end of one endless line within its character bound, never half a surrogate pair', () => {
    const recent = new RecentText(10, 9);
    recent.append('😀'.repeat(20));
    expect(recent.size).toBeLessThanOrEqual(9);
    expect(recent.last(1)).toBe('😀'.repeat(4));
    recent.append('ab\ncd');
    // The emoji line ends with "ab", and all of it no longer fits: only the next line stays.
    expect(recent.last(5)).toBe('cd');
    recent.append('\nef\n');
    expect(recent.last(5)).toBe('cd\nef\n');
  });

  it('reads nothing when empty or asked for no lines', () => {
    const recent = new RecentText(3, 100);
    expect(recent.last(5)).toBe('');
    recent.append('a\nb\n');
    expect(recent.last(0)).toBe('');
    expect(recent.last(1)).toBe('b\n');
    recent.append('c\nd\ne');
    expect(recent.last(10)).toBe('c\nd\ne');
    expect(() => new RecentText(0, 10)).toThrow(RangeError);
  });
});
