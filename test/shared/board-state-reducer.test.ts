import { describe, expect, it } from 'vitest';
import { applyBoardEvent, createBoardState, selectSnapshot, touchAgent } from '../../src/shared/board-state';

/**
 * The reducer's edge cases, one behaviour each, asserted on whole objects so
 * that any dropped field, flipped condition or lost default shows (these tests
 * are what npm run test:mutation scores board-state.ts by).
 */
describe('applyBoardEvent edges', () => {
  it('starts with an empty board', () => {
    expect(createBoardState()).toEqual({ issues: new Map(), agents: new Map() });
  });

  it('creates an issue with only the fields the event carries', () => {
    const board = createBoardState();
    const change = applyBoardEvent(board, 'issue_created', { issueId: '1' }, 10);
    const issue = { issueId: '1', createdAt: 10, updatedAt: 10 };
    expect(change).toEqual({ issue, before: {} });
    expect(board.issues.get('1')).toEqual(issue);
  });

  it('creates an issue with every field and a statusSince', () => {
    const board = createBoardState();
    const data = { issueId: '1', projectId: 'p', title: 'T', status: 'todo', stage: 'plan', agentId: 'a' };
    expect(applyBoardEvent(board, 'issue_created', data, 10)).toEqual({
      issue: { ...data, statusSince: 10, createdAt: 10, updatedAt: 10 },
      before: {},
    });
  });

  it('keeps createdAt and the other fields on issue_updated, and moves updatedAt', () => {
    const board = createBoardState();
    applyBoardEvent(board, 'issue_created', { issueId: '1', projectId: 'p', title: 'T', status: 'todo' }, 10);
    const change = applyBoardEvent(board, 'issue_updated', { issueId: '1', stage: 'test', agentId: null }, 20);
    expect(change?.issue).toEqual({
      issueId: '1',
      projectId: 'p',
      title: 'T',
      status: 'todo',
      statusSince: 10,
      stage: 'test',
      agentId: null,
      createdAt: 10,
      updatedAt: 20,
    });
  });

  it('moves statusSince only when issue_updated changes the status', () => {
    const board = createBoardState();
    applyBoardEvent(board, 'issue_created', { issueId: '1', status: 'todo' }, 10);
    applyBoardEvent(board, 'issue_updated', { issueId: '1', status: 'todo' }, 20);
    expect(board.issues.get('1')?.statusSince).toBe(10);
    applyBoardEvent(board, 'issue_updated', { issueId: '1', status: 'done' }, 30);
    expect(board.issues.get('1')).toMatchObject({ status: 'done', statusSince: 30 });
  });

  it('creates the issue from status_changed, with project, and moves statusSince on a real change', () => {
    const board = createBoardState();
    const first = applyBoardEvent(board, 'status_changed', { issueId: '1', projectId: 'p', newStatus: 'todo' }, 5);
    expect(first).toEqual({
      issue: { issueId: '1', projectId: 'p', status: 'todo', statusSince: 5, createdAt: 5, updatedAt: 5 },
      before: {},
    });
    const second = applyBoardEvent(board, 'status_changed', { issueId: '1', newStatus: 'done' }, 9);
    // What the record was before the event, as it was: records are replaced, never mutated.
    expect(second?.before.issue).toBe(first?.issue);
    expect(second?.before.issue?.status).toBe('todo');
    expect(board.issues.get('1')).toEqual({
      issueId: '1',
      projectId: 'p',
      status: 'done',
      statusSince: 9,
      createdAt: 5,
      updatedAt: 9,
    });
  });

  it('applies stage_changed and agent_assigned to a new issue', () => {
    const board = createBoardState();
    expect(applyBoardEvent(board, 'stage_changed', { issueId: '1', newStage: 'review' }, 3)).toEqual({
      issue: { issueId: '1', stage: 'review', createdAt: 3, updatedAt: 3 },
      before: {},
    });
    expect(applyBoardEvent(board, 'agent_assigned', { issueId: '2', projectId: 'q', agentId: null }, 4)).toEqual({
      issue: { issueId: '2', projectId: 'q', agentId: null, createdAt: 4, updatedAt: 4 },
      before: {},
    });
  });

  it('starts an agent with defaults when the event has no stage and the issue is unknown', () => {
    const board = createBoardState();
    const change = applyBoardEvent(board, 'agent_started', { agentId: 'a', issueId: '1' }, 7);
    expect(change).toEqual({
      agent: {
        agentId: 'a',
        status: 'working',
        issueId: '1',
        stage: null,
        projectId: null,
        lastActivityAt: 7,
        statusSince: 7,
      },
      before: {},
    });
    expect(board.issues.size).toBe(0);
  });

  it('prefers the event projectId over the issue one', () => {
    const board = createBoardState();
    applyBoardEvent(board, 'issue_created', { issueId: '1', projectId: 'p' }, 1);
    const change = applyBoardEvent(board, 'agent_started', { agentId: 'a', issueId: '1', projectId: 'q' }, 2);
    expect(change?.agent?.projectId).toBe('q');
  });

  it('assigns the agent to its issue on agent_started, and reports no issue change when it already was', () => {
    const board = createBoardState();
    applyBoardEvent(board, 'issue_created', { issueId: '1', projectId: 'p', agentId: 'a' }, 1);
    const same = applyBoardEvent(board, 'agent_started', { agentId: 'a', issueId: '1' }, 2);
    expect(same).not.toHaveProperty('issue');
    expect(board.issues.get('1')?.updatedAt).toBe(1);
    const other = applyBoardEvent(board, 'agent_started', { agentId: 'b', issueId: '1' }, 3);
    expect(other?.issue).toEqual({ issueId: '1', projectId: 'p', agentId: 'b', createdAt: 1, updatedAt: 3 });
    expect(board.issues.get('1')).toEqual(other?.issue);
  });

  it('patches an agent on agent_status, keeping what the event leaves out', () => {
    const board = createBoardState();
    const started = applyBoardEvent(
      board,
      'agent_started',
      { agentId: 'a', issueId: '1', projectId: 'p', stage: 'test' },
      1,
    );
    const change = applyBoardEvent(board, 'agent_status', { agentId: 'a', status: 'idle' }, 2);
    expect(change).toEqual({
      agent: {
        agentId: 'a',
        status: 'idle',
        issueId: '1',
        stage: 'test',
        projectId: 'p',
        lastActivityAt: 2,
        statusSince: 2,
      },
      before: { agent: started?.agent },
    });
    expect(change?.before.agent?.status).toBe('working');
    applyBoardEvent(
      board,
      'agent_status',
      { agentId: 'a', status: 'working', issueId: null, stage: null, projectId: null, message: 'm' },
      3,
    );
    expect(board.agents.get('a')).toEqual({
      agentId: 'a',
      status: 'working',
      issueId: null,
      stage: null,
      projectId: null,
      message: 'm',
      lastActivityAt: 3,
      statusSince: 3,
    });
  });

  it('creates an unknown agent from agent_status with the fields it names', () => {
    const board = createBoardState();
    expect(
      applyBoardEvent(board, 'agent_status', { agentId: 'z', status: 'offline', issueId: '4', projectId: 'p' }, 1),
    ).toEqual({
      agent: { agentId: 'z', status: 'offline', issueId: '4', projectId: 'p', lastActivityAt: 1, statusSince: 1 },
      before: {},
    });
  });

  it.each([
    ['output_batch', 'output_batch', { timestamp: 1, lines: ['x'] }],
    ['an invalid issue_created', 'issue_created', { issueId: 'a b' }],
    ['an invalid issue_updated', 'issue_updated', { issueId: '1', title: 7 }],
    ['an invalid agent_status', 'agent_status', { agentId: 'a', status: 'sleeping' }],
    ['an invalid agent_started', 'agent_started', { agentId: 'a' }],
    ['an invalid stage_changed', 'stage_changed', { issueId: '1', newStage: '' }],
    ['an invalid agent_assigned', 'agent_assigned', { issueId: '1' }],
  ])('changes nothing for %s', (_case, event, data) => {
    const board = createBoardState();
    expect(applyBoardEvent(board, event, data, 1)).toBeNull();
    expect(board).toEqual(createBoardState());
  });

  it('ignores names that are only prototype members', () => {
    const board = createBoardState();
    expect(applyBoardEvent(board, 'toString', {}, 1)).toBeNull();
    expect(applyBoardEvent(board, '__proto__', {}, 1)).toBeNull();
  });
});

describe('agent statusSince', () => {
  it('starts when the agent appears and moves only when its status changes', () => {
    const board = createBoardState();
    applyBoardEvent(board, 'agent_started', { agentId: 'a', issueId: '1' }, 10);
    applyBoardEvent(board, 'agent_status', { agentId: 'a', status: 'working', message: 'still on it' }, 20);
    touchAgent(board, 'agent:a', 30);
    expect(board.agents.get('a')).toMatchObject({ status: 'working', statusSince: 10, lastActivityAt: 30 });
    applyBoardEvent(board, 'agent_status', { agentId: 'a', status: 'waiting_for_input' }, 40);
    expect(board.agents.get('a')).toMatchObject({ status: 'waiting_for_input', statusSince: 40 });
    applyBoardEvent(board, 'agent_started', { agentId: 'a', issueId: '2' }, 50);
    expect(board.agents.get('a')).toMatchObject({ status: 'working', issueId: '2', statusSince: 50 });
  });
});

describe('touchAgent edges', () => {
  it('creates a working agent from output on its channel', () => {
    const board = createBoardState();
    expect(touchAgent(board, 'agent:new', 4)).toEqual({
      agent: { agentId: 'new', status: 'working', lastActivityAt: 4, statusSince: 4 },
      before: {},
    });
    expect(board.agents.get('new')).toEqual({ agentId: 'new', status: 'working', lastActivityAt: 4, statusSince: 4 });
    // Output in the same millisecond moves nothing.
    expect(touchAgent(board, 'agent:new', 4)).toBeNull();
  });

  it('only moves lastActivityAt of a known agent', () => {
    const board = createBoardState();
    const status = applyBoardEvent(board, 'agent_status', { agentId: 'a', status: 'idle', message: 'zzz' }, 1);
    expect(touchAgent(board, 'agent:a', 9)).toEqual({
      agent: { agentId: 'a', status: 'idle', message: 'zzz', lastActivityAt: 9, statusSince: 1 },
      before: { agent: status?.agent },
    });
  });

  it('ignores project and issue channels and invalid ones', () => {
    const board = createBoardState();
    expect(touchAgent(board, 'project:a', 1)).toBeNull();
    expect(touchAgent(board, 'issue:a', 1)).toBeNull();
    expect(touchAgent(board, 'agent:..' as 'agent:x', 1)).toBeNull();
    expect(board.agents.size).toBe(0);
  });
});

describe('selectSnapshot edges', () => {
  function board() {
    const b = createBoardState();
    applyBoardEvent(b, 'issue_created', { issueId: '1', projectId: 'p', agentId: 'a' }, 1);
    applyBoardEvent(b, 'issue_created', { issueId: '2', projectId: 'q' }, 1);
    applyBoardEvent(b, 'agent_started', { agentId: 'a', issueId: '1' }, 2);
    applyBoardEvent(b, 'agent_started', { agentId: 'b', issueId: '2' }, 2);
    applyBoardEvent(b, 'agent_status', { agentId: 'idle', status: 'idle' }, 2);
    return b;
  }

  it('gives a project its issues, its agents and the agents without a project', () => {
    const snapshot = selectSnapshot(board(), 'project:p');
    expect(snapshot.issues.map((i) => i.issueId)).toEqual(['1']);
    expect(snapshot.agents.map((a) => a.agentId)).toEqual(['a', 'idle']);
  });

  it('gives an issue itself and its agent, or nothing for an unknown issue', () => {
    const b = board();
    expect(selectSnapshot(b, 'issue:1')).toEqual({ issues: [b.issues.get('1')], agents: [b.agents.get('a')] });
    expect(selectSnapshot(b, 'issue:9')).toEqual({ issues: [], agents: [] });
    applyBoardEvent(b, 'issue_created', { issueId: '3' }, 3);
    expect(selectSnapshot(b, 'issue:3')).toEqual({ issues: [b.issues.get('3')], agents: [] });
  });

  it('gives an agent itself and its issue, and no issue for an agent without one', () => {
    const b = board();
    expect(selectSnapshot(b, 'agent:b')).toEqual({ issues: [b.issues.get('2')], agents: [b.agents.get('b')] });
    expect(selectSnapshot(b, 'agent:idle')).toEqual({ issues: [], agents: [b.agents.get('idle')] });
  });

  it('gives nothing for an invalid channel', () => {
    expect(selectSnapshot(board(), 'project:..' as 'project:x')).toEqual({ issues: [], agents: [] });
  });
});
