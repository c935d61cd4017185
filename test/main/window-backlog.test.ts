import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WindowBacklog } from '../../src/main/window-backlog';
import type { RelayDelivery } from '../../src/shared/relay-delivery';

const run = (text: string, offset: number): RelayDelivery => ({
  kind: 'output',
  channel: 'agent:a',
  data: new TextEncoder().encode(text),
  offset,
});

describe('WindowBacklog', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('joins a channel’s runs into one buffer and sends after flushMs, leaving the runs it got unchanged', () => {
    const sent: RelayDelivery[][] = [];
    const backlog = new WindowBacklog({ flushMs: 250, maxBytes: 1024 }, (batch) => void sent.push(batch));
    const first = run('a\n', 1);
    backlog.push([first]);
    backlog.push([{ kind: 'subscribed', channel: 'agent:b', resumed: true }, run('b\n', 2)]);
    vi.advanceTimersByTime(249);
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(sent).toEqual([[run('a\nb\n', 2), { kind: 'subscribed', channel: 'agent:b', resumed: true }]]);
    expect(first).toEqual(run('a\n', 1));
  });

  // A notice counts as 64 bytes, output as its length.
  it('starts a new run after a notice of the same channel, and sends at once past maxBytes', () => {
    const sent: RelayDelivery[][] = [];
    const backlog = new WindowBacklog({ flushMs: 250, maxBytes: 80 }, (batch) => void sent.push(batch));
    backlog.push([run('a', 1), { kind: 'gap', channel: 'agent:a' }, run('b', 2)]);
    expect(sent).toEqual([]);
    backlog.push([run('12345678901234', 3)]);
    expect(sent).toEqual([[run('a', 1), { kind: 'gap', channel: 'agent:a' }, run('b12345678901234', 3)]]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
