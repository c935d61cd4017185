import { describe, expect, it } from 'vitest';
import { mayAccess } from '../../src/server/auth';
import { visibleSnapshot } from '../../src/server/snapshot-filter';
import type { AgentState, Channel, IssueState, Snapshot } from '../../src/shared/protocol';

const issue = (issueId: string, projectId?: string): IssueState => ({
  issueId,
  ...(projectId === undefined ? {} : { projectId }),
  title: `title of ${issueId}`,
  createdAt: 1,
  updatedAt: 1,
});
const agent = (agentId: string, projectId?: string | null): AgentState => ({
  agentId,
  status: 'working',
  lastActivityAt: 1,
  ...(projectId === undefined ? {} : { projectId }),
  message: `message of ${agentId}`,
});

const snapshot: Snapshot = {
  issues: [issue('1', 'a'), issue('2', 'b'), issue('3')],
  agents: [agent('x', 'a'), agent('y', 'b'), agent('z', null), agent('w')],
};

/** Ids a reader holding `channels` keeps of the snapshot above. */
function visible(channels: string[]): { issues: string[]; agents: string[] } {
  const may = (channel: Channel) => mayAccess({ user: 't', channels, publish: false, expiresAt: null }, channel);
  const kept = visibleSnapshot(snapshot, may);
  return { issues: kept.issues.map((i) => i.issueId), agents: kept.agents.map((a) => a.agentId) };
}

describe('visibleSnapshot', () => {
  it('keeps every record for a reader of every channel', () => {
    expect(visible(['*'])).toEqual({ issues: ['1', '2', '3'], agents: ['x', 'y', 'z', 'w'] });
  });

  it('keeps a project reader to that project’s issues and agents, without agents that have none', () => {
    expect(visible(['project:a'])).toEqual({ issues: ['1'], agents: ['x'] });
  });

  it('keeps a record held by its own channel, whatever its project', () => {
    expect(visible(['issue:2', 'agent:y'])).toEqual({ issues: ['2'], agents: ['y'] });
    expect(visible(['issue:3', 'agent:z', 'agent:w'])).toEqual({ issues: ['3'], agents: ['z', 'w'] });
  });

  it('does not let an issue grant cover its agent, or an agent grant its issue', () => {
    expect(visible(['issue:1'])).toEqual({ issues: ['1'], agents: [] });
    expect(visible(['agent:x'])).toEqual({ issues: [], agents: ['x'] });
  });

  it('keeps nothing for a reader of unrelated channels, and leaves the records themselves whole', () => {
    expect(visible(['project:c', 'issue:9', 'agent:q'])).toEqual({ issues: [], agents: [] });
    const may = (channel: Channel) => channel === 'project:a';
    expect(visibleSnapshot(snapshot, may)).toEqual({ issues: [snapshot.issues[0]], agents: [snapshot.agents[0]] });
  });
});

describe('visibleSnapshot and records without a project', () => {
  it('does not let a project glob cover agents and issues that have no project', () => {
    expect(visible(['project:*'])).toEqual({ issues: ['1', '2'], agents: ['x', 'y'] });
  });
});
