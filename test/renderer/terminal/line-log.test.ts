import { describe, expect, it } from 'vitest';
import { LineLog, MAX_LINE_CHARS } from '../../../src/renderer/src/terminal/line-log';

const texts = (log: LineLog) => log.all().map((line) => line.text);

describe('LineLog', () => {
  it('records complete lines with the time their first characters arrived', () => {
    const log = new LineLog(100);
    expect(log.append('one\r\ntw', 1000)).toEqual([{ text: 'one', time: 1000 }]);
    expect(log.append('o\nthree', 2000)).toEqual([{ text: 'two', time: 1000 }]);
    expect(texts(log)).toEqual(['one', 'two']);
    expect(log.current).toEqual({ text: 'three', time: 2000 });
  });

  it('keeps at most maxLines lines, dropping the oldest and saying which', () => {
    const dropped: string[] = [];
    const log = new LineLog(3, (line) => dropped.push(line.text));
    log.append('1\n2\n3\n4\n5\n', 0);
    expect(texts(log)).toEqual(['3', '4', '5']);
    expect(dropped).toEqual(['1', '2']);
    log.setMaxLines(1);
    expect(texts(log)).toEqual(['5']);
    expect(log.size).toBe(1);
  });

  it('stays bounded under a flood', () => {
    const log = new LineLog(1000);
    for (let i = 0; i < 50_000; i++) log.append(`line ${i}\n`, i);
    expect(log.size).toBe(1000);
    expect(texts(log).at(-1)).toBe('line 49999');
  });

  it('starts a line over at a bare carriage return, even one split from its LF', () => {
    const log = new LineLog(10);
    log.append('progress 10%\rprogress 50%\r', 0);
    log.append('progress 100%\r', 0);
    log.append('\ndone\r', 0);
    log.append('\n', 0);
    expect(texts(log)).toEqual(['progress 100%', 'done']);
  });

  it('caps a line that never ends', () => {
    const log = new LineLog(10);
    for (let i = 0; i < 100; i++) log.append('x'.repeat(1000), 0);
    expect(log.current?.text).toHaveLength(MAX_LINE_CHARS);
  });

  it('records markers as lines of their own, ending a line in progress', () => {
    const log = new LineLog(10);
    log.append('half', 1);
    log.addMarker('gap', 'output may be missing', 2);
    expect(log.all()).toEqual([
      { text: 'half', time: 1 },
      { text: 'output may be missing', time: 2, marker: 'gap' },
    ]);
    log.clear();
    expect(log.size).toBe(0);
    expect(log.current).toBeNull();
  });
});
