import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Delivery } from '../../src/client/delivery';
import { DeliveryBatcher } from '../../src/client/delivery-batcher';

const event = (n: number, content = 'x'): Delivery => ({
  kind: 'event',
  channel: 'agent:a',
  event: 'output',
  data: { timestamp: 0, content },
  offset: n,
});

describe('DeliveryBatcher', () => {
  let batches: Delivery[][];
  let batcher: DeliveryBatcher;
  beforeEach(() => {
    vi.useFakeTimers();
    batches = [];
    batcher = new DeliveryBatcher({ flushMs: 16, maxBytes: 10_000 }, (batch) => batches.push(batch));
  });
  afterEach(() => {
    batcher.dispose();
    vi.useRealTimers();
  });

  it('hands a flood over in few batches, in order', () => {
    for (let i = 1; i <= 100; i++) {
      batcher.push(event(i), false);
      if (i % 10 === 0) vi.advanceTimersByTime(1);
    }
    vi.advanceTimersByTime(16);
    expect(batches).toHaveLength(1);
    expect(batches[0].map((d) => (d as { offset: number }).offset)).toEqual(
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
  });

  it('flushes within 16 ms of the first delivery', () => {
    batcher.push(event(1), false);
    vi.advanceTimersByTime(15);
    expect(batches).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(batches).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('flushes at once past the size limit', () => {
    batcher.push(event(1, 'y'.repeat(20_000)), false);
    expect(batches).toHaveLength(1);
  });

  it('flushes urgent deliveries on the next turn, taking queued ones along in order', () => {
    batcher.push(event(1), false);
    batcher.push(event(2), true);
    vi.advanceTimersByTime(0);
    expect(batches.map((b) => b.length)).toEqual([2]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
