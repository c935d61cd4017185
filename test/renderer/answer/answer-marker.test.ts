import { describe, expect, it } from 'vitest';
import { OutputRouter, type OutputSink } from '../../../src/renderer/src/lib/output-router';
import { describeInput, type InputSent } from '../../../src/shared/agent-input';
import type { Delivery } from '../../../src/shared/delivery';

function recordingSink() {
  const calls: Array<[string, ...unknown[]]> = [];
  const sink: OutputSink = {
    write: (text, history) => void calls.push(['write', text, history]),
    marker: (kind, text) => void calls.push(['marker', kind, text]),
  };
  return { sink, calls };
}

const sentData = (extra: Partial<InputSent> = {}): InputSent => ({
  inputId: 'in-1',
  agentId: 'agent-1',
  action: 'reply',
  text: 'use   the\nstaging db',
  by: 'ana',
  at: 1,
  ...extra,
});

describe('OutputRouter: answers in the pane', () => {
  it('turns each input_sent into one answer marker: who, and what they answered', () => {
    const router = new OutputRouter();
    const { sink, calls } = recordingSink();
    router.add('agent:agent-1', sink);
    const approve = sentData({ action: 'approve', text: undefined, by: 'bo' });
    router.route([
      { kind: 'event', channel: 'agent:agent-1', event: 'input_sent', data: sentData() },
      { kind: 'event', channel: 'agent:agent-1', event: 'input_sent', data: approve },
    ]);
    expect(calls).toEqual([
      ['marker', 'answer', `ana ${describeInput(sentData())}`],
      ['marker', 'answer', 'bo approved'],
    ]);
    expect(calls[0][2]).toBe('ana replied “use the staging db”');
  });

  it('makes no marker of any other event, of errors, or of input_sent on another agent’s channel', () => {
    const router = new OutputRouter();
    const { sink, calls } = recordingSink();
    router.add('agent:agent-1', sink);
    const batch: Delivery[] = [
      { kind: 'event', channel: 'agent:agent-1', event: 'agent_status', data: { agentId: 'agent-1' } },
      { kind: 'event', channel: 'agent:agent-1', event: 'input_sent_later', data: sentData() },
      { kind: 'error', channel: 'agent:agent-1', code: 'invalid_event', message: 'invalid input_sent payload dropped' },
      { kind: 'event', channel: 'agent:agent-2', event: 'input_sent', data: sentData({ agentId: 'agent-2' }) },
    ];
    router.route(batch);
    expect(calls).toEqual([]);
  });
});
