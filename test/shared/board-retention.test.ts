import { describe, expect, it } from 'vitest';
import { DEFAULT_BOARD_RETENTION, pruneBoard } from '../../src/shared/board-retention';
import { createBoardState } from '../../src/shared/board-state';

const DAY = 24 * 3600_000;

describe('pruneBoard', () => {
  it('forgets finished issues and agents quiet for longer than finishedTtlMs, and nothing else', () => {
    const board = createBoardState();
    board.issues.set('old-done', { issueId: 'old-done', status: 'done', updatedAt: 0 });
    board.issues.set('new-done', { issueId: 'new-done', status: 'done', updatedAt: DAY });
    board.issues.set('old-open', { issueId: 'old-open', status: 'in_progress', updatedAt: 0 });
    board.agents.set('gone', { agentId: 'gone', status: 'idle', lastActivityAt: 0 });
    board.agents.set('here', { agentId: 'here', status: 'working', lastActivityAt: DAY });
    const pruned = pruneBoard(board, DAY + 1, DEFAULT_BOARD_RETENTION);
    expect(pruned).toEqual({ issues: ['old-done'], agents: ['gone'] });
    expect([...board.issues.keys()].sort()).toEqual(['new-done', 'old-open']);
    expect([...board.agents.keys()]).toEqual(['here']);
  });

  it('keeps the most recently updated within the count caps', () => {
    const board = createBoardState();
    for (let i = 0; i < 10; i++) {
      board.issues.set(`d${i}`, { issueId: `d${i}`, status: 'done', updatedAt: i });
      board.issues.set(`o${i}`, { issueId: `o${i}`, status: 'todo', updatedAt: 100 + i });
      board.agents.set(`a${i}`, { agentId: `a${i}`, status: 'idle', lastActivityAt: i });
    }
    pruneBoard(board, 200, { finishedTtlMs: DAY, maxFinishedIssues: 2, maxIssues: 5, maxAgents: 3 });
    expect([...board.issues.keys()].sort()).toEqual(['o5', 'o6', 'o7', 'o8', 'o9']);
    expect([...board.agents.keys()].sort()).toEqual(['a7', 'a8', 'a9']);
  });
});
