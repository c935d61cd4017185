import { describe, expect, it } from 'vitest';
import {
  TimestampStamper,
  formatTime,
  lineAsText,
  lineForDisplay,
  plainText,
  renderLine,
} from '../../../src/renderer/src/terminal/line-format';

// eslint-disable-next-line no-control-regex -- stripping escape sequences to read what shows
const visible = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');
const at = (h: number, m: number, s: number) => new Date(2025, 0, 31, h, m, s).getTime();

describe('line formatting', () => {
  it('formats arrival times in local time, and history without one', () => {
    expect(formatTime(at(9, 5, 7))).toBe('09:05:07');
    expect(formatTime(null)).toBe('--:--:--');
  });

  it('keeps colours but drops cursor moves, clears, titles and links from a line', () => {
    const line = '\x1b[32mok\x1b[0m \x1b[2K\x1b[10Gmoved \x1b]0;title\x07\x1b]8;;https://x.y\x07link\x1b]8;;\x07';
    expect(lineForDisplay(line)).toBe('\x1b[32mok\x1b[0m moved link');
    expect(plainText(line)).toBe('ok moved link');
  });

  it('renders a line with its time, or nothing when the filter hides it', () => {
    const line = { text: '\x1b[31mERROR\x1b[0m disk full', time: at(12, 0, 1) };
    expect(visible(renderLine(line, { timestamps: true, filter: '' }, 80))).toBe('12:00:01 ERROR disk full\r\n');
    expect(visible(renderLine(line, { timestamps: false, filter: 'error' }, 80))).toBe('ERROR disk full\r\n');
    expect(renderLine(line, { timestamps: false, filter: 'warning' }, 80)).toBe('');
  });

  it('always shows marker lines, filter or not', () => {
    const marker = { text: 'output may be missing here', time: 0, marker: 'gap' as const };
    expect(visible(renderLine(marker, { timestamps: false, filter: 'nothing like it' }, 60))).toContain(
      'output may be missing here',
    );
    expect(lineAsText(marker, false)).toBe('── output may be missing here ──');
  });

  it('stamps each line of a live stream once, as its first characters arrive', () => {
    const stamper = new TimestampStamper();
    const time = at(8, 30, 0);
    const out = [stamper.stamp('first li', time), stamper.stamp('ne\nsecond\n', time), stamper.stamp('third', time)];
    expect(visible(out.join(''))).toBe('08:30:00 first line\n08:30:00 second\n08:30:00 third');
  });

  it('stamps again after a carriage return that redraws the line', () => {
    const stamper = new TimestampStamper();
    const out = stamper.stamp('10%\r20%\r', null) + stamper.stamp('30%\r\n', null);
    expect(visible(out)).toBe('--:--:-- 10%\r--:--:-- 20%\r--:--:-- 30%\r\n');
  });
});
