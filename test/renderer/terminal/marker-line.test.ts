import { describe, expect, it } from 'vitest';
import { MARKER_COLS, breakWords, endsAtLineStart, markerLine } from '../../../src/renderer/src/terminal/marker-line';

// eslint-disable-next-line no-control-regex -- stripping escape sequences to measure the visible line
const visible = (line: string) => line.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r\n$/, '');

describe('markerLine', () => {
  it('fills the row but one column, up to MARKER_COLS, and ends the line', () => {
    const line = markerLine('live', 'live output', 30);
    expect(visible(line)).toHaveLength(29);
    expect(visible(line)).toMatch(/^── live output ─+$/);
    expect(line.endsWith('\x1b[0m\r\n')).toBe(true);
    // In a wide terminal it stops at MARKER_COLS: a pane that narrows later does not reflow it into fragments.
    expect(visible(markerLine('live', 'live output', 200))).toHaveLength(MARKER_COLS - 1);
    const long = 'some output could not be recovered: it was sent while this page was disconnected';
    for (const row of markerLine('resync', long, 200).split('\r\n').filter(Boolean).map(visible)) {
      expect(row).toHaveLength(MARKER_COLS - 1);
    }
  });

  it('shows gaps and resyncs in warning colours with a warning sign', () => {
    expect(markerLine('gap', 'some output may be missing here', 80)).toContain('\x1b[33m');
    expect(markerLine('resync', 'output could not be recovered', 80)).toContain('\x1b[31m');
    expect(visible(markerLine('resync', 'x', 80))).toContain('⚠ x');
    expect(markerLine('live', 'live output', 80)).not.toContain('⚠');
  });

  it('breaks a label too long for the pane over several full-width rows, losing no word', () => {
    const text = 'some output could not be recovered: it was sent while this page was disconnected';
    const rows = markerLine('resync', text, 40).split('\r\n').filter(Boolean).map(visible);
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows) {
      expect(row).toHaveLength(39);
      expect(row).toMatch(/^── .+ ───*$/);
    }
    // The words, in order, and the first row starts with what matters.
    const words = rows.map((row) => row.replace(/^── /, '').replace(/ ─+$/, '')).join(' ');
    expect(words).toBe(`⚠ ${text}`);
    expect(rows[0]).toMatch(/^── ⚠ some output could not /);
    expect(words).toContain('could not be recovered');
    expect(words).not.toContain('…');
  });

  it('splits a word longer than a row', () => {
    expect(breakWords('a bcdefghij k', 4)).toEqual(['a', 'bcde', 'fghi', 'j k']);
    expect(breakWords('', 4)).toEqual(['']);
  });

  it('keeps a short rule when the terminal is too narrow to shorten the label', () => {
    expect(visible(markerLine('gap', 'a long explanation', 10))).toMatch(/─{3}$/);
  });

  it('strips control characters from the label', () => {
    expect(visible(markerLine('live', 'evil\x1b[2J\u009b', 80))).toMatch(/^── evil\[2J ─+$/);
  });
});

describe('endsAtLineStart', () => {
  it.each([
    ['line\n', true],
    ['line\r\n', true],
    ['line\n\x1b[0m', true],
    ['line\n\x1b[1;32m\x1b[0m', true],
    ['line', false],
    ['progress 50%\r', false],
    ['line\n\x1b[2J', false],
  ])('%j → %s', (text, expected) => expect(endsAtLineStart(text)).toBe(expected));
});
