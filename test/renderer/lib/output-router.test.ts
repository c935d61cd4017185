import { describe, expect, it } from 'vitest';
import { OutputRouter, type OutputSink } from '../../../src/renderer/src/lib/output-router';
import type { BridgeDelivery } from '../../../src/shared/relay-delivery';

function sink(takesBytes = false): OutputSink & { texts: string[]; bytes: Uint8Array[]; markers: string[] } {
  const state = {
    texts: [] as string[],
    bytes: [] as Uint8Array[],
    markers: [] as string[],
    write: (text: string, history?: boolean) => void state.texts.push(history ? `[history]${text}` : text),
    marker: (kind: string) => void state.markers.push(kind),
  };
  return takesBytes ? Object.assign(state, { writeBytes: (data: Uint8Array) => void state.bytes.push(data) }) : state;
}

const run = (channel: 'agent:a' | 'agent:b', data: Uint8Array): BridgeDelivery => ({ kind: 'output', channel, data });

describe('OutputRouter', () => {
  it('decodes the relay’s UTF-8 runs for a pane, a character split between two runs included', () => {
    const router = new OutputRouter();
    const pane = sink();
    router.add('agent:a', pane);
    const bytes = new TextEncoder().encode('naïve ✓\n');
    const split = bytes.indexOf(0x9c); // inside ✓ (e2 9c 93)
    router.route([run('agent:a', bytes.subarray(0, split)), run('agent:a', bytes.subarray(split))]);
    expect(pane.texts.join('')).toBe('naïve ✓\n');
  });

  it('keeps one decoder per channel, so one channel’s half character never joins another’s', () => {
    const router = new OutputRouter();
    const a = sink();
    const b = sink();
    router.add('agent:a', a);
    router.add('agent:b', b);
    const check = new TextEncoder().encode('✓');
    router.route([run('agent:a', check.subarray(0, 1)), run('agent:b', new TextEncoder().encode('b'))]);
    router.route([run('agent:a', check.subarray(1))]);
    expect(a.texts.join('')).toBe('✓');
    expect(b.texts).toEqual(['b']);
  });

  it('hands the bytes themselves to a pane that takes them, and text to the web edition’s deliveries', () => {
    const router = new OutputRouter();
    const bytesPane = sink(true);
    const textPane = sink();
    router.add('agent:a', bytesPane);
    router.add('agent:a', textPane);
    const data = new TextEncoder().encode('hi\n');
    router.route([
      { kind: 'tail', channel: 'agent:a', text: 'old\n' },
      { kind: 'subscribed', channel: 'agent:a', resumed: false },
      run('agent:a', data),
      { kind: 'output', channel: 'agent:a', text: 'web\n' },
    ]);
    expect(bytesPane.bytes).toEqual([data]);
    expect(bytesPane.texts).toEqual(['[history]old\n', 'web\n']);
    expect(textPane.texts).toEqual(['[history]old\n', 'hi\n', 'web\n']);
    expect(textPane.markers).toEqual(['live']);
  });
});
