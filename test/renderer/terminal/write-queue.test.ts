import { describe, expect, it } from 'vitest';
import { DEFAULT_MAX_CHUNK, WriteQueue, type WriteQueueOptions } from '../../../src/renderer/src/terminal/write-queue';

/** A consumer that acknowledges only when told to, recording the most it ever held. */
function slowConsumer(options?: WriteQueueOptions) {
  const pending: Array<{ chunk: string; done: () => void }> = [];
  const written: string[] = [];
  let maxChunks = 0;
  let maxChars = 0;
  const queue = new WriteQueue((chunk, done) => {
    pending.push({ chunk, done });
    written.push(chunk);
    maxChunks = Math.max(maxChunks, pending.length);
    maxChars = Math.max(
      maxChars,
      pending.reduce((sum, entry) => sum + entry.chunk.length, 0),
    );
  }, options);
  return {
    queue,
    written,
    pending,
    get maxChunks() {
      return maxChunks;
    },
    get maxChars() {
      return maxChars;
    },
    /** Acknowledges the oldest chunk in flight. */
    ackOne() {
      pending.shift()?.done();
    },
    ackAll() {
      while (pending.length > 0) pending.shift()?.done();
    },
  };
}

describe('WriteQueue', () => {
  it('never has more than two 64 KiB chunks in flight during a flood', () => {
    const consumer = slowConsumer();
    for (let index = 0; index < 2000; index++) consumer.queue.push(`line ${index} `.padEnd(1000, '.') + '\n');
    expect(consumer.queue.inFlight).toBe(2);
    let acks = 0;
    while (consumer.pending.length > 0) {
      consumer.ackOne();
      acks++;
      expect(consumer.queue.inFlight).toBeLessThanOrEqual(2);
      expect(consumer.queue.inFlightChars).toBeLessThanOrEqual(2 * DEFAULT_MAX_CHUNK);
    }
    expect(acks).toBeGreaterThan(2);
    expect(consumer.maxChunks).toBe(2);
    expect(consumer.maxChars).toBeLessThanOrEqual(2 * DEFAULT_MAX_CHUNK);
  });

  it('hands over chunks of at most 64 KiB and splits one huge write', () => {
    const consumer = slowConsumer();
    consumer.queue.push('x'.repeat(200_000));
    consumer.ackAll();
    expect(consumer.written.map((chunk) => chunk.length)).toEqual([65_536, 65_536, 65_536, 200_000 - 3 * 65_536]);
  });

  it('coalesces small writes into one chunk', () => {
    const consumer = slowConsumer({ maxInFlight: 1 });
    consumer.queue.push('first\n');
    for (let index = 0; index < 100; index++) consumer.queue.push(`${index}\n`);
    expect(consumer.written).toEqual(['first\n']);
    consumer.ackAll();
    expect(consumer.written).toHaveLength(2);
    expect(consumer.written[1]).toBe(Array.from({ length: 100 }, (_, index) => `${index}\n`).join(''));
  });

  it('preserves order across chunk boundaries and drains fully', async () => {
    const consumer = slowConsumer({ maxChunk: 1000 });
    const lines = Array.from({ length: 5000 }, (_, index) => `line ${index}\n`);
    for (const line of lines) consumer.queue.push(line);
    expect(consumer.queue.idle).toBe(false);
    const idle = consumer.queue.whenIdle();
    consumer.ackAll();
    await idle;
    expect(consumer.written.join('')).toBe(lines.join(''));
    expect(consumer.written.every((chunk) => chunk.length <= 1000)).toBe(true);
    expect(consumer.queue.pendingChars).toBe(0);
    expect(consumer.queue.inFlight).toBe(0);
    expect(consumer.queue.idle).toBe(true);
  });

  it('keeps working when the consumer acknowledges synchronously', () => {
    const chunks: string[] = [];
    const queue = new WriteQueue(
      (chunk, done) => {
        chunks.push(chunk);
        done();
      },
      { maxChunk: 10 },
    );
    queue.push('a'.repeat(95));
    expect(chunks.map((chunk) => chunk.length)).toEqual([10, 10, 10, 10, 10, 10, 10, 10, 10, 5]);
    expect(queue.idle).toBe(true);
  });

  it('ignores an acknowledgement given twice', () => {
    const dones: Array<() => void> = [];
    const queue = new WriteQueue((_chunk, done) => dones.push(done), { maxChunk: 4, maxInFlight: 2 });
    queue.push('aaaabbbbccccdddd');
    dones[0]();
    dones[0]();
    expect(queue.inFlight).toBe(2);
    expect(dones).toHaveLength(3);
  });

  it('never splits a surrogate pair', () => {
    const consumer = slowConsumer({ maxChunk: 4 });
    consumer.queue.push('abc😀def');
    consumer.ackAll();
    expect(consumer.written).toEqual(['abc', '😀de', 'f']);
  });

  it('runs an action once everything before it is acknowledged, and before anything after it is handed over', () => {
    const events: string[] = [];
    const consumer = slowConsumer({ maxChunk: 4 });
    consumer.queue.push('12345678');
    consumer.queue.pushAction(() => events.push(`action after ${consumer.written.join('')}`));
    consumer.queue.push('after');
    expect(events).toEqual([]);
    consumer.ackOne();
    expect(events).toEqual([]);
    consumer.ackOne();
    expect(events).toEqual(['action after 12345678']);
    consumer.ackAll();
    expect(consumer.written.join('')).toBe('12345678after');
  });

  it('runs an action at once when nothing is queued', () => {
    const queue = new WriteQueue(() => {});
    let ran = false;
    queue.pushAction(() => (ran = true));
    expect(ran).toBe(true);
  });

  it('drops the oldest queued text past maxPending and writes a notice where it was', () => {
    const consumer = slowConsumer({
      maxChunk: 100,
      maxInFlight: 1,
      maxPending: 1000,
      describeDrop: (chars) => `[dropped ${chars}]`,
    });
    for (let index = 0; index < 30; index++) consumer.queue.push(`${String(index).padStart(2, '0')}`.padEnd(100, '.'));
    // One chunk in flight, never more than maxPending waiting.
    expect(consumer.queue.pendingChars).toBeLessThanOrEqual(1000);
    expect(consumer.queue.droppedChars).toBeGreaterThan(0);
    consumer.ackAll();
    const text = consumer.written.join('');
    expect(text.startsWith('00')).toBe(true);
    expect(text).toMatch(/\[dropped \d+\]/);
    expect(text.endsWith('29'.padEnd(100, '.'))).toBe(true);
    const dropped = Number(/\[dropped (\d+)\]/.exec(text)?.[1]);
    expect(dropped).toBe(consumer.queue.droppedChars);
    expect(text.length - `[dropped ${dropped}]`.length + dropped).toBe(30 * 100);
  });

  it('writes nothing and ignores late acknowledgements after dispose', () => {
    const consumer = slowConsumer({ maxChunk: 4 });
    consumer.queue.push('aaaabbbbcccc');
    consumer.queue.dispose();
    consumer.ackAll();
    consumer.queue.push('more');
    expect(consumer.written).toEqual(['aaaa', 'bbbb']);
  });

  it('rejects limits that cannot work', () => {
    expect(() => new WriteQueue(() => {}, { maxChunk: 1 })).toThrow(RangeError);
    expect(() => new WriteQueue(() => {}, { maxInFlight: 0 })).toThrow(RangeError);
    expect(() => new WriteQueue(() => {}, { maxChunk: 100, maxPending: 10 })).toThrow(RangeError);
  });
});
