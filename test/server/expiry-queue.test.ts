import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExpiryQueue } from '../../src/server/expiry-queue';

describe('ExpiryQueue', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function queue(): { expiries: ExpiryQueue<string>; expired: string[] } {
    const expired: string[] = [];
    return { expiries: new ExpiryQueue<string>((item) => expired.push(item)), expired };
  }

  it('expires each item once its deadline has passed, earliest first, on one timer', () => {
    const { expiries, expired } = queue();
    const now = Date.now();
    expiries.add('c', now + 300);
    expiries.add('a', now + 100);
    expiries.add('b', now + 200);

    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(99);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(expired).toEqual(['a']);
    vi.advanceTimersByTime(200);
    expect(expired).toEqual(['a', 'b', 'c']);
    expect(expiries.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('expires a deadline already past at once', () => {
    const { expiries, expired } = queue();
    expiries.add('late', Date.now() - 5000);

    vi.advanceTimersByTime(0);

    expect(expired).toEqual(['late']);
  });

  it('never expires a deleted item, and stops its timer when nothing is left', () => {
    const { expiries, expired } = queue();
    expiries.add('gone', Date.now() + 100);
    expiries.add('kept', Date.now() + 200);
    expiries.delete('gone');

    vi.advanceTimersByTime(150);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(50);
    expect(expired).toEqual(['kept']);

    expiries.add('other', Date.now() + 100);
    expiries.delete('other');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('moves an item to its newest deadline, earlier or later, and expires it once', () => {
    const { expiries, expired } = queue();
    expiries.add('x', Date.now() + 100);
    expiries.add('x', Date.now() + 500);

    vi.advanceTimersByTime(400);
    expect(expired).toEqual([]);
    expiries.add('x', Date.now() + 10);
    vi.advanceTimersByTime(1000);

    expect(expired).toEqual(['x']);
  });

  it('waits past the longest setTimeout (~24.8 days) for a later deadline', () => {
    const { expiries, expired } = queue();
    const longest = 2 ** 31 - 1;
    expiries.add('long', Date.now() + longest + 60_000);

    vi.advanceTimersByTime(longest);
    expect(expired).toEqual([]);
    vi.advanceTimersByTime(60_000);

    expect(expired).toEqual(['long']);
  });

  it('keeps no more than a bounded number of deleted entries', () => {
    const { expiries, expired } = queue();
    for (let i = 0; i < 1000; i++) expiries.add(`item-${i}`, Date.now() + 1000 + i);
    for (let i = 0; i < 999; i++) expiries.delete(`item-${i}`);

    const heap = (expiries as unknown as { heap: unknown[] }).heap;
    expect(heap.length).toBeLessThanOrEqual(2 * expiries.size + 16);
    vi.advanceTimersByTime(5000);
    expect(expired).toEqual(['item-999']);
  });

  it('forgets everything on dispose', () => {
    const { expiries, expired } = queue();
    expiries.add('a', Date.now() + 100);
    expiries.dispose();

    vi.advanceTimersByTime(1000);

    expect(expired).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
