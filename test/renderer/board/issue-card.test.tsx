// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FLASH_MS, IssueCard } from '../../../src/renderer/src/components/board/IssueCard';
import { createTestServices, event, renderWith, seed, deliver } from './harness';

const START = new Date('2030-01-01T12:00:00Z').getTime();

describe('IssueCard', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(START);
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
  });

  function renderCard() {
    const services = createTestServices();
    seed(services, [
      {
        issueId: '12',
        projectId: 'alpha',
        title: 'Fix login',
        status: 'in_progress',
        stage: 'test',
        agentId: 'agent-1',
        statusSince: START - 42_000,
      },
    ]);
    renderWith(services, <IssueCard issueId="12" />);
    return { services, card: screen.getByTestId('issue-card') };
  }

  it('shows the id, title, stage, agent and time in status, and describes itself', () => {
    const { card } = renderCard();
    expect(card.textContent).toContain('#12');
    expect(card.textContent).toContain('Fix login');
    expect(card.querySelector('.stage-chip')?.textContent).toBe('test');
    expect(card.querySelector('.issue-card-age')?.textContent).toBe('in status for 42s');
    expect(card.getAttribute('aria-label')).toBe('Issue #12: Fix login, In progress, stage test, agent agent-1');
    expect(card.dataset).toMatchObject({ issueId: '12', status: 'in_progress', agentId: 'agent-1' });
    expect(card.tabIndex).toBe(0);
  });

  it('opens the agent’s pane from the agent button', () => {
    const { services } = renderCard();
    fireEvent.click(screen.getByRole('button', { name: 'Open agent agent-1' }));
    expect(services.layout.getState().panes.map((pane) => pane.agentId)).toEqual(['agent-1']);
  });

  it('ticks the time in status every second', () => {
    const { card } = renderCard();
    act(() => void vi.advanceTimersByTime(18_000));
    expect(card.querySelector('.issue-card-age')?.textContent).toBe('in status for 1m');
  });

  it('leaves no timer running once unmounted', () => {
    const { services } = renderCard();
    act(() =>
      deliver(services, [event('issue:12', 'stage_changed', { issueId: '12', newStage: 'review' })], Date.now()),
    );
    expect(vi.getTimerCount()).toBeGreaterThan(0);
    cleanup();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('flashes when its issue changes, and stops after the animation', () => {
    const { services, card } = renderCard();
    expect(card.classList.contains('is-flashing')).toBe(false);
    act(() =>
      deliver(services, [event('issue:12', 'issue_updated', { issueId: '12', title: 'Fix login page' })], Date.now()),
    );
    expect(card.textContent).toContain('Fix login page');
    expect(card.classList.contains('is-flashing')).toBe(true);
    act(() => void vi.advanceTimersByTime(FLASH_MS));
    expect(card.classList.contains('is-flashing')).toBe(false);
  });

  it('says unassigned and renders no agent button without an agent', () => {
    const services = createTestServices();
    seed(services, [{ issueId: '3', projectId: 'alpha', status: 'todo' }]);
    renderWith(services, <IssueCard issueId="3" />);
    expect(screen.getByTestId('issue-card').textContent).toContain('Unassigned');
    expect(screen.queryByRole('button')).toBeNull();
  });

  it('names who finished a done issue, without an agent chip that suggests the agent is still on it', () => {
    const { services, card } = renderCard();
    act(() => deliver(services, [event('issue:12', 'status_changed', { issueId: '12', newStatus: 'done' })], START));
    expect(screen.queryByRole('button', { name: 'Open agent agent-1' })).toBeNull();
    expect(card.querySelector('.issue-card-done-by')?.textContent).toBe('by agent-1');
  });
});
