import { describe, expect, it } from 'vitest';
import {
  agentAttention,
  columnsFor,
  compareAgents,
  countNeedingAttention,
  formatDuration,
  matchesFilter,
  NO_STATUS,
  orderStatuses,
  projectsOf,
  statusLabel,
  visibleColumns,
} from '../../../src/renderer/src/lib/board-view';
import type { AgentState, IssueState } from '../../../src/shared/protocol';

const issue = (issueId: string, patch: Partial<IssueState> = {}): IssueState => ({
  issueId,
  projectId: 'alpha',
  status: 'todo',
  ...patch,
});
const noFilter = { text: '', agentId: null, status: null };

describe('columnsFor', () => {
  it('always shows the core columns, in workflow order, even when empty', () => {
    expect(columnsFor([], 'alpha')).toEqual([
      { status: 'todo', issueIds: [] },
      { status: 'in_progress', issueIds: [] },
      { status: 'in_review', issueIds: [] },
      { status: 'done', issueIds: [] },
    ]);
  });

  it('shows backlog and blocked only when some issue holds them, in their workflow places', () => {
    const columns = columnsFor([issue('1', { status: 'blocked' }), issue('2', { status: 'backlog' })], 'alpha');
    expect(columns.map((column) => column.status)).toEqual([
      'backlog',
      'todo',
      'in_progress',
      'in_review',
      'blocked',
      'done',
    ]);
  });

  it('gives each unknown status its own column after the known ones, alphabetically, and no status last', () => {
    const columns = columnsFor(
      [
        issue('1', { status: 'waiting_qa' }),
        issue('2', { status: 'archived' }),
        issue('3', { status: undefined }),
        issue('4', { status: 'done' }),
      ],
      'alpha',
    );
    expect(columns.map((column) => column.status)).toEqual([
      'todo',
      'in_progress',
      'in_review',
      'done',
      'archived',
      'waiting_qa',
      NO_STATUS,
    ]);
    expect(columns.find((column) => column.status === 'archived')?.issueIds).toEqual(['2']);
    expect(columns.at(-1)?.issueIds).toEqual(['3']);
  });

  it('shows the same columns whatever project is selected: every status of every project', () => {
    const issues = [
      issue('1', { status: 'blocked' }),
      issue('2', { projectId: 'beta', status: 'spike' }),
      issue('3', { projectId: 'beta', status: 'backlog' }),
    ];
    const statuses = (projectId: string | null) => columnsFor(issues, projectId).map((column) => column.status);
    const expected = ['backlog', 'todo', 'in_progress', 'in_review', 'blocked', 'done', 'spike'];
    expect(statuses('alpha')).toEqual(expected);
    expect(statuses('beta')).toEqual(expected);
    expect(statuses('gamma')).toEqual(expected);
    expect(statuses(null)).toEqual(expected);
    expect(columnsFor(issues, 'alpha').find((column) => column.status === 'spike')?.issueIds).toEqual([]);
  });

  it('also shows the statuses it is asked to, even with no issue in them', () => {
    expect(columnsFor([], 'alpha', ['blocked', 'zeta']).map((column) => column.status)).toEqual([
      'todo',
      'in_progress',
      'in_review',
      'blocked',
      'done',
      'zeta',
    ]);
  });

  it('keeps only the project’s issues, or every issue when no project is given', () => {
    const issues = [issue('1'), issue('2', { projectId: 'beta' }), issue('3', { projectId: undefined })];
    expect(columnsFor(issues, 'alpha')[0].issueIds).toEqual(['1']);
    expect(columnsFor(issues, null)[0].issueIds).toEqual(['1', '2', '3']);
  });

  it('puts the issue that entered its status last first, then by id in natural order', () => {
    const issues = [
      issue('9', { statusSince: 100 }),
      issue('12', { statusSince: 100 }),
      issue('3', { statusSince: 300 }),
      issue('4', { createdAt: 200 }),
      issue('5'),
    ];
    expect(columnsFor(issues, 'alpha')[0].issueIds).toEqual(['3', '4', '9', '12', '5']);
  });

  it('does not reorder a column when an issue is merely edited (updatedAt)', () => {
    const before = columnsFor([issue('1', { statusSince: 10 }), issue('2', { statusSince: 20 })], 'alpha');
    const after = columnsFor(
      [issue('1', { statusSince: 10, updatedAt: 99 }), issue('2', { statusSince: 20, updatedAt: 21 })],
      'alpha',
    );
    expect(after).toEqual(before);
  });
});

describe('orderStatuses', () => {
  it('orders known statuses by workflow and adds unknown ones alphabetically', () => {
    expect(orderStatuses(['done', 'zeta', 'backlog', 'alpha'])).toEqual(['backlog', 'done', 'alpha', 'zeta']);
  });
});

describe('matchesFilter', () => {
  const agents: Record<string, AgentState> = {
    'agent-1': { agentId: 'agent-1', status: 'working', issueId: '7' },
  };
  const subject = issue('42', { title: 'Fix the Login page', agentId: 'agent-2', status: 'in_progress' });

  it('matches text against the id, the title and the agent id, ignoring case', () => {
    expect(matchesFilter(subject, agents, { ...noFilter, text: '42' })).toBe(true);
    expect(matchesFilter(subject, agents, { ...noFilter, text: '#42' })).toBe(true);
    expect(matchesFilter(subject, agents, { ...noFilter, text: 'LOGIN' })).toBe(true);
    expect(matchesFilter(subject, agents, { ...noFilter, text: 'agent-2' })).toBe(true);
    expect(matchesFilter(subject, agents, { ...noFilter, text: 'signup' })).toBe(false);
  });

  it('requires every term of the text to match somewhere', () => {
    expect(matchesFilter(subject, agents, { ...noFilter, text: 'login agent-2' })).toBe(true);
    expect(matchesFilter(subject, agents, { ...noFilter, text: 'login agent-3' })).toBe(false);
  });

  it('treats blank text as no text filter', () => {
    expect(matchesFilter(subject, agents, { ...noFilter, text: '   ' })).toBe(true);
  });

  it('filters by assigned agent, or by the agent that reports working on the issue', () => {
    expect(matchesFilter(subject, agents, { ...noFilter, agentId: 'agent-2' })).toBe(true);
    expect(matchesFilter(subject, agents, { ...noFilter, agentId: 'agent-1' })).toBe(false);
    expect(matchesFilter(issue('7'), agents, { ...noFilter, agentId: 'agent-1' })).toBe(true);
    expect(matchesFilter(issue('7'), agents, { ...noFilter, agentId: 'toString' })).toBe(false);
  });

  it('filters by exact status', () => {
    expect(matchesFilter(subject, agents, { ...noFilter, status: 'in_progress' })).toBe(true);
    expect(matchesFilter(subject, agents, { ...noFilter, status: 'todo' })).toBe(false);
  });
});

describe('visibleColumns', () => {
  it('drops filtered-out issues but keeps the column layout', () => {
    const issues = { '1': issue('1', { title: 'alpha bug' }), '2': issue('2', { title: 'beta feature' }) };
    const columns = visibleColumns(issues, {}, 'alpha', { ...noFilter, text: 'bug' });
    expect(columns.map((column) => column.status)).toEqual(['todo', 'in_progress', 'in_review', 'done']);
    expect(columns[0].issueIds).toEqual(['1']);
  });

  it('keeps the columns of other projects’ statuses and of statuses filtered away', () => {
    const issues = {
      '1': issue('1', { status: 'blocked', title: 'stuck' }),
      '2': issue('2', { projectId: 'beta', status: 'spike' }),
      '3': issue('3', { title: 'bug' }),
    };
    const statuses = (projectId: string, text: string) =>
      visibleColumns(issues, {}, projectId, { ...noFilter, text }).map((column) => column.status);
    const expected = ['todo', 'in_progress', 'in_review', 'blocked', 'done', 'spike'];
    expect(statuses('alpha', '')).toEqual(expected);
    expect(statuses('alpha', 'bug')).toEqual(expected);
    expect(statuses('beta', '')).toEqual(expected);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [-5_000, '0s'],
    [42_999, '42s'],
    [5 * 60_000 + 59_000, '5m'],
    [3 * 3_600_000 + 12 * 60_000, '3h 12m'],
    [3 * 3_600_000, '3h'],
    [2 * 86_400_000 + 4 * 3_600_000 + 59 * 60_000, '2d 4h'],
    [2 * 86_400_000, '2d'],
    [Number.NaN, '0s'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('statusLabel', () => {
  it('reads statuses as words', () => {
    expect(statusLabel('in_progress')).toBe('In progress');
    expect(statusLabel('todo')).toBe('To do');
    expect(statusLabel('waiting_for_input')).toBe('Waiting for input');
    expect(statusLabel('needs-design')).toBe('Needs design');
    expect(statusLabel(NO_STATUS)).toBe('No status');
  });
});

describe('projectsOf', () => {
  it('returns the unique project ids of issues and extras, sorted naturally', () => {
    const issues = [
      issue('1', { projectId: 'web' }),
      issue('2', { projectId: 'api' }),
      issue('3', { projectId: undefined }),
    ];
    expect(projectsOf(issues, ['web', 'project-10', 'project-9'])).toEqual(['api', 'project-9', 'project-10', 'web']);
  });
});

describe('agent attention and order', () => {
  const agent = (agentId: string, status: AgentState['status']): AgentState => ({ agentId, status });

  it('marks waiting for input and failed as urgent', () => {
    expect(agentAttention(agent('a', 'waiting_for_input'))).toBe('urgent');
    expect(agentAttention(agent('a', 'failed'))).toBe('urgent');
    expect(agentAttention(agent('a', 'working'))).toBe('active');
    expect(agentAttention(agent('a', 'idle'))).toBe('idle');
    expect(agentAttention(agent('a', 'offline'))).toBe('offline');
  });

  it('sorts agents needing attention first, then working, idle, offline, then by id', () => {
    const agents = [
      agent('a-10', 'idle'),
      agent('a-2', 'offline'),
      agent('a-3', 'working'),
      agent('a-4', 'failed'),
      agent('a-9', 'idle'),
      agent('a-5', 'waiting_for_input'),
    ];
    expect(agents.sort(compareAgents).map((a) => a.agentId)).toEqual(['a-5', 'a-4', 'a-3', 'a-9', 'a-10', 'a-2']);
    expect(countNeedingAttention(agents)).toBe(2);
  });
});
