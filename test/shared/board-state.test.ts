import { describe, expect, it } from 'vitest';
import { applyBoardEvent, createBoardState, selectSnapshot, touchAgent } from '../../src/shared/board-state';

describe('applyBoardEvent', () => {
  it('builds issues from the seed events and tracks time in status', () => {
    const board = createBoardState();
    applyBoardEvent(board, 'issue_created', { issueId: '1', projectId: 'p', title: 'A', status: 'todo' }, 100);
    applyBoardEvent(board, 'stage_changed', { issueId: '1', oldStage: 'plan', newStage: 'implement' }, 150);
    applyBoardEvent(board, 'agent_assigned', { issueId: '1', agentId: 'opus-1' }, 160);
    applyBoardEvent(board, 'status_changed', { issueId: '1', oldStatus: 'todo', newStatus: 'in_progress' }, 200);
    applyBoardEvent(board, 'issue_updated', { issueId: '1', title: 'A2' }, 300);
    expect(board.issues.get('1')).toEqual({
      issueId: '1',
      projectId: 'p',
      title: 'A2',
      status: 'in_progress',
      stage: 'implement',
      agentId: 'opus-1',
      createdAt: 100,
      updatedAt: 300,
      statusSince: 200,
    });
  });

  it('keeps statusSince when the status does not actually change', () => {
    const board = createBoardState();
    applyBoardEvent(board, 'status_changed', { issueId: '1', newStatus: 'done' }, 10);
    applyBoardEvent(board, 'status_changed', { issueId: '1', newStatus: 'done' }, 20);
    expect(board.issues.get('1')?.statusSince).toBe(10);
  });

  it('tracks agents, including waiting for input and failed', () => {
    const board = createBoardState();
    applyBoardEvent(board, 'issue_created', { issueId: '9', projectId: 'p' }, 1);
    const started = applyBoardEvent(board, 'agent_started', { agentId: 'a', issueId: '9', stage: 'test' }, 5);
    expect(started?.agent).toMatchObject({ status: 'working', issueId: '9', stage: 'test', projectId: 'p' });
    expect(started?.issue?.agentId).toBe('a');
    applyBoardEvent(board, 'agent_status', { agentId: 'a', status: 'waiting_for_input', message: 'Proceed?' }, 6);
    expect(board.agents.get('a')).toMatchObject({ status: 'waiting_for_input', message: 'Proceed?', issueId: '9' });
    applyBoardEvent(board, 'agent_status', { agentId: 'a', status: 'failed' }, 7);
    expect(board.agents.get('a')).not.toHaveProperty('message');
    expect(touchAgent(board, 'agent:a', 8)?.agent?.lastActivityAt).toBe(8);
  });

  it('ignores unknown events, output and invalid payloads', () => {
    const board = createBoardState();
    expect(applyBoardEvent(board, 'comment_added', { issueId: '1' }, 1)).toBeNull();
    expect(applyBoardEvent(board, 'output', { timestamp: 1, content: 'x' }, 1)).toBeNull();
    expect(applyBoardEvent(board, 'status_changed', { issueId: '1' }, 1)).toBeNull();
    expect(board.issues.size).toBe(0);
  });
});

describe('selectSnapshot', () => {
  it('selects per channel kind', () => {
    const board = createBoardState();
    applyBoardEvent(board, 'issue_created', { issueId: '1', projectId: 'p' }, 1);
    applyBoardEvent(board, 'issue_created', { issueId: '2', projectId: 'q' }, 1);
    applyBoardEvent(board, 'agent_started', { agentId: 'a', issueId: '1' }, 2);
    expect(selectSnapshot(board, 'project:p').issues.map((i) => i.issueId)).toEqual(['1']);
    expect(selectSnapshot(board, 'project:p').agents.map((a) => a.agentId)).toEqual(['a']);
    expect(selectSnapshot(board, 'issue:1').agents.map((a) => a.agentId)).toEqual(['a']);
    expect(selectSnapshot(board, 'agent:a').issues.map((i) => i.issueId)).toEqual(['1']);
    expect(selectSnapshot(board, 'agent:zzz')).toEqual({ issues: [], agents: [] });
  });
});
