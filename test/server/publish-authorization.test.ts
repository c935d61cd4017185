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
    { name: 'an issue in a project it holds', channels: ['project:a'], stored: 'a', expected: 'allowed' },
    { name: 'an issue it holds by id, in any project', channels: ['issue:1'], stored: 'b', expected: 'allowed' },
    {
      name: 'an issue stored in a project it does not hold',
      channels: ['project:a'],
      stored: 'b',
      expected: 'forbidden',
    },
    {
      name: 'a new issue without a project, by project grant only',
      channels: ['project:a'],
      stored: undefined,
      expected: 'forbidden',
    },
  ])('decides $name: $expected', ({ channels, stored, expected }) => {
    expect(decision(channels, 'project:a', 'status_changed', { issueId: '1', newStatus: 'done' }, stored)).toBe(
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
