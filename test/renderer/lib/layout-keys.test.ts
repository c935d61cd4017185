import { describe, expect, it } from 'vitest';
import { layoutAction } from '../../../src/renderer/src/lib/layout-keys';

const key = (key: string, modifiers: Partial<KeyboardEvent> = {}) => ({
  key,
  code: '',
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  shiftKey: false,
  ...modifiers,
});

describe('layoutAction', () => {
  it('reads b, g and p as the board, mode and project letters', () => {
    expect(layoutAction(key('b'))).toEqual({ action: 'toggle-board', letter: true });
    expect(layoutAction(key('g'))).toEqual({ action: 'toggle-mode', letter: true });
    expect(layoutAction(key('p'))).toEqual({ action: 'focus-project', letter: true });
  });

  it('ignores the letters with a modifier, and other letters', () => {
    expect(layoutAction(key('B', { shiftKey: true }))).toBeNull();
    expect(layoutAction(key('b', { ctrlKey: true }))).toBeNull();
    expect(layoutAction(key('g', { altKey: true }))).toBeNull();
    expect(layoutAction(key('x'))).toBeNull();
  });

  it('reads Ctrl or Cmd + Shift + Enter as maximise and + Shift + X as close, whatever the case', () => {
    expect(layoutAction(key('Enter', { ctrlKey: true, shiftKey: true }))).toEqual({
      action: 'maximize-pane',
      letter: false,
    });
    expect(layoutAction(key('Enter', { metaKey: true, shiftKey: true }))?.action).toBe('maximize-pane');
    expect(layoutAction(key('X', { ctrlKey: true, shiftKey: true }))?.action).toBe('close-pane');
    expect(layoutAction(key('x', { metaKey: true, shiftKey: true }))?.action).toBe('close-pane');
    expect(layoutAction(key('Enter', { ctrlKey: true }))).toBeNull();
    expect(layoutAction(key('Enter', { shiftKey: true }))).toBeNull();
    expect(layoutAction(key('X', { ctrlKey: true, shiftKey: true, altKey: true }))).toBeNull();
  });

  it('reads Ctrl or Cmd + comma as settings, by key or by physical key', () => {
    expect(layoutAction(key(',', { ctrlKey: true }))?.action).toBe('open-settings');
    expect(layoutAction(key(';', { metaKey: true, code: 'Comma' }))?.action).toBe('open-settings');
    expect(layoutAction(key(','))).toBeNull();
  });
});
