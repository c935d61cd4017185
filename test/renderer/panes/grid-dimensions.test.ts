import { describe, expect, it } from 'vitest';
import { gridDimensions, paneShortcutIndex } from '../../../src/renderer/src/components/panes/grid-dimensions';

describe('gridDimensions', () => {
  it.each([
    [0, 0, 0],
    [1, 1, 1],
    [2, 2, 1],
    [3, 2, 2],
    [4, 2, 2],
    [5, 3, 2],
    [6, 3, 2],
    [7, 3, 3],
    [8, 3, 3],
    [9, 3, 3],
    [10, 3, 4],
  ])('lays out %i panes as %i columns × %i rows', (count, columns, rows) => {
    expect(gridDimensions(count)).toEqual({ columns, rows });
  });

  it('always has room for every pane', () => {
    for (let count = 1; count <= 9; count++) {
      const { columns, rows } = gridDimensions(count);
      expect(columns * rows).toBeGreaterThanOrEqual(count);
      expect((columns - 1) * rows).toBeLessThan(count);
    }
  });
});

describe('paneShortcutIndex', () => {
  const key = (init: Partial<KeyboardEvent>) => ({
    key: '',
    code: '',
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    ...init,
  });

  it('reads Ctrl or Cmd + 1…9 as pane 0…8', () => {
    expect(paneShortcutIndex(key({ key: '1', code: 'Digit1', ctrlKey: true }))).toBe(0);
    expect(paneShortcutIndex(key({ key: '9', code: 'Digit9', metaKey: true }))).toBe(8);
  });

  it('reads the physical digit key when the layout types something else (AZERTY)', () => {
    expect(paneShortcutIndex(key({ key: '&', code: 'Digit1', ctrlKey: true }))).toBe(0);
  });

  it('ignores plain digits, Alt chords and 0', () => {
    expect(paneShortcutIndex(key({ key: '1', code: 'Digit1' }))).toBeNull();
    expect(paneShortcutIndex(key({ key: '1', code: 'Digit1', ctrlKey: true, altKey: true }))).toBeNull();
    expect(paneShortcutIndex(key({ key: '0', code: 'Digit0', ctrlKey: true }))).toBeNull();
  });
});
