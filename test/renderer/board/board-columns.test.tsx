// @vitest-environment happy-dom
import { act, cleanup, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { Board } from '../../../src/renderer/src/components/board/Board';
import type { IssueState } from '../../../src/shared/protocol';
import { createTestServices, deliver, event, renderWith, seed } from './harness';

const ISSUES: IssueState[] = [
  { issueId: '1', projectId: 'alpha', title: 'Stuck', status: 'blocked' },
  { issueId: '2', projectId: 'beta', title: 'Research', status: 'spike' },
];
const headings = () =>
  screen.getAllByRole('heading').map((heading) => heading.textContent?.replace(/ \d+ issues?$/, ''));

describe('Board columns', () => {
  afterEach(cleanup);

  it('are the same whichever project is selected', () => {
    const services = createTestServices();
    services.layout.getState().selectProject('alpha');
    seed(services, ISSUES, []);
    renderWith(services, <Board />);
    const alpha = headings();
    expect(alpha).toEqual(['To do', 'In progress', 'In review', 'Blocked', 'Done', 'Spike']);
    act(() => services.layout.getState().selectProject('beta'));
    expect(headings()).toEqual(alpha);
  });

  it('keep a column after its last issue moved on', () => {
    const services = createTestServices();
    services.layout.getState().selectProject('alpha');
    seed(services, ISSUES, []);
    renderWith(services, <Board />);
    act(() => deliver(services, [event('issue:1', 'status_changed', { issueId: '1', newStatus: 'done' })], 1_000));
    expect(screen.getByRole('list', { name: /^Done / }).children).toHaveLength(1);
    expect(headings()).toEqual(['To do', 'In progress', 'In review', 'Blocked', 'Done', 'Spike']);
  });
});
