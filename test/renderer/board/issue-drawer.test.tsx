// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Board } from '../../../src/renderer/src/components/board/Board';
import { DRAWER_HISTORY, IssueDrawer } from '../../../src/renderer/src/components/board/IssueDrawer';
import type { Delivery } from '../../../src/shared/delivery';
import { createTestServices, deliver, fakeBridge, renderWith, seed } from './harness';

afterEach(cleanup);

const T = Date.now() - 60_000;

function setup() {
  const bridge = fakeBridge();
  const services = createTestServices(bridge);
  services.layout.getState().selectProject('alpha');
  seed(
    services,
    [{ issueId: '3', projectId: 'alpha', title: 'Billing', status: 'in_progress', stage: 'implement', agentId: 'a2' }],
    [{ agentId: 'a2', status: 'waiting_for_input', issueId: '3' }],
  );
  renderWith(
    services,
    <>
      <Board />
      <IssueDrawer />
    </>,
  );
  return { services, bridge };
}

describe('IssueDrawer', () => {
  it('opens on a card, shows fields, history and agent, and closes on Escape with focus back on the card', () => {
    const { services, bridge } = setup();
    const card = screen.getByTestId('issue-card');
    card.focus();
    fireEvent.keyDown(card, { key: 'Enter' });
    const drawer = screen.getByRole('dialog', { name: /#3 Billing/ });
    expect(drawer.getAttribute('aria-modal')).toBe('false');
    expect(document.activeElement).toBe(drawer);
    expect(bridge.subscribe).toHaveBeenCalledWith('issue:3', { history: DRAWER_HISTORY });
    expect(within(drawer).getByText('alpha')).toBeTruthy();
    expect(within(drawer).getByText('In progress')).toBeTruthy();
    expect(within(drawer).getByText(/Waiting for input/)).toBeTruthy();

    const history: Delivery = {
      kind: 'history',
      channel: 'issue:3',
      events: [
        { event: 'issue_created', data: { issueId: '3', status: 'todo' }, offset: 1, epoch: 'e', time: T },
        {
          event: 'status_changed',
          data: { issueId: '3', oldStatus: 'todo', newStatus: 'in_progress' },
          offset: 2,
          epoch: 'e',
          time: T + 1000,
        },
      ],
    };
    act(() => deliver(services, [history], Date.now()));
    const items = within(screen.getByTestId('issue-timeline')).getAllByRole('listitem');
    expect(items.map((item) => item.querySelector('.issue-drawer-change')?.textContent)).toEqual([
      'Created in To do',
      'Status To do → In progress',
    ]);

    fireEvent.click(within(drawer).getByRole('button', { name: "Open a2's pane" }));
    expect(services.layout.getState().panes.map((pane) => pane.agentId)).toEqual(['a2']);

    within(drawer).getByRole('button', { name: 'Close issue details' }).focus();
    fireEvent.keyDown(document.activeElement!, { key: 'Escape' });
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(document.activeElement).toBe(screen.getByTestId('issue-card'));
  });
});
