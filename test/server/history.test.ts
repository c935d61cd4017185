import { describe, expect, it } from 'vitest';
import type { ChannelEvent } from '../../src/server/engine';
import { ChannelHistory } from '../../src/server/history';
import { OutputTail, outputText } from '../../src/server/output-tail';

function event(offset: number, time = 0): ChannelEvent {
  return { channel: 'issue:1', event: 'x', data: offset, offset, epoch: 'e', time, frame: '' };
}

describe('ChannelHistory', () => {
  it('returns the events after an offset', () => {
    const history = new ChannelHistory({ size: 10, ttlMs: 1000 });
    for (let i = 1; i <= 5; i++) history.append(event(i));
    expect(history.after(2, 0)?.map((e) => e.offset)).toEqual([3, 4, 5]);
    expect(history.after(5, 0)).toEqual([]);
    expect(history.after(0, 0)?.map((e) => e.offset)).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps at most `size` events and reports what fell out as lost', () => {
    const history = new ChannelHistory({ size: 3, ttlMs: 1000 });
    for (let i = 1; i <= 1000; i++) history.append(event(i));
    expect(history.size).toBe(3);
    expect(history.after(997, 0)?.map((e) => e.offset)).toEqual([998, 999, 1000]);
    expect(history.after(996, 0)).toBeNull();
  });

  it('forgets events older than the TTL', () => {
    const history = new ChannelHistory({ size: 10, ttlMs: 100 });
    history.append(event(1, 0));
    history.append(event(2, 50));
    expect(history.after(0, 120)).toBeNull();
    expect(history.after(1, 120)?.map((e) => e.offset)).toEqual([2]);
    expect(history.after(1, 200)).toBeNull();
    expect(history.after(2, 200)).toEqual([]);
  });

  it('refuses a position from the future', () => {
    const history = new ChannelHistory({ size: 10, ttlMs: 100 });
    history.append(event(1));
    expect(history.after(7, 0)).toBeNull();
  });
});

describe('OutputTail', () => {
  it('keeps the last lines with their endings, joining partial writes', () => {
    const tail = new OutputTail(3, 1_000_000);
    tail.append('a\r\nb', 1);
    tail.append('c\r\nd\r\ne', 2);
    expect(tail.last(10)).toEqual(['bc\r\n', 'd\r\n', 'e']);
    expect(tail.last(2)).toEqual(['d\r\n', 'e']);
    expect(tail.offset).toBe(2);
  });

  it('is bounded by characters as well as lines', () => {
    const tail = new OutputTail(1000, 10);
    tail.append('12345\n12345\n12345\n', 1);
    expect(tail.last(10)).toEqual(['12345\n']);
  });

  it('reads the text of output and output_batch events only', () => {
    expect(outputText('output', { content: 'x', timestamp: 1 })).toBe('x');
    expect(outputText('output_batch', { lines: ['a', 'b'], timestamp: 1 })).toBe('ab');
    expect(outputText('status_changed', { content: 'x' })).toBeNull();
    expect(outputText('output', null)).toBeNull();
  });
});
