import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Delivery } from '../../src/client/delivery';
import { DEFAULT_DELIVERY_BATCH, DeliveryBatcher } from '../../src/client/delivery-batcher';
import type { Channel } from '../../src/shared/protocol';

/** A board event: never joined. */
const event = (n: number): Delivery => ({
  kind: 'event',
  channel: 'agent:a',
  event: 'agent_status',
  data: { agentId: 'a', status: 'working' },
  offset: n,
});
type Output = Extract<Delivery, { kind: 'output' }>;
const output = (n: number, text = 'x', channel: Channel = 'agent:a'): Output => ({
  kind: 'output',
  channel,
  text,
  offset: n,
  epoch: 'e1',
});

describe('DeliveryBatcher', () => {
  let batches: Delivery[][];
  let batcher: DeliveryBatcher;
  beforeEach(() => {
    vi.useFakeTimers();
    batches = [];
    batcher = new DeliveryBatcher({ ...DEFAULT_DELIVERY_BATCH, maxBytes: 10_000 }, (batch) => batches.push(batch));
  });
  afterEach(() => {
    batcher.dispose();
    vi.useRealTimers();
  });

  it('hands a flood over in few batches, in order', () => {
    for (let i = 1; i <= 100; i++) {
      // Two channels taking turns: nothing to join.
      batcher.push(output(i, 'x', i % 2 === 0 ? 'agent:a' : 'agent:b'));
      if (i % 10 === 0) vi.advanceTimersByTime(1);
    }
    vi.advanceTimersByTime(16);
    expect(batches).toHaveLength(1);
    expect(batches[0].map((d) => (d as { offset: number }).offset)).toEqual(
      Array.from({ length: 100 }, (_, i) => i + 1),
    );
  });

  it('flushes within 16 ms of the first delivery', () => {
    batcher.push(event(1));
    vi.advanceTimersByTime(15);
    expect(batches).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(batches).toHaveLength(1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('flushes at once past the size limit', () => {
    batcher.push(output(1, 'y'.repeat(20_000)));
    expect(batches).toHaveLength(1);
  });

  it('flushes deliveries batched upstream on the next turn, taking queued ones along in order', () => {
    batcher.push(event(1));
    batcher.push(output(2), 'tick');
    batcher.push(output(3), 'tick');
    expect(batches).toHaveLength(0);
    vi.advanceTimersByTime(0);
    expect(batches.map((b) => b.length)).toEqual([2]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('flushes urgent deliveries once the current frame is handled, without a timer', async () => {
    batcher.push(event(1));
    batcher.push(output(2), 'now');
    batcher.push(output(3), 'now');
    expect(batches).toHaveLength(0);
    await Promise.resolve();
    expect(batches).toEqual([[event(1), { ...output(2), text: 'xx', offset: 3 }]]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not flush twice when a flush came before the queued urgent one', async () => {
    batcher.push(output(1), 'now');
    batcher.flush();
    batcher.push(output(2));
    await Promise.resolve();
    expect(batches).toHaveLength(1);
    vi.advanceTimersByTime(16);
    expect(batches).toHaveLength(2);
  });

  it('joins consecutive output of one channel into one delivery with the last offset', () => {
    batcher.push(output(1, 'a'));
    batcher.push(output(2, 'b'));
    batcher.push(output(1, 'other', 'agent:b'));
    batcher.push(output(3, 'c'));
    batcher.push(event(4));
    batcher.push(output(5, 'd'));
    batcher.push(output(6, 'e'));
    vi.advanceTimersByTime(16);
    expect(batches).toEqual([
      [
        { kind: 'output', channel: 'agent:a', text: 'ab', offset: 2, epoch: 'e1' },
        output(1, 'other', 'agent:b'),
        output(3, 'c'),
        event(4),
        { kind: 'output', channel: 'agent:a', text: 'de', offset: 6, epoch: 'e1' },
      ],
    ]);
  });

  it('never mutates a pushed delivery (another batcher may hold the same object)', () => {
    const first = output(1, 'a');
    const second = output(2, 'b');
    const other = new DeliveryBatcher(DEFAULT_DELIVERY_BATCH, (batch) => batches.push(batch));
    other.push(first);
    batcher.push(first);
    batcher.push(second);
    batcher.push(output(3, 'c'));
    batcher.flush();
    other.flush();
    expect(first).toEqual(output(1, 'a'));
    expect(second).toEqual(output(2, 'b'));
    expect(batches).toEqual([[{ kind: 'output', channel: 'agent:a', text: 'abc', offset: 3, epoch: 'e1' }], [first]]);
  });

  it('does not join across epochs, and keeps the newest activity change', () => {
    const agent = { agentId: 'a', status: 'working' as const };
    batcher.push({ ...output(1, 'a'), change: { agent: { ...agent, lastActivityAt: 1 }, before: {} } });
    batcher.push({ ...output(2, 'b'), change: { agent: { ...agent, lastActivityAt: 2 }, before: {} } });
    batcher.push({ ...output(1, 'c'), epoch: 'e2' });
    batcher.flush();
    expect(batches[0]).toHaveLength(2);
    expect(batches[0][0]).toMatchObject({ text: 'ab', change: { agent: { lastActivityAt: 2 } } });
    expect(batches[0][1]).toMatchObject({ text: 'c', epoch: 'e2' });
  });

  it('keeps one delivery per event when joining is off', () => {
    const separate = new DeliveryBatcher({ ...DEFAULT_DELIVERY_BATCH, joinOutput: false }, (batch) =>
      batches.push(batch),
    );
    separate.push(output(1, 'a'));
    separate.push(output(2, 'b'));
    separate.flush();
    expect(batches).toEqual([[output(1, 'a'), output(2, 'b')]]);
  });

  it('with flushMs 0 hands a task’s deliveries on as one batch when the task ends, with no timer', async () => {
    const immediate = new DeliveryBatcher({ ...DEFAULT_DELIVERY_BATCH, flushMs: 0, joinOutput: false }, (batch) =>
      batches.push(batch),
    );
    immediate.push(output(1, 'a'), 'frame');
    immediate.push(output(2, 'b'), 'tick');
    expect(batches).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
    await Promise.resolve();
    expect(batches).toEqual([[output(1, 'a'), output(2, 'b')]]);
    immediate.push(output(3, 'c'), 'frame');
    await Promise.resolve();
    expect(batches).toHaveLength(2);
  });
});
