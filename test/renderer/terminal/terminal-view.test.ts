// @vitest-environment happy-dom
// xterm parses without a canvas, so everything short of mount() runs here; rendering
// (mount, fit, WebGL) needs a real browser and is covered by the end-to-end tests.
import type { Terminal } from '@xterm/xterm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TerminalView, type TerminalViewOptions } from '../../../src/renderer/src/terminal/terminal-view';

const views: TerminalView[] = [];

function createView(options: Partial<TerminalViewOptions> = {}): TerminalView {
  const view = new TerminalView({ scrollback: 1000, theme: 'dark', openLink: () => {}, ...options });
  views.push(view);
  return view;
}

/** The xterm terminal inside (private: tests only). */
const terminalOf = (view: TerminalView) => (view as unknown as { terminal: Terminal }).terminal;

afterEach(() => {
  for (const view of views.splice(0)) view.dispose();
});

describe('TerminalView', () => {
  it('writes output to the terminal in order', async () => {
    const view = createView();
    view.write('one\r\n');
    view.write('two\nthree');
    await view.whenIdle();
    expect(view.textContent()).toBe('one\ntwo\nthree');
    expect(view.textContent(2)).toBe('two\nthree');
  });

  it('joins wrapped rows back into one line', async () => {
    const view = createView();
    const long = `${'a'.repeat(79)} ${'b'.repeat(120)}`;
    view.write(`${long}\nshort\n`);
    await view.whenIdle();
    expect(view.textContent()).toBe(`${long}\nshort`);
    expect(view.textContent(0)).toBe('');
  });

  it('hands xterm at most two 64 KiB chunks at a time during a flood', async () => {
    const view = createView({ scrollback: 100 });
    const terminal = terminalOf(view);
    const write = terminal.write.bind(terminal);
    let outstanding = 0;
    let most = 0;
    let biggest = 0;
    vi.spyOn(terminal, 'write').mockImplementation((data: string | Uint8Array, callback?: () => void) => {
      // The frame budget's empty writes only time when xterm reaches a chunk.
      if (data.length === 0) return write(data, callback);
      outstanding++;
      most = Math.max(most, outstanding);
      biggest = Math.max(biggest, data.length);
      write(data, () => {
        outstanding--;
        callback?.();
      });
    });
    const line = `${'x'.repeat(99)}\n`;
    for (let index = 0; index < 10_000; index++) view.write(line);
    expect(view.pendingChars).toBeGreaterThan(0);
    await view.whenIdle();
    expect(most).toBe(2);
    expect(biggest).toBeLessThanOrEqual(65_536);
    expect(view.pendingChars).toBe(0);
    expect(view.textContent(1)).toBe('x'.repeat(99));
  });

  it('starts a marker on a fresh line and counts it by kind', async () => {
    const view = createView();
    view.write('half a line');
    view.marker('gap', 'some output may be missing here');
    view.write('next\n');
    view.marker('live', 'live output');
    await view.whenIdle();
    const lines = view.textContent().split('\n');
    expect(lines[0]).toBe('half a line');
    expect(lines[1]).toMatch(/^── ⚠ some output may be missing here ─+$/);
    expect(lines[2]).toBe('next');
    expect(lines[3]).toMatch(/^── live output ─+$/);
    expect(lines).toHaveLength(4);
    expect([view.markerCount('live'), view.markerCount('gap'), view.markerCount('resync')]).toEqual([1, 1, 0]);
  });

  it('adds no blank line before a marker when output ended with a newline', async () => {
    const view = createView();
    view.write('done\n\x1b[0m');
    view.marker('resync', 'output could not be recovered');
    await view.whenIdle();
    expect(view.textContent().split('\n')).toEqual([
      'done',
      expect.stringMatching(/^── ⚠ output could not be recovered ─+$/),
    ]);
  });

  it('clears the output and its markers', async () => {
    const view = createView();
    view.write('old\n');
    view.marker('live', 'live output');
    view.clear();
    view.write('new');
    await view.whenIdle();
    expect(view.textContent()).toBe('new');
    expect(view.markerCount('live')).toBe(0);
  });

  it('pauses following when scrolled up and resumes on jumpToLive', async () => {
    const view = createView();
    const changes: boolean[] = [];
    view.onFollowChange((following) => changes.push(following));
    view.write('line\n'.repeat(200));
    await view.whenIdle();
    expect(view.following).toBe(true);

    terminalOf(view).scrollLines(-10);
    expect(view.following).toBe(false);
    view.write('more\n'.repeat(10));
    await view.whenIdle();
    expect(view.following).toBe(false);

    view.jumpToLive();
    expect(view.following).toBe(true);
    expect(changes).toEqual([false, true]);
  });

  it('takes UTF-8 bytes, with a character split across two writes', async () => {
    const view = createView();
    const bytes = new TextEncoder().encode('naïve — ✓ done\n');
    const split = bytes.indexOf(0xe2) + 1;
    view.write(bytes.subarray(0, split));
    view.write(bytes.subarray(split));
    view.write('then text');
    await view.whenIdle();
    expect(view.textContent()).toBe('naïve — ✓ done\nthen text');
  });

  it('ends a character the bytes left unfinished when a string follows', async () => {
    const view = createView();
    view.write(new Uint8Array([0x61, 0xe2, 0x9c]));
    view.write('b');
    await view.whenIdle();
    expect(view.textContent()).toBe('a\ufffdb');
  });

  it('writes nothing into xterm while hidden, and everything it held once shown', async () => {
    const view = createView();
    view.setVisible(false);
    view.write('while hidden\n');
    view.marker('gap', 'some output may be missing here');
    // Two frames and the parse tasks after them: a visible pane would have been written by then.
    for (let frame = 0; frame < 2; frame++) await new Promise((resolve) => requestAnimationFrame(resolve));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(view.textContent()).toBe('');
    view.setVisible(true);
    await view.whenIdle();
    expect(view.textContent().split('\n')[0]).toBe('while hidden');
    expect(view.markerCount('gap')).toBe(1);
  });

  it('keeps its follow state while hidden, when the browser resets the scroll position', async () => {
    const view = createView();
    view.write('line\n'.repeat(200));
    await view.whenIdle();
    view.setVisible(false);
    terminalOf(view).scrollToTop();
    expect(view.following).toBe(true);
    view.setVisible(true);
    await new Promise((resolve) => requestAnimationFrame(resolve));
    // Shown again (and refitted): scrolling counts once more.
    terminalOf(view).scrollLines(5);
    expect(view.following).toBe(false);
  });

  it('finds nothing before it is mounted (the search addon selects matches, which needs the DOM)', async () => {
    const view = createView();
    view.write('an error here\r\n');
    await view.whenIdle();
    expect(view.find('error', 'next')).toBe(false);
    expect(() => view.clearSearch()).not.toThrow();
  });

  it('opens only http(s) links from OSC 8 hyperlinks', () => {
    const openLink = vi.fn();
    const view = createView({ openLink });
    const handler = terminalOf(view).options.linkHandler;
    expect(handler?.allowNonHttpProtocols).toBe(false);
    const event = new MouseEvent('click');
    const range = { start: { x: 1, y: 1 }, end: { x: 2, y: 1 } };
    handler?.activate(event, 'javascript:alert(1)', range);
    handler?.activate(event, 'file:///etc/passwd', range);
    handler?.activate(event, 'https://example.com/run/1', range);
    expect(openLink.mock.calls).toEqual([['https://example.com/run/1']]);
  });

  it('copies the whole buffer when nothing is selected, through the writer it is given', async () => {
    const written: string[] = [];
    const view = createView();
    view.write('copy me\r\nand me\r\n');
    await view.whenIdle();
    await expect(
      view.copy(async (text) => {
        written.push(text);
      }),
    ).resolves.toBe('copy me\nand me');
    expect(written).toEqual(['copy me\nand me']);
  });

  it('applies theme and scrollback changes, and rejects a nonsensical scrollback', () => {
    const view = createView();
    view.setTheme('light');
    expect(terminalOf(view).options.theme?.background).toBe('#ffffff');
    view.setScrollback(5000);
    expect(terminalOf(view).options.scrollback).toBe(5000);
    expect(() => view.setScrollback(-1)).toThrow(RangeError);
    expect(() => createView({ scrollback: 1.5 })).toThrow(RangeError);
  });

  it('reports the DOM renderer until WebGL is loaded', () => {
    expect(createView().renderer).toBe('dom');
  });

  it('can be disposed twice and ignores output afterwards', () => {
    const view = createView();
    view.dispose();
    view.dispose();
    expect(() => view.write('late')).not.toThrow();
    expect(() => view.marker('gap', 'late')).not.toThrow();
  });
});

describe('TerminalView line modes (timestamps, filter)', () => {
  const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));

  it('prefixes live lines with their arrival time and history lines with a placeholder, and takes it back', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date(2025, 0, 31, 14, 5, 9) });
    try {
      const view = createView();
      view.write('from the hub\n', true);
      view.write('live one\n');
      view.setLineModes({ timestamps: true });
      view.write('live two\nhalf');
      await view.whenIdle();
      expect(view.textContent()).toBe('--:--:-- from the hub\n14:05:09 live one\n14:05:09 live two\n14:05:09 half');
      view.setLineModes({ timestamps: false });
      await view.whenIdle();
      expect(view.textContent()).toBe('from the hub\nlive one\nlive two\nhalf');
    } finally {
      vi.useRealTimers();
    }
  });

  it('shows only the lines containing the filter, counts them, and shows everything again when cleared', async () => {
    const view = createView();
    const counts: Array<{ matched: number; total: number }> = [];
    view.onFilterCount((count) => counts.push(count));
    view.write('build ok\nERROR one\ntest ok\n');
    view.marker('gap', 'some output may be missing here');
    view.write('an error two\n');
    view.setLineModes({ filter: 'error' });
    await view.whenIdle();
    expect(view.textContent().split('\n')).toEqual([
      'ERROR one',
      expect.stringMatching(/^── ⚠ some output may be missing here ─+$/),
      'an error two',
    ]);
    view.write('warning\nerror three\npartial error');
    await view.whenIdle();
    await frame();
    expect(
      view
        .textContent()
        .split('\n')
        .filter((line) => !line.startsWith('──')),
    ).toEqual(['ERROR one', 'an error two', 'error three']);
    expect(counts.at(-1)).toEqual({ matched: 3, total: 6 });
    // Saving keeps what the filter hides.
    expect(view.savedText()).toBe(
      'build ok\nERROR one\ntest ok\n── some output may be missing here ──\nan error two\nwarning\nerror three\npartial error',
    );
    view.setLineModes({ filter: '' });
    await view.whenIdle();
    expect(view.textContent().split('\n')).toEqual([
      'build ok',
      'ERROR one',
      'test ok',
      expect.stringMatching(/^── ⚠ some output may be missing here ─+$/),
      'an error two',
      'warning',
      'error three',
      'partial error',
    ]);
    expect(view.markerCount('gap')).toBe(1);
  });

  it('keeps its line record bounded by the scrollback', async () => {
    const view = createView({ scrollback: 100 });
    view.write(Array.from({ length: 5000 }, (_, i) => `line ${i}\n`).join(''));
    view.setLineModes({ filter: 'line' });
    await view.whenIdle();
    const lines = view.textContent().split('\n');
    expect(lines.length).toBeLessThanOrEqual(100 + terminalOf(view).rows);
    expect(lines.at(-1)).toBe('line 4999');
  });

  it('counts the lines that arrive while scrolled up, and forgets them on jumping to live', async () => {
    const view = createView();
    const unseen: number[] = [];
    view.onUnseenLines((count) => unseen.push(count));
    view.write('line\n'.repeat(200));
    await view.whenIdle();
    terminalOf(view).scrollLines(-10);
    view.write('new\n'.repeat(7));
    await view.whenIdle();
    await frame();
    expect(view.unseenLines).toBe(7);
    expect(unseen.at(-1)).toBe(7);
    view.jumpToLive();
    await frame();
    expect(view.unseenLines).toBe(0);
    expect(unseen.at(-1)).toBe(0);
  });

  it('finds the lines containing a term, case-insensitively', async () => {
    const view = createView();
    view.write('alpha\nBeta error\ngamma\nerror delta\n');
    await view.whenIdle();
    expect(view.findLines('ERROR')).toEqual({
      total: 2,
      matches: [
        { row: 1, column: 5, text: 'Beta error' },
        { row: 3, column: 0, text: 'error delta' },
      ],
    });
    expect(view.findLines('error', 1).matches).toHaveLength(1);
    expect(view.findLines('').total).toBe(0);
  });
});
