import { describe, expect, it, vi } from 'vitest';
import { readOnlyKeyHandler } from '../../../src/renderer/src/terminal/read-only-keys';

function setup() {
  const terminal = { scrollPages: vi.fn(), scrollLines: vi.fn(), scrollToTop: vi.fn() };
  const jumpToLive = vi.fn();
  return { terminal, jumpToLive, handle: readOnlyKeyHandler(terminal, jumpToLive) };
}

function key(init: Partial<KeyboardEvent> & { key: string }) {
  return {
    type: 'keydown',
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    shiftKey: false,
    preventDefault: vi.fn(),
    ...init,
  } as unknown as KeyboardEvent;
}

describe('readOnlyKeyHandler', () => {
  it('scrolls with the navigation keys and jumps to live output on End', () => {
    const { terminal, jumpToLive, handle } = setup();
    expect(handle(key({ key: 'PageUp' }))).toBe(false);
    expect(handle(key({ key: 'ArrowDown' }))).toBe(false);
    expect(handle(key({ key: 'Home' }))).toBe(false);
    expect(handle(key({ key: 'End' }))).toBe(false);
    expect(terminal.scrollPages).toHaveBeenCalledWith(-1);
    expect(terminal.scrollLines).toHaveBeenCalledWith(1);
    expect(terminal.scrollToTop).toHaveBeenCalledTimes(1);
    expect(jumpToLive).toHaveBeenCalledTimes(1);
  });

  it('acts on keydown only, and swallows the matching keyup', () => {
    const { terminal, handle } = setup();
    expect(handle(key({ key: 'PageDown', type: 'keyup' }))).toBe(false);
    expect(terminal.scrollPages).not.toHaveBeenCalled();
  });

  it('leaves Ctrl and Cmd chords to the app and the browser (search, panes, copy)', () => {
    const { handle } = setup();
    for (const event of [
      key({ key: 'f', ctrlKey: true }),
      key({ key: '1', metaKey: true }),
      key({ key: 'c', ctrlKey: true }),
    ]) {
      expect(handle(event)).toBe(false);
      expect(event.preventDefault).not.toHaveBeenCalled();
    }
  });

  it('lets xterm handle everything else', () => {
    const { handle } = setup();
    expect(handle(key({ key: 'a' }))).toBe(true);
    expect(handle(key({ key: 'PageUp', shiftKey: true }))).toBe(true);
    expect(handle(key({ key: 'toString' }))).toBe(true);
  });
});
