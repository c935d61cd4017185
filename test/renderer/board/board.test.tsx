// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AgentList } from '../../../src/renderer/src/components/agents/AgentList';
import { Board } from '../../../src/renderer/src/components/board/Board';
import { FilterBar } from '../../../src/renderer/src/components/board/FilterBar';
import type { Services } from '../../../src/renderer/src/services';
import type { AgentState, IssueState } from '../../../src/shared/protocol';
import { createTestServices, event, renderWith, seed, deliver } from './harness';

const T = Date.now();
const ISSUES: IssueState[] = [
  { issueId: '1', projectId: 'alpha', title: 'Login form', status: 'todo', agentId: 'agent-1', statusSince: T - 5_000 },
  { issueId: '2', projectId: 'alpha', title: 'Signup flow', status: 'todo', statusSince: T - 4_000 },
  {
    issueId: '3',
    projectId: 'alpha',
    title: 'Billing',
    status: 'in_progress',
    agentId: 'agent-2',
    statusSince: T - 3_000,
  },
  { issueId: '4', projectId: 'alpha', title: 'Research', status: 'spike', statusSince: T - 2_000 },
  { issueId: '5', projectId: 'beta', title: 'Other project', status: 'todo', statusSince: T - 1_000 },
];
const AGENTS: AgentState[] = [
  { agentId: 'agent-1', status: 'idle' },
  { agentId: 'agent-2', status: 'working', issueId: '3' },
];

function setup(ui = <Board />): Services {
  const services = createTestServices();
  services.layout.getState().selectProject('alpha');
  seed(services, ISSUES, AGENTS);
  renderWith(services, ui);
  return services;
}

const column = (name: string) => screen.getByRole('list', { name: new RegExp(`^${name} `) });
const cardIds = (list: HTMLElement) =>
  within(list)
    .queryAllByTestId('issue-card')
    .map((card) => card.dataset.issueId);
const visibleIds = () => screen.queryAllByTestId('issue-card').map((card) => card.dataset.issueId);

describe('Board', () => {
  afterEach(cleanup);

  it('shows the project’s issues in status columns with counts, including an unknown status', () => {
    setup();
    const headings = screen.getAllByRole('heading').map((heading) => heading.textContent);
    expect(headings).toEqual([
      'To do 2 issues',
      'In progress 1 issue',
      'In review 0 issues',
      'Done 0 issues',
      'Spike 1 issue',
    ]);
    expect(cardIds(column('To do'))).toEqual(['2', '1']);
    expect(cardIds(column('In progress'))).toEqual(['3']);
    expect(cardIds(column('Spike'))).toEqual(['4']);
    expect(visibleIds()).not.toContain('5');
  });

  it('moves a card when its status changes', () => {
    const services = setup();
    act(() => deliver(services, [event('issue:1', 'status_changed', { issueId: '1', newStatus: 'done' })], 1_000));
    expect(cardIds(column('To do'))).toEqual(['2']);
    expect(cardIds(column('Done'))).toEqual(['1']);
    expect(within(column('Done')).getByTestId('issue-card').dataset.status).toBe('done');
  });

  it('shows another project’s issues when the project changes', () => {
    const services = setup();
    act(() => services.layout.getState().selectProject('beta'));
    expect(visibleIds()).toEqual(['5']);
  });

  it('says when no issue matches the filter', () => {
    const services = setup();
    act(() => services.filter.getState().setText('nothing like this'));
    expect(visibleIds()).toEqual([]);
    expect(screen.getByRole('status').textContent).toBe('No issues match the filter.');
  });
});

describe('FilterBar with the board', () => {
  afterEach(cleanup);
  const both = (
    <>
      <FilterBar />
      <Board />
    </>
  );

  it('filters by text as you type', () => {
    setup(both);
    fireEvent.change(screen.getByLabelText('Filter issues'), { target: { value: 'LOGIN' } });
    expect(visibleIds()).toEqual(['1']);
    fireEvent.change(screen.getByLabelText('Filter issues'), { target: { value: 'agent-2' } });
    expect(visibleIds()).toEqual(['3']);
  });

  it('filters by agent and by status, including statuses falcon-pm added', () => {
    setup(both);
    const statusOptions = within(screen.getByLabelText('Status'))
      .getAllByRole('option')
      .map((option) => option.textContent);
    expect(statusOptions).toEqual([
      'All statuses',
      'Backlog',
      'To do',
      'In progress',
      'In review',
      'Blocked',
      'Done',
      'Spike',
    ]);
    fireEvent.change(screen.getByLabelText('Agent'), { target: { value: 'agent-1' } });
    expect(visibleIds()).toEqual(['1']);
    fireEvent.change(screen.getByLabelText('Agent'), { target: { value: '' } });
    fireEvent.change(screen.getByLabelText('Status'), { target: { value: 'spike' } });
    expect(visibleIds()).toEqual(['4']);
  });

  it('clears every filter with the clear button', () => {
    const services = setup(both);
    const clear = screen.getByRole('button', { name: 'Clear filters' }) as HTMLButtonElement;
    expect(clear.disabled).toBe(true);
    act(() => {
      services.filter.getState().setText('login');
      services.filter.getState().setStatus('todo');
    });
    expect(clear.disabled).toBe(false);
    fireEvent.click(clear);
    expect(services.filter.getState()).toMatchObject({ text: '', agentId: null, status: null });
    expect(visibleIds()).toHaveLength(4);
  });

  it('focuses the filter on "/" from anywhere, but not while typing elsewhere', () => {
    setup(
      <>
        <input aria-label="Elsewhere" />
        {both}
      </>,
    );
    const filter = screen.getByLabelText('Filter issues');
    fireEvent.keyDown(screen.getByLabelText('Elsewhere'), { key: '/' });
    expect(document.activeElement).not.toBe(filter);
    fireEvent.keyDown(document.body, { key: '/' });
    expect(document.activeElement).toBe(filter);
  });

  it('clears and leaves the filter on Escape', () => {
    const services = setup(both);
    const filter = screen.getByLabelText('Filter issues');
    filter.focus();
    fireEvent.change(filter, { target: { value: 'login' } });
    fireEvent.keyDown(filter, { key: 'Escape' });
    expect(services.filter.getState().text).toBe('');
    expect(document.activeElement).not.toBe(filter);
  });

  it('removes its key listeners when unmounted', () => {
    const added = vi.spyOn(document, 'addEventListener');
    const removed = vi.spyOn(document, 'removeEventListener');
    setup(both);
    cleanup();
    const keyListeners = (spy: typeof added) =>
      spy.mock.calls.filter(([type]) => type === 'keydown').map(([, listener]) => listener);
    expect(keyListeners(added).length).toBeGreaterThan(0);
    expect(keyListeners(removed)).toEqual(keyListeners(added));
    added.mockRestore();
    removed.mockRestore();
  });
});

describe('keyboard navigation', () => {
  afterEach(cleanup);

  it('moves focus through the cards with j and k, then on to the agents', () => {
    setup(
      <>
        <input aria-label="Elsewhere" />
        <Board />
        <AgentList />
      </>,
    );
    const focused = () => {
      const element = document.activeElement as HTMLElement;
      return element.dataset.issueId ?? element.dataset.agentId;
    };
    fireEvent.keyDown(document.body, { key: 'j' });
    expect(focused()).toBe('2');
    const press = (key: string) => fireEvent.keyDown(document.activeElement as Element, { key });
    press('j');
    expect(focused()).toBe('1');
    press('j');
    press('j');
    expect(focused()).toBe('4');
    press('j');
    expect(document.activeElement?.getAttribute('data-testid')).toBe('agent-row');
    expect(focused()).toBe('agent-2');
    press('k');
    expect(focused()).toBe('4');
    press('k');
    press('k');
    press('k');
    press('k');
    expect(focused()).toBe('2');
  });

  it('ignores j and k while typing in a field', () => {
    setup(
      <>
        <input aria-label="Elsewhere" />
        <Board />
      </>,
    );
    const input = screen.getByLabelText('Elsewhere');
    input.focus();
    fireEvent.keyDown(input, { key: 'j' });
    expect(document.activeElement).toBe(input);
  });

  it('opens the focused card’s details on Enter, and its agent’s pane on o (nothing for an unassigned card)', () => {
    const services = setup();
    const cards = screen.getAllByTestId('issue-card');
    const unassigned = cards.find((card) => card.dataset.issueId === '2') as HTMLElement;
    unassigned.focus();
    fireEvent.keyDown(unassigned, { key: 'o' });
    expect(services.layout.getState().panes).toEqual([]);
    fireEvent.keyDown(unassigned, { key: 'Enter' });
    expect(services.drawer.getState().issueId).toBe('2');
    const assigned = cards.find((card) => card.dataset.issueId === '3') as HTMLElement;
    assigned.focus();
    fireEvent.keyDown(assigned, { key: 'Enter' });
    expect(services.drawer.getState().issueId).toBe('3');
    expect(services.layout.getState().panes).toEqual([]);
    fireEvent.keyDown(assigned, { key: 'o' });
    expect(services.layout.getState().panes.map((pane) => pane.agentId)).toEqual(['agent-2']);
  });

  it('opens a card’s details on click, and only the pane when the agent chip is clicked', () => {
    const services = setup();
    const card = screen.getAllByTestId('issue-card').find((c) => c.dataset.issueId === '1') as HTMLElement;
    fireEvent.click(within(card).getByRole('button', { name: 'Open agent agent-1' }));
    expect(services.layout.getState().panes.map((pane) => pane.agentId)).toEqual(['agent-1']);
    expect(services.drawer.getState().issueId).toBeNull();
    fireEvent.click(within(card).getByText('Login form'));
    expect(services.drawer.getState().issueId).toBe('1');
  });
});
