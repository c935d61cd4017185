import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boardTargets, parseBoardEvent } from '../../src/shared/board-event';
import { applyBoardEvent, createBoardState } from '../../src/shared/board-state';
import { boardEvents } from '../helpers/board-events';

const event = boardEvents({ issues: ['1', '2', 'x', 'y'], projects: ['a', 'b'], agents: ['1', '2', 'x', 'y'] });

describe('boardTargets', () => {
  it('lists every record applyBoardEvent writes, so the publish check covers all of them', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 8 }), event, (history, last) => {
        const board = createBoardState();
        history.forEach((step, n) => applyBoardEvent(board, step.event, step.data, n));
        const before = JSON.stringify({ issues: [...board.issues], agents: [...board.agents] });
        const issues = new Map(board.issues);
        const agents = new Map(board.agents);

        applyBoardEvent(board, last.event, last.data, 100);

        const parsed = parseBoardEvent(last.event, last.data);
        expect(parsed).not.toBeNull();
        const targets = boardTargets(parsed!);
        for (const [key, issue] of board.issues)
          if (issues.get(key) !== issue) expect(targets.issue?.issueId).toBe(key);
        for (const [key, agent] of board.agents)
          if (agents.get(key) !== agent) expect(targets.agent?.agentId).toBe(key);
        // Records are replaced, never changed in place: identity tells what was written.
        expect(before).toBe(JSON.stringify({ issues: [...issues], agents: [...agents] }));
      }),
    );
  });

  it('is not asked about output and unknown events: they write no record', () => {
    expect(parseBoardEvent('output', { timestamp: 1, content: 'x' })).toBeNull();
    expect(parseBoardEvent('note', { issueId: '1', projectId: 'b' })).toBeNull();
    expect(parseBoardEvent('issue_updated', { issueId: '..' })).toBeNull();
  });
});

describe('parseBoardEvent and the channel', () => {
  it('puts an event published on project:X without a projectId in X, for the reducer, the Redis patch and authorization alike', async () => {
    const { boardPatch } = await import('../../src/server/redis/board-patch');
    const data = { issueId: '42', title: 'Seed style' };
    expect(parseBoardEvent('issue_created', data, 'project:alpha')?.data).toMatchObject({ projectId: 'alpha' });
    expect(boardTargets(parseBoardEvent('issue_created', data, 'project:alpha')!).issue).toEqual({
      issueId: '42',
      projectId: 'alpha',
    });
    const board = createBoardState();
    expect(applyBoardEvent(board, 'issue_created', data, 1, 'project:alpha')?.issue?.projectId).toBe('alpha');
    expect(boardPatch('issue_created', data, 'project:alpha')?.issue?.set.projectId).toBe('"alpha"');
    // The payload's own project wins; other channels add nothing; the input is not mutated.
    expect(parseBoardEvent('issue_created', { ...data, projectId: 'beta' }, 'project:alpha')?.data).toMatchObject({
      projectId: 'beta',
    });
    expect(parseBoardEvent('issue_created', data, 'issue:42')?.data).not.toHaveProperty('projectId');
    expect(parseBoardEvent('issue_created', data)?.data).not.toHaveProperty('projectId');
    expect(data).not.toHaveProperty('projectId');
    // An idle agent's explicit null stays null.
    expect(
      parseBoardEvent('agent_status', { agentId: 'a', status: 'idle', projectId: null }, 'project:alpha')?.data,
    ).toMatchObject({ projectId: null });
  });
});
