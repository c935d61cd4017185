import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RelayBatcher } from '../../src/main/relay-batcher';
import type { Delivery } from '../../src/shared/delivery';
import type { Channel } from '../../src/shared/protocol';
import type { RelayDelivery } from '../../src/shared/relay-delivery';

const output = (channel: Channel, text: string, offset?: number, epoch?: string): Delivery => ({
  kind: 'output',
  channel,
  text,
  ...(offset === undefined ? {} : { offset }),
  ...(epoch === undefined ? {} : { epoch }),
});
const decode = (delivery: RelayDelivery | undefined) =>
  delivery?.kind === 'output' ? new TextDecoder().decode(delivery.data) : null;

function batcher(options = {}) {
  const batches: RelayDelivery[][] = [];
  return { batches, relay: new RelayBatcher(options, (batch) => void batches.push(batch)) };
}

describe('RelayBatcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends everything queued within 16 ms as one batch, each channel’s output as one UTF-8 buffer', () => {
    const { relay, batches } = batcher();
    relay.push(output('agent:a', 'one ', 1), false);
    relay.push(output('agent:b', 'beta', 1), false);
    relay.push(output('agent:a', 'two ', 2), false);
    relay.push(output('agent:a', 'três ✓\n', 3), false);
    vi.advanceTimersByTime(15);
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(batches).toHaveLength(1);
    const [batch] = batches;
    expect(batch.map((d) => [d.channel, decode(d), d.kind === 'output' ? d.offset : null])).toEqual([
      ['agent:a', 'one two três ✓\n', 3],
      ['agent:b', 'beta', 1],
    ]);
    expect(batch[0].kind === 'output' && batch[0].data).toBeInstanceOf(Uint8Array);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('encodes a character whose UTF-16 halves came in two events whole', () => {
    const { relay, batches } = batcher();
    const smile = '😀';
    relay.push(output('agent:a', `é${smile[0]}`), false);
    relay.push(output('agent:a', smile[1]), false);
    relay.push(output('agent:a', `ü${smile[0]}`), false);
    relay.push(output('agent:a', `${smile[1]}!`), false);
    relay.flush();
    expect(decode(batches[0][0])).toBe(`é${smile}ü${smile}!`);
  });

  it('keeps a channel’s order: output after its own notice starts a new run after it', () => {
    const { relay, batches } = batcher();
    const notice: Delivery = { kind: 'resync', channel: 'agent:a', newEpoch: false };
    relay.push(output('agent:a', 'before'), false);
    relay.push(output('agent:b', 'b1'), false);
    relay.push(notice, false);
    relay.push(output('agent:a', 'after'), false);
    relay.push(output('agent:b', 'b2'), false);
    relay.flush();
    expect(batches[0].map((d) => (d.kind === 'output' ? `${d.channel}:${decode(d)}` : d.kind))).toEqual([
      'agent:a:before',
      'agent:b:b1b2',
      'resync',
      'agent:a:after',
    ]);
  });

  it('closes every channel’s run at an error without a channel, and at a new epoch', () => {
    const { relay, batches } = batcher();
    relay.push(output('agent:a', 'x', 1, 'e1'), false);
    relay.push({ kind: 'error', code: 'rate_limited', message: 'slow down' }, false);
    relay.push(output('agent:a', 'y', 2, 'e1'), false);
    relay.push(output('agent:a', 'z', 1, 'e2'), false);
    relay.flush();
    expect(batches[0].map((d) => (d.kind === 'output' ? `${decode(d)}@${d.epoch}` : d.kind))).toEqual([
      'x@e1',
      'error',
      'y@e1',
      'z@e2',
    ]);
  });

  it('keeps the newest activity record of a run and drops an offset the last event lacks', () => {
    const { relay, batches } = batcher();
    const change = (at: number) => ({
      agent: { agentId: 'a', status: 'working' as const, lastActivityAt: at },
      before: {},
    });
    relay.push({ kind: 'output', channel: 'agent:a', text: 'x', offset: 1, change: change(1) }, false);
    relay.push({ kind: 'output', channel: 'agent:a', text: 'y', change: change(2) }, false);
    relay.flush();
    expect(batches[0][0]).toMatchObject({ change: change(2) });
    expect(batches[0][0]).not.toHaveProperty('offset');
  });

  it('flushes on the next turn for an urgent delivery, and at once at the size limit', () => {
    const { relay, batches } = batcher({ maxBytes: 100 });
    relay.push(output('agent:a', 'x'), true);
    vi.advanceTimersByTime(0);
    expect(batches).toHaveLength(1);
    relay.push(output('agent:a', 'y'.repeat(100)), false);
    expect(batches).toHaveLength(2);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects options that cannot work, naming the option', () => {
    expect(() => new RelayBatcher({ flushMs: -1 }, () => {})).toThrow(/flushMs/);
    expect(() => new RelayBatcher({ maxBytes: 0 }, () => {})).toThrow(/maxBytes/);
  });

  it('drops what is queued on dispose, timers included', () => {
    const { relay, batches } = batcher();
    relay.push(output('agent:a', 'x'), false);
    relay.dispose();
    vi.advanceTimersByTime(100);
    expect(batches).toEqual([]);
    expect(relay.pending).toBe(0);
  });
});
