import { describe, expect, it } from 'vitest';
import type { ChannelEvent } from '../../src/server/engine';
import { ChannelHistory, HistoryLedger, KEPT_EVENT_OVERHEAD as O } from '../../src/server/history';
import { OutputTail, fitTail } from '../../src/server/output-tail';
import { outputText } from '../../src/shared/output';

/** Half of a surrogate pair without the other half: not text. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function event(offset: number, time = 0, frame = '', channel: ChannelEvent['channel'] = 'issue:1'): ChannelEvent {
  return { channel, event: 'x', data: offset, offset, epoch: 'e', time, frame };
}

const LIMITS = { size: 10, ttlMs: 1000, maxBytes: Infinity };

describe('ChannelHistory', () => {
  it('returns the events after an offset', () => {
    const history = new ChannelHistory(LIMITS);
    for (let i = 1; i <= 5; i++) history.append(event(i));
    expect(history.after(2, 0)?.map((e) => e.offset)).toEqual([3, 4, 5]);
    expect(history.after(5, 0)).toEqual([]);
    expect(history.after(0, 0)?.map((e) => e.offset)).toEqual([1, 2, 3, 4, 5]);
  });

  it('keeps at most `size` events and reports what fell out as lost', () => {
    const history = new ChannelHistory({ ...LIMITS, size: 3 });
    for (let i = 1; i <= 1000; i++) history.append(event(i));
    expect(history.size).toBe(3);
    expect(history.after(997, 0)?.map((e) => e.offset)).toEqual([998, 999, 1000]);
    expect(history.after(996, 0)).toBeNull();
  });

  it('forgets events older than the TTL', () => {
    const history = new ChannelHistory({ ...LIMITS, ttlMs: 100 });
    history.append(event(1, 0));
    history.append(event(2, 50));
    expect(history.after(0, 120)).toBeNull();
    expect(history.after(1, 120)?.map((e) => e.offset)).toEqual([2]);
    expect(history.after(1, 200)).toBeNull();
    expect(history.after(2, 200)).toEqual([]);
  });

  it('keeps at most `maxBytes` of frames, oldest evicted first, and reports them lost', () => {
    const history = new ChannelHistory({ ...LIMITS, maxBytes: 2.5 * (100 + O) });
    for (let i = 1; i <= 5; i++) history.append(event(i, 0, 'x'.repeat(100)));
    expect(history.size).toBe(2);
    expect(history.bytes).toBe(2 * (100 + O));
    expect(history.after(3, 0)?.map((e) => e.offset)).toEqual([4, 5]);
    expect(history.after(2, 0)).toBeNull();
  });

  it('counts a frame in UTF-8 bytes, never less than what the string holds', () => {
    const history = new ChannelHistory({ ...LIMITS, maxBytes: 5 + O });
    history.append(event(1, 0, 'é€'));
    expect(history.bytes).toBe(5 + O);
    history.append(event(2, 0, 'é'));
    expect(history.after(0, 0)).toBeNull();
    expect(history.after(1, 0)?.map((e) => e.offset)).toEqual([2]);
  });

  it('keeps the frame only and reads the payload back from it', () => {
    const history = new ChannelHistory(LIMITS);
    const frame = JSON.stringify({
      type: 'event',
      channel: 'issue:1',
      event: 'x',
      data: { big: 'y' },
      offset: 1,
      epoch: 'e',
    });
    history.append({ ...event(1, 0, frame), data: { big: 'y' } });
    const [kept] = history.after(0, 0)!;
    expect(kept.data).toEqual({ big: 'y' });
    expect(Object.values(kept)).not.toContainEqual({ big: 'y' });
  });

  it('refuses a position from the future', () => {
    const history = new ChannelHistory({ ...LIMITS, ttlMs: 100 });
    history.append(event(1));
    expect(history.after(7, 0)).toBeNull();
  });
});

describe('HistoryLedger', () => {
  it('bounds the bytes of all channels together, evicting the globally oldest event first', () => {
    const ledger = new HistoryLedger(3 * (100 + O), 1000);
    const a = new ChannelHistory(LIMITS, ledger);
    const b = new ChannelHistory(LIMITS, ledger);
    a.append(event(1, 0, 'x'.repeat(100), 'issue:a'));
    b.append(event(1, 1, 'x'.repeat(100), 'issue:b'));
    a.append(event(2, 2, 'x'.repeat(100), 'issue:a'));
    b.append(event(2, 3, 'x'.repeat(100), 'issue:b'));
    ledger.enforce(3);
    expect(ledger.bytes).toBe(3 * (100 + O));
    expect(a.after(0, 3)).toBeNull();
    expect(a.after(1, 3)?.map((e) => e.offset)).toEqual([2]);
    expect(b.after(0, 3)?.map((e) => e.offset)).toEqual([1, 2]);
  });

  it('expires an idle channel without waiting for its next publish', () => {
    const ledger = new HistoryLedger(Infinity, 100);
    const idle = new ChannelHistory({ ...LIMITS, ttlMs: 100 }, ledger);
    idle.append(event(1, 0, 'x'.repeat(100)));
    ledger.enforce(50);
    expect(idle.size).toBe(1);
    ledger.enforce(101);
    expect(idle.size).toBe(0);
    expect(ledger.bytes).toBe(0);
    expect(ledger.kept).toBe(0);
  });

  it('does not grow with events a channel evicted itself', () => {
    const ledger = new HistoryLedger(Infinity, 1_000_000);
    new ChannelHistory(LIMITS, ledger).append(event(1, 0, 'x', 'issue:idle'));
    const busy = new ChannelHistory({ ...LIMITS, size: 3 }, ledger);
    for (let i = 1; i <= 100_000; i++) {
      busy.append(event(i, 1, 'x', 'issue:busy'));
      ledger.enforce(1);
    }
    expect(ledger.kept).toBe(4);
    expect(ledger.entries).toBeLessThanOrEqual(2 * (2 * 4 + 1024) + 1);
  });

  it('does not grow with the events it evicted itself', () => {
    const ledger = new HistoryLedger(Infinity, 10);
    const history = new ChannelHistory({ ...LIMITS, size: 1000, ttlMs: 10 }, ledger);
    for (let i = 1; i <= 100_000; i++) {
      history.append(event(i, i, 'x'));
      ledger.enforce(i);
    }
    expect(ledger.kept).toBe(11);
    expect(ledger.entries).toBeLessThanOrEqual(2 * 1024 + 2);
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

  it('keeps one endless line as pieces, bounded like any other output', () => {
    const tail = new OutputTail(5000, 1000, 100);
    for (let i = 0; i < 150; i++) tail.append('y'.repeat(1000), i + 1);
    const lines = tail.last(5000);
    expect(lines.every((line) => line.length <= 100)).toBe(true);
    expect(tail.chars).toBeLessThanOrEqual(1000 + 100);
    expect(lines.join('')).toBe('y'.repeat(tail.chars));
    tail.append('z\nnext', 151);
    // The last piece was full, so the line's end is a piece of its own.
    expect(tail.last(2)).toEqual(['z\n', 'next']);
  });

  it('never splits a surrogate pair between pieces', () => {
    const tail = new OutputTail(5000, 1_000_000, 4);
    tail.append('ab😀😀😀', 1);
    const lines = tail.last(10);
    expect(lines.join('')).toBe('ab😀😀😀');
    for (const line of lines) expect(line).not.toMatch(LONE_SURROGATE);
  });

  it('fits a tail into a byte budget on the wire, newest lines first', () => {
    const lines = Array.from({ length: 100 }, (_, i) => `\u001b[32mline ${i}\u001b[0m\n`);
    const fitted = fitTail(lines, 2048);
    expect(fitted.length).toBeGreaterThan(0);
    expect(fitted.at(-1)).toBe(lines.at(-1));
    expect(Buffer.byteLength(JSON.stringify(fitted))).toBeLessThanOrEqual(2048 - 512 + 2);
    expect(fitTail(lines, 1_000_000)).toEqual(lines);
  });

  it('reads the text of output and output_batch events only', () => {
    expect(outputText('output', { content: 'x', timestamp: 1 })).toBe('x');
    expect(outputText('output_batch', { lines: ['a', 'b'], timestamp: 1 })).toBe('ab');
    expect(outputText('status_changed', { content: 'x' })).toBeNull();
    expect(outputText('output', null)).toBeNull();
  });
});
