import { describe, expect, it } from 'vitest';
import { applyBoardEvent, createBoardState } from '../../src/shared/board-state';
import { AGENT_REQUEST_LIMITS, validateEvent } from '../../src/shared/protocol';

const choices = [
  { id: 'approve', label: 'Approve' },
  { id: 'deny', label: 'Deny' },
];
const waiting = { agentId: 'a1', status: 'waiting_for_input', requestId: 'r1', prompt: 'Apply?', choices };

describe('agent_status requests (extension)', () => {
  it('keeps the request on the agent while it waits, and drops it when the status changes', () => {
    const board = createBoardState();
    applyBoardEvent(board, 'agent_status', waiting, 1);
    expect(board.agents.get('a1')).toMatchObject({ requestId: 'r1', prompt: 'Apply?', choices });
    applyBoardEvent(board, 'agent_status', { agentId: 'a1', status: 'working' }, 2);
    const agent = board.agents.get('a1');
    expect(agent).toMatchObject({ status: 'working' });
    expect(agent).not.toHaveProperty('requestId');
    expect(agent).not.toHaveProperty('prompt');
    expect(agent).not.toHaveProperty('choices');
  });

  it('replaces the request with each waiting status, and ignores request fields on other statuses', () => {
    const board = createBoardState();
    applyBoardEvent(board, 'agent_status', waiting, 1);
    applyBoardEvent(board, 'agent_status', { agentId: 'a1', status: 'waiting_for_input', requestId: 'r2' }, 2);
    expect(board.agents.get('a1')).toMatchObject({ requestId: 'r2' });
    expect(board.agents.get('a1')).not.toHaveProperty('choices');
    applyBoardEvent(board, 'agent_status', { ...waiting, status: 'idle' }, 3);
    expect(board.agents.get('a1')).not.toHaveProperty('requestId');
  });

  it('drops the request when the agent is started again', () => {
    const board = createBoardState();
    applyBoardEvent(board, 'agent_status', waiting, 1);
    applyBoardEvent(board, 'agent_started', { agentId: 'a1', issueId: '7' }, 2);
    expect(board.agents.get('a1')).not.toHaveProperty('requestId');
  });

  it('refuses requests past their bounds with invalid_event', () => {
    const bad = [
      { ...waiting, requestId: '../x' },
      { ...waiting, prompt: 'x'.repeat(AGENT_REQUEST_LIMITS.promptLength + 1) },
      { ...waiting, choices: [] },
      {
        ...waiting,
        choices: Array.from({ length: AGENT_REQUEST_LIMITS.choices + 1 }, (_, i) => ({ id: `c${i}`, label: 'L' })),
      },
      { ...waiting, choices: [choices[0], choices[0]] },
      { ...waiting, choices: [{ id: 'a', label: '' }] },
      { ...waiting, choices: [{ id: 'a', label: 'A', extra: 1 }] },
    ];
    for (const data of bad) expect(validateEvent('agent_status', data)?.code).toBe('invalid_event');
    expect(validateEvent('agent_status', waiting)).toBeNull();
  });
});
