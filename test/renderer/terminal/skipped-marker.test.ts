import { describe, expect, it } from 'vitest';
import { OutputRouter, type OutputSink } from '../../../src/renderer/src/lib/output-router';
import { markerLine } from '../../../src/renderer/src/terminal/marker-line';
import { formatBytes, skippedText } from '../../../src/shared/skipped-output';

function recordingSink() {
  const calls: Array<[string, ...unknown[]]> = [];
  const sink: OutputSink = {
    write: (text, history) => void calls.push(['write', text, history]),
    marker: (kind, text) => void calls.push(['marker', kind, text]),
  };
  return { sink, calls };
}

describe('a pane and output the hub skipped', () => {
  it('marks the spot with how much was skipped, between the output before and after it', () => {
    const router = new OutputRouter();
    const { sink, calls } = recordingSink();
    router.add('agent:a', sink);
    router.route([
      { kind: 'output', channel: 'agent:a', text: 'before\n', offset: 3 },
      { kind: 'gap', channel: 'agent:a', skipped: { from: 4, to: 20, events: 17, bytes: 4_400_000 } },
      { kind: 'output', channel: 'agent:a', text: 'after\n', offset: 21 },
      { kind: 'gap', channel: 'agent:a' },
    ]);
    expect(calls).toEqual([
      ['write', 'before\n', undefined],
      ['marker', 'gap', 'skipped 17 events, 4.4 MB of output (came faster than it could be read)'],
      ['write', 'after\n', undefined],
      ['marker', 'gap', 'some output may be missing here'],
    ]);
    // The marker line carries the whole text (wrapped within the pane's width).
    const text = skippedText({ from: 4, to: 20, events: 17, bytes: 4_400_000 });
    // eslint-disable-next-line no-control-regex
    const visible = markerLine('gap', text, 200).replace(/\x1b\[[0-9;]*m/g, '');
    expect(visible.split('\n')[0]).toContain('skipped 17 events, 4.4 MB');
  });

  it('words sizes and counts for people', () => {
    expect([formatBytes(999), formatBytes(1500), formatBytes(2_500_000), formatBytes(3e9)]).toEqual([
      '999 B',
      '1.5 KB',
      '2.5 MB',
      '3.0 GB',
    ]);
    expect(skippedText({ from: 1, to: 1, events: 1, bytes: 10 })).toBe(
      'skipped 1 event, 10 B of output (came faster than it could be read)',
    );
  });
});
