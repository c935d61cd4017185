import { describe, expect, it } from 'vitest';
import { ChannelStore, DEFAULT_OUTPUT_TAIL } from '../../src/client/index';
import type { Delivery } from '../../src/shared/delivery';

describe('ChannelStore (the client core’s one board and output tails)', () => {
  it('applies snapshots and events through the one reducer, recording each change on its delivery', () => {
    const store = new ChannelStore(null);
    const created: Delivery = {
      kind: 'event',
      channel: 'project:alpha',
      event: 'issue_created',
      data: { issueId: '42', title: 'T' },
    };
    const snapshot: Delivery = {
      kind: 'snapshot',
      channel: 'project:alpha',
      data: { issues: [{ issueId: '7', projectId: 'alpha' }], agents: [{ agentId: 'a', status: 'idle' }] },
    };
    store.apply([snapshot, created], 10);
    // The project comes from the channel when the payload has none.
    expect(store.board.issues.get('42')).toMatchObject({ issueId: '42', projectId: 'alpha', title: 'T' });
    expect(created.kind === 'event' && created.change).toEqual({
      issue: store.board.issues.get('42'),
      before: {},
    });
    expect(store.snapshot('project:alpha').issues.map((issue) => issue.issueId)).toEqual(['7', '42']);

    const status: Delivery = {
      kind: 'event',
      channel: 'agent:a',
      event: 'agent_status',
      data: { agentId: 'a', status: 'waiting_for_input' },
    };
    store.apply([status], 20);
    expect(status.kind === 'event' && status.change?.before.agent?.status).toBe('idle');
    expect(status.kind === 'event' && status.change?.agent?.status).toBe('waiting_for_input');
  });

  it('lets a fresh snapshot replace its channel: what it lacks is removed, and listed on the delivery', () => {
    const store = new ChannelStore(null);
    const event = (channel: 'project:alpha' | 'project:beta', name: string, data: object): Delivery => ({
      kind: 'event',
      channel,
      event: name,
      data,
    });
    store.apply(
      [
        event('project:alpha', 'issue_created', { issueId: '1', status: 'todo' }),
        event('project:alpha', 'issue_created', { issueId: '2', status: 'todo' }),
        event('project:alpha', 'agent_started', { agentId: 'gone', issueId: '2' }),
        event('project:alpha', 'agent_started', { agentId: 'kept', issueId: '1' }),
        event('project:beta', 'issue_created', { issueId: '9' }),
        event('project:beta', 'agent_started', { agentId: 'other', issueId: '9' }),
      ],
      1,
    );
    // The hub restarted and knows only issue 1 and agent "kept" of project alpha.
    const fresh: Delivery = {
      kind: 'snapshot',
      channel: 'project:alpha',
      data: {
        issues: [{ issueId: '1', projectId: 'alpha', status: 'in_progress' }],
        agents: [{ agentId: 'kept', status: 'working', projectId: 'alpha' }],
      },
    };
    store.apply([{ kind: 'resync', channel: 'project:alpha', newEpoch: true }, fresh], 2);
    expect([...store.board.issues.keys()].sort()).toEqual(['1', '9']);
    expect([...store.board.agents.keys()].sort()).toEqual(['kept', 'other']);
    expect(store.board.issues.get('1')?.status).toBe('in_progress');
    expect(fresh.kind === 'snapshot' && fresh.removed).toEqual({ issues: ['2'], agents: ['gone'] });

    // A snapshot that removes nothing says nothing; another project's records are not its to remove.
    const same: Delivery = {
      kind: 'snapshot',
      channel: 'project:alpha',
      data: fresh.kind === 'snapshot' ? fresh.data : { issues: [], agents: [] },
    };
    store.apply([same], 3);
    expect(same).not.toHaveProperty('removed');
    // issue: and agent: channels own only their own record, not the ones they carry by relation.
    const issueSnapshot: Delivery = { kind: 'snapshot', channel: 'issue:9', data: { issues: [], agents: [] } };
    store.apply([issueSnapshot], 4);
    expect(issueSnapshot.kind === 'snapshot' && issueSnapshot.removed).toEqual({ issues: ['9'], agents: [] });
    expect(store.board.agents.has('other')).toBe(true);
    const agentSnapshot: Delivery = { kind: 'snapshot', channel: 'agent:other', data: { issues: [], agents: [] } };
    store.apply([agentSnapshot], 5);
    expect(agentSnapshot.kind === 'snapshot' && agentSnapshot.removed).toEqual({ issues: [], agents: ['other'] });
  });

  it('leaves an event that changes nothing without a change (unknown event, invalid payload)', () => {
    const store = new ChannelStore(null);
    const unknown: Delivery = { kind: 'event', channel: 'issue:1', event: 'comment_added', data: { issueId: '1' } };
    const invalid: Delivery = {
      kind: 'event',
      channel: 'issue:1',
      event: 'issue_updated',
      data: { issueId: '1', title: {} },
    };
    store.apply([unknown, invalid], 1);
    expect(unknown).not.toHaveProperty('change');
    expect(invalid).not.toHaveProperty('change');
    expect(store.board.issues.size).toBe(0);
  });

  it('keeps each agent channel’s output tail, moves its activity, and starts over on tail or resync', () => {
    const store = new ChannelStore(DEFAULT_OUTPUT_TAIL);
    const out = (text: string): Delivery => ({ kind: 'output', channel: 'agent:a', text });
    store.apply([{ kind: 'tail', channel: 'agent:a', text: 'one\ntwo\n' }, out('three\nfo'), out('ur\n')], 5);
    expect(store.tailText('agent:a', 2)).toBe('three\nfour\n');
    expect(store.tailText('agent:a', 10)).toBe('one\ntwo\nthree\nfour\n');
    expect(store.board.agents.get('a')).toEqual({ agentId: 'a', status: 'working', lastActivityAt: 5, statusSince: 5 });
    const later = out('five\n');
    store.apply([later], 9);
    expect(later.kind === 'output' && later.change?.agent?.lastActivityAt).toBe(9);
    store.apply([{ kind: 'resync', channel: 'agent:a', newEpoch: false }], 10);
    expect(store.tailText('agent:a', 10)).toBe('');
    store.apply([out('x\n'), { kind: 'tail', channel: 'agent:a', text: 'fresh\n' }], 11);
    expect(store.tailText('agent:a', 10)).toBe('fresh\n');
    store.forget('agent:a');
    expect(store.tailText('agent:a', 10)).toBe('');
    // The board outlives the tail.
    expect(store.board.agents.get('a')?.lastActivityAt).toBe(11);
  });

  it('keeps no output at all when asked not to', () => {
    const store = new ChannelStore(null);
    store.apply([{ kind: 'output', channel: 'agent:a', text: 'hello\n' }], 1);
    expect(store.tailText('agent:a', 10)).toBe('');
    expect(store.board.agents.get('a')?.lastActivityAt).toBe(1);
  });
});
