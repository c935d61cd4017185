import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type OutputBatch, OutputBatcher } from '../../src/server/output-batcher';

/** Half of a surrogate pair without the other half: not text. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('OutputBatcher', () => {
  let flushed: Array<{ agentId: string; batch: OutputBatch }>;
  let batcher: OutputBatcher;

  beforeEach(() => {
    vi.useFakeTimers();
    flushed = [];
    batcher = new OutputBatcher({
      intervalMs: 100,
      maxBytes: 256 * 1024,
      flush: (agentId, batch) => flushed.push({ agentId, batch }),
    });
  });

  afterEach(() => {
    batcher.dispose();
    vi.useRealTimers();
  });

  it('turns 10 000 lines written over one second into 10 batches, in order, none lost', () => {
    for (let ms = 0; ms < 1000; ms++) {
      for (let i = 0; i < 10; i++) batcher.push('opus-1', `line ${ms * 10 + i}\n`);
      vi.advanceTimersByTime(1);
    }
    vi.advanceTimersByTime(100);
    expect(flushed).toHaveLength(10);
    const lines = flushed.flatMap((entry) => entry.batch.lines);
    expect(lines).toHaveLength(10_000);
    lines.forEach((line, index) => expect(line).toBe(`line ${index}\n`));
  });

  it('holds no timer while an agent is idle', () => {
    expect(vi.getTimerCount()).toBe(0);
    batcher.push('opus-1', 'x');
    batcher.push('sonnet-2', 'y');
    expect(vi.getTimerCount()).toBe(2);
    vi.advanceTimersByTime(100);
    expect(vi.getTimerCount()).toBe(0);
    expect(batcher.activeAgents).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(flushed).toHaveLength(2);
  });

  it('flushes early once 256 KiB are pending', () => {
    const chunk = 'x'.repeat(64 * 1024);
    for (let i = 0; i < 4; i++) batcher.push('opus-1', chunk);
    expect(flushed).toHaveLength(1);
    expect(flushed[0].batch.lines).toHaveLength(4);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('cuts one write larger than 256 KiB into batches of at most 256 KiB, losing nothing', () => {
    const text = `${'x'.repeat(600 * 1024)}😀${'y'.repeat(100)}`;
    batcher.push('opus-1', 'a');
    batcher.push('opus-1', text);
    vi.advanceTimersByTime(100);
    const sizes = flushed.map((entry) => entry.batch.lines.join('').length);
    expect(sizes.every((size) => size <= 256 * 1024)).toBe(true);
    expect(flushed.flatMap((entry) => entry.batch.lines).join('')).toBe(`a${text}`);
    for (const line of flushed.flatMap((entry) => entry.batch.lines)) expect(line).not.toMatch(LONE_SURROGATE);
  });

  it('batches each agent on its own', () => {
    batcher.push('a', '1');
    batcher.push('b', '2');
    batcher.push('a', '3');
    vi.advanceTimersByTime(100);
    expect(flushed.map((entry) => [entry.agentId, entry.batch.lines])).toEqual([
      ['a', ['1', '3']],
      ['b', ['2']],
    ]);
  });

  it('stamps each batch with the time of its flush', () => {
    vi.setSystemTime(5000);
    batcher.push('a', '1');
    vi.advanceTimersByTime(100);
    expect(flushed[0].batch.timestamp).toBe(5100);
  });

  it('ignores empty writes and drops everything on dispose', () => {
    batcher.push('a', '');
    expect(vi.getTimerCount()).toBe(0);
    batcher.push('a', 'pending');
    batcher.dispose();
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(1000);
    expect(flushed).toEqual([]);
  });
  describe('urgent agents', () => {
    it('flush output written after a quiet spell on the next turn', () => {
      batcher.setUrgent('a', true);
      batcher.push('a', '1');
      batcher.push('a', '2');
      batcher.push('b', 'normal');
      vi.advanceTimersByTime(0);
      expect(flushed.map((entry) => [entry.agentId, entry.batch.lines])).toEqual([['a', ['1', '2']]]);
      vi.advanceTimersByTime(100);
      expect(flushed.map((entry) => entry.agentId)).toEqual(['a', 'b']);
    });

    it('flush a flood every urgentMs (8 ms by default), none lost', () => {
      batcher.setUrgent('a', true);
      for (let ms = 0; ms < 80; ms++) {
        batcher.push('a', `${ms}\n`);
        vi.advanceTimersByTime(1);
      }
      vi.advanceTimersByTime(8);
      // The first write goes out on its own, then one batch per 8 ms.
      expect(flushed.length).toBeGreaterThanOrEqual(10);
      expect(flushed.length).toBeLessThanOrEqual(12);
      for (const entry of flushed.slice(1)) expect(entry.batch.lines.length).toBeLessThanOrEqual(8);
      expect(flushed.flatMap((entry) => entry.batch.lines)).toEqual(Array.from({ length: 80 }, (_, ms) => `${ms}\n`));
    });

    it('bring pending output forward when an agent becomes urgent', () => {
      batcher.push('a', 'waiting');
      vi.advanceTimersByTime(10);
      batcher.setUrgent('a', true);
      vi.advanceTimersByTime(0);
      expect(flushed).toHaveLength(1);
      expect(vi.getTimerCount()).toBe(0);
    });

    it('go back to the normal interval when no longer urgent', () => {
      batcher.setUrgent('a', true);
      batcher.setUrgent('a', false);
      expect(batcher.isUrgent('a')).toBe(false);
      batcher.push('a', '1');
      vi.advanceTimersByTime(99);
      expect(flushed).toHaveLength(0);
      vi.advanceTimersByTime(1);
      expect(flushed).toHaveLength(1);
    });

    it('take their cadence from urgentMs', () => {
      const fast = new OutputBatcher({
        intervalMs: 100,
        urgentMs: 20,
        maxBytes: 1024,
        flush: (agentId, batch) => flushed.push({ agentId, batch }),
      });
      fast.setUrgent('a', true);
      fast.push('a', '1');
      vi.advanceTimersByTime(0);
      fast.push('a', '2');
      vi.advanceTimersByTime(19);
      expect(flushed).toHaveLength(1);
      vi.advanceTimersByTime(1);
      expect(flushed).toHaveLength(2);
      fast.dispose();
    });
  });
});
