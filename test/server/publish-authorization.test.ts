import { describe, expect, it } from 'vitest';
import { mayAccess } from '../../src/server/auth';
import { publishGuard } from '../../src/server/publish-authorization';
import type { Channel } from '../../src/shared/protocol';

/** The decision for a publisher holding `channels`, given the issue's stored project. */
function decision(channels: string[], channel: Channel, event: string, data: unknown, stored?: string): string {
  const may = (granted: Channel) => mayAccess({ user: 't', channels, publish: true, expiresAt: null }, granted);
  return publishGuard(may, channel, event, data).decide(stored)?.code ?? 'allowed';
}

describe('publishGuard', () => {
  it.each([
    {
      name: 'an issue in a project it holds',
      channels: ['project:a'],
      on: 'project:a',
      stored: 'a',
      expected: 'allowed',
    },
    {
      name: 'an issue it holds by id, in any project',
      channels: ['issue:1'],
      on: 'issue:1',
      stored: 'b',
      expected: 'allowed',
    },
    {
      name: 'an issue stored in a project it does not hold',
      channels: ['project:a'],
      on: 'project:a',
      stored: 'b',
      expected: 'forbidden',
    },
    {
      // On project:a a payload without a project belongs to a: the publisher may create it there.
      name: 'a new issue on its project channel, by project grant',
      channels: ['project:a'],
      on: 'project:a',
      stored: undefined,
      expected: 'allowed',
    },
    {
      name: 'a new issue without a project, by project grant only',
      channels: ['project:a'],
      on: 'issue:1',
      stored: undefined,
      expected: 'forbidden',
    },
  ])('decides $name: $expected', ({ channels, on, stored, expected }) => {
    expect(decision(channels, on as Channel, 'status_changed', { issueId: '1', newStatus: 'done' }, stored)).toBe(
      expected,
    );
  });

  it('puts an agent started without a project in its issue\u2019s stored project, which it must hold', () => {
    const data = { agentId: 'x', issueId: '1' };

    expect(decision(['agent:x', 'issue:1'], 'agent:x', 'agent_started', data, 'b')).toBe('forbidden');
    expect(decision(['agent:x', 'issue:1', 'project:b'], 'agent:x', 'agent_started', data, 'b')).toBe('allowed');
    expect(decision(['agent:x', 'issue:1'], 'agent:x', 'agent_started', data, undefined)).toBe('allowed');
  });

  it('asks the engine for the stored project of the one issue an event writes, and of none otherwise', () => {
    const may = () => true;

    expect(publishGuard(may, 'agent:x', 'agent_started', { agentId: 'x', issueId: '7' }).issueId).toBe('7');
    expect(
      publishGuard(may, 'agent:x', 'agent_status', { agentId: 'x', status: 'idle', issueId: '7' }).issueId,
    ).toBeUndefined();
    expect(publishGuard(may, 'agent:x', 'output', { timestamp: 1, content: '' }).issueId).toBeUndefined();
  });
});

describe('publishGuard rules, one by one', () => {
  const all = () => true;
  /** The refusal's message for a publisher holding `channels`, or 'allowed'. */
  function refusal(channels: string[], channel: Channel, event: string, data: unknown, stored?: string): string {
    const may = (granted: Channel) => mayAccess({ user: 't', channels, publish: true, expiresAt: null }, granted);
    return publishGuard(may, channel, event, data).decide(stored)?.message ?? 'allowed';
  }

  it('lets events that write no record through on their channel alone, whatever the stored state', () => {
    for (const [event, data] of [
      ['output', { timestamp: 1, content: 'x' }],
      ['something_else', { issueId: 'other', projectId: 'other' }],
      ['status_changed', { issueId: 7 }],
    ] as const) {
      const guard = publishGuard(() => false, 'project:a', event, data);
      expect(guard.issueId).toBeUndefined();
      expect(guard.decide('b')).toBeNull();
      expect(guard.decide(undefined)).toBeNull();
    }
  });

  it.each([
    ['project:a', 'issue_updated', { issueId: '1', projectId: 'b' }, 'an event on project:a cannot name projectId b'],
    ['issue:1', 'issue_updated', { issueId: '2', projectId: 'a' }, 'an event on issue:1 cannot name issueId 2'],
    ['agent:x', 'agent_status', { agentId: 'y', status: 'idle' }, 'an event on agent:x cannot name agentId y'],
  ] as const)('refuses on %s an event naming another record, even with every grant', (channel, event, data, text) => {
    const decision = publishGuard(all, channel, event, data).decide(undefined);
    expect(decision).toEqual({ code: 'forbidden', message: text });
  });

  it('lets a channel’s own record and null ids through the channel check', () => {
    expect(refusal(['*'], 'project:a', 'issue_updated', { issueId: '1', projectId: 'a' })).toBe('allowed');
    expect(refusal(['*'], 'project:a', 'agent_status', { agentId: 'x', status: 'idle', projectId: null })).toBe(
      'allowed',
    );
    expect(refusal(['*'], 'issue:1', 'status_changed', { issueId: '1', newStatus: 'done' }, 'b')).toBe('allowed');
    expect(refusal(['*'], 'agent:x', 'agent_status', { agentId: 'x', status: 'idle' })).toBe('allowed');
  });

  it('refuses a board event on a channel that does not parse', () => {
    const decision = publishGuard(all, 'bogus' as Channel, 'issue_updated', { issueId: '1' }).decide(undefined);
    expect(decision).toEqual({ code: 'forbidden', message: 'invalid channel' });
  });

  it('needs both projects to move an issue, and only the new one for an issue without a stored project', () => {
    const move = { issueId: '1', projectId: 'b' };
    expect(refusal(['project:a', 'project:b'], 'issue:1', 'issue_updated', move, 'a')).toBe('allowed');
    expect(refusal(['project:b', 'issue:1'], 'issue:1', 'issue_updated', move, 'a')).toBe(
      'not allowed to write issue 1',
    );
    expect(refusal(['project:a', 'issue:1'], 'issue:1', 'issue_updated', move, 'a')).toBe(
      'not allowed to write issue 1',
    );
    expect(refusal(['project:b'], 'issue:1', 'issue_updated', move, undefined)).toBe('allowed');
    expect(refusal(['issue:1'], 'issue:1', 'issue_updated', move, undefined)).toBe('not allowed to write issue 1');
  });

  it('treats naming the stored project again as no move', () => {
    const same = { issueId: '1', projectId: 'a', title: 't' };
    expect(refusal(['issue:1'], 'issue:1', 'issue_updated', same, 'a')).toBe('allowed');
    expect(refusal(['project:a'], 'project:a', 'issue_updated', same, 'a')).toBe('allowed');
    expect(refusal(['project:b'], 'issue:1', 'issue_updated', same, 'a')).toBe('not allowed to write issue 1');
  });

  it('needs the agent’s own channel to write an agent, and the project it puts the agent in', () => {
    const status = { agentId: 'x', status: 'working', projectId: 'a' };
    expect(refusal(['agent:x', 'project:a'], 'agent:x', 'agent_status', status)).toBe('allowed');
    expect(refusal(['project:a'], 'project:a', 'agent_status', status)).toBe('not allowed to write agent x');
    expect(refusal(['agent:x'], 'agent:x', 'agent_status', status)).toBe('not allowed to put agent x in project a');
    expect(refusal(['agent:x'], 'agent:x', 'agent_status', { agentId: 'x', status: 'idle' })).toBe('allowed');
  });

  it('puts an agent started with a project in that project, not in its issue’s', () => {
    const data = { agentId: 'x', issueId: '1', projectId: 'a' };
    expect(refusal(['agent:x', 'project:a'], 'agent:x', 'agent_started', data, 'a')).toBe('allowed');
    expect(refusal(['agent:x', 'issue:1', 'project:b'], 'agent:x', 'agent_started', data, 'b')).toBe(
      'not allowed to write issue 1',
    );
    expect(refusal(['agent:x', 'issue:1'], 'agent:x', 'agent_started', data, undefined)).toBe(
      'not allowed to write issue 1',
    );
  });
});

describe('publishGuard and records without a project', () => {
  it('does not let a project glob cover an issue that has no project', () => {
    const may = (granted: Channel) =>
      mayAccess({ user: 't', channels: ['project:*'], publish: true, expiresAt: null }, granted);
    const guard = publishGuard(may, 'project:a', 'status_changed', { issueId: '9', newStatus: 'done' });
    // An existing issue without a project is not the glob's (the event on project:a would claim it into a).
    expect(guard.decide(undefined, true)?.code).toBe('forbidden');
    expect(guard.decide('a')).toBeNull();
    // On its own channel, a projectless issue needs issue:9.
    expect(
      publishGuard(may, 'issue:9', 'status_changed', { issueId: '9', newStatus: 'done' }).decide(undefined)?.code,
    ).toBe('forbidden');
  });

  it('does not let a project grant claim an existing issue that has no project (found by the fuzzer, seed 254054898)', () => {
    const may = (granted: Channel) =>
      mayAccess({ user: 't', channels: ['project:*', 'agent:*'], publish: true, expiresAt: null }, granted);
    const data = { issueId: 'i4', projectId: 'c', agentId: 'z' };
    const guard = publishGuard(may, 'agent:z', 'agent_assigned', data);
    // The issue exists, with no project: only issue:i4 may write it, and so put it in a project.
    expect(guard.decide(undefined, true)?.code).toBe('forbidden');
    // No such issue yet: its first project is the publisher's to choose.
    expect(guard.decide(undefined, false)).toBeNull();
    const holder = (granted: Channel) =>
      mayAccess({ user: 't', channels: ['project:*', 'agent:*', 'issue:i4'], publish: true, expiresAt: null }, granted);
    expect(publishGuard(holder, 'agent:z', 'agent_assigned', data).decide(undefined, true)).toBeNull();
  });
});
