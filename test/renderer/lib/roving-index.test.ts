import { describe, expect, it } from 'vitest';
import { rovingIndex } from '../../../src/renderer/src/lib/roving-index';

describe('rovingIndex (menus and tab lists)', () => {
  it('moves along its axis and wraps at both ends', () => {
    expect(rovingIndex('ArrowDown', 0, 3, 'vertical')).toBe(1);
    expect(rovingIndex('ArrowDown', 2, 3, 'vertical')).toBe(0);
    expect(rovingIndex('ArrowUp', 0, 3, 'vertical')).toBe(2);
    expect(rovingIndex('ArrowRight', 1, 3, 'horizontal')).toBe(2);
    expect(rovingIndex('ArrowLeft', 1, 3, 'horizontal')).toBe(0);
  });

  it('starts at the first (next) or the last (previous) with nothing focused', () => {
    expect(rovingIndex('ArrowDown', -1, 4, 'vertical')).toBe(0);
    expect(rovingIndex('ArrowUp', -1, 4, 'vertical')).toBe(3);
  });

  it('goes to the ends with Home and End, and ignores other keys and the other axis', () => {
    expect(rovingIndex('Home', 2, 4, 'horizontal')).toBe(0);
    expect(rovingIndex('End', 0, 4, 'vertical')).toBe(3);
    expect(rovingIndex('ArrowDown', 0, 4, 'horizontal')).toBeNull();
    expect(rovingIndex('ArrowLeft', 0, 4, 'vertical')).toBeNull();
    expect(rovingIndex('x', 0, 4, 'vertical')).toBeNull();
    expect(rovingIndex('ArrowDown', -1, 0, 'vertical')).toBeNull();
  });
});
