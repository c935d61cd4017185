// @vitest-environment happy-dom
/**
 * "One issue's change re-renders one card": each card is wrapped in a
 * Profiler (which reports every commit inside it) and in a wrapper that
 * counts how often the board renders it.
 */
import { act, cleanup, screen } from '@testing-library/react';
import { Profiler, type ComponentProps } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AgentList } from '../../../src/renderer/src/components/agents/AgentList';
import { Board } from '../../../src/renderer/src/components/board/Board';
import type { Services } from '../../../src/renderer/src/services';
import type { Delivery } from '../../../src/shared/delivery';
import { createTestServices, event, renderWith, seed, deliver } from './harness';

const renders = vi.hoisted(() => ({
  /** Commits inside each card (its own re-renders included). */
  card: new Map<string, number>(),
  /** Times the board rendered each card's element (a board re-render). */
  fromBoard: new Map<string, number>(),
}));

vi.mock('../../../src/renderer/src/components/board/IssueCard', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../../src/renderer/src/components/board/IssueCard')>();
  const bump = (map: Map<string, number>, id: string) => map.set(id, (map.get(id) ?? 0) + 1);
  function CountedIssueCard(props: ComponentProps<typeof original.IssueCard>) {
    bump(renders.fromBoard, props.issueId);
    return (
      <Profiler id={props.issueId} onRender={(id) => bump(renders.card, id)}>
        <original.IssueCard {...props} />
      </Profiler>
    );
  }
  return { ...original, IssueCard: CountedIssueCard };
});

const NOW = new Date('2030-01-01T12:00:00Z').getTime();

describe('render isolation', () => {
  let services: Services;

  beforeEach(() => {
    // Frozen clocks: the one-second ticker must not add renders mid-test.
    vi.useFakeTimers();
    vi.setSystemTime(NOW);
    services = createTestServices();
    services.layout.getState().selectProject('alpha');
    seed(
      services,
      ['1', '2', '3'].map((issueId) => ({
        issueId,
        projectId: 'alpha',
        title: `Issue ${issueId}`,
        status: 'todo',
        statusSince: NOW - Number(issueId) * 1000,
        agentId: `agent-${issueId}`,
      })),
      ['1', '2', '3'].map((n) => ({ agentId: `agent-${n}`, status: 'working' as const })),
    );
    renderWith(
      services,
      <>
        <Board />
        <AgentList />
      </>,
    );
    renders.card.clear();
    renders.fromBoard.clear();
  });

  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  const apply = (...deliveries: Delivery[]) => act(() => deliver(services, deliveries, Date.now()));

  it('re-renders only card 1 when issue 1’s title changes, and not the board', () => {
    apply(event('issue:1', 'issue_updated', { issueId: '1', title: 'x' }));
    expect(Object.fromEntries(renders.card)).toEqual({ '1': 1 });
    expect(renders.fromBoard.size).toBe(0);
    const card = screen.getAllByTestId('issue-card').find((element) => element.dataset.issueId === '1');
    expect(card?.querySelector('.issue-card-title')?.textContent).toBe('x');
  });

  it('re-renders only card 2 when issue 2’s stage changes', () => {
    apply(event('issue:2', 'stage_changed', { issueId: '2', newStage: 'review' }));
    expect(Object.fromEntries(renders.card)).toEqual({ '2': 1 });
    expect(renders.fromBoard.size).toBe(0);
  });

  it('re-renders only the waiting badge of its own card when an agent changes, and not the board', () => {
    apply(event('agent:agent-2', 'agent_status', { agentId: 'agent-2', status: 'waiting_for_input' }));
    // Card 2 shows its agent's question (its QuickAnswer re-renders; the card's own render does not run again).
    expect(Object.fromEntries(renders.card)).toEqual({ '2': 1 });
    expect(renders.fromBoard.size).toBe(0);
    const card = screen.getAllByTestId('issue-card').find((element) => element.dataset.issueId === '2');
    expect(card?.querySelector('[data-testid="quick-answer"]')).not.toBeNull();
    apply(event('agent:agent-3', 'agent_status', { agentId: 'agent-3', status: 'working', message: 'still going' }));
    // Nothing a card shows changed: no card commits at all.
    expect(Object.fromEntries(renders.card)).toEqual({ '2': 1 });
  });

  it('re-renders the board when an issue changes column', () => {
    apply(event('issue:3', 'status_changed', { issueId: '3', newStatus: 'done' }));
    expect(renders.fromBoard.get('3')).toBeGreaterThan(0);
    expect(
      screen
        .getAllByTestId('issue-card')
        .filter((card) => card.dataset.status === 'done')
        .map((card) => card.dataset.issueId),
    ).toEqual(['3']);
  });
});
