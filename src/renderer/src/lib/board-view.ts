/**
 * What the board and the agent list show, as pure functions of the store's
 * records: which columns, in which order, which issues pass the filter, and
 * how durations and statuses read. No React here, so all of it is tested
 * without rendering.
 */
import {
  AGENT_STATUSES,
  KNOWN_ISSUE_STATUSES,
  type AgentState,
  type AgentStatus,
  type IssueState,
} from '../../../shared/protocol';

/** Columns shown even when empty, so the board keeps its shape while issues move. */
export const CORE_STATUSES: readonly string[] = ['todo', 'in_progress', 'in_review', 'done'];

/** The column key of issues that have no status yet (a status is never empty on the wire). */
export const NO_STATUS = '';

export interface BoardColumn {
  status: string;
  issueIds: string[];
}

export interface BoardFilter {
  text: string;
  agentId: string | null;
  status: string | null;
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Natural order for ids and names: "9" before "12", "agent-2" before "agent-10". */
export function compareIds(a: string, b: string): number {
  return collator.compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * The issues of one project (every issue when `projectId` is null) in status
 * columns. Which columns does not depend on the project: the core statuses
 * always, and every other status any of `issues` has (whatever its project)
 * or `alsoShow` names, so switching projects or filtering never adds, drops
 * or moves a column. Order: the known statuses in workflow order, then
 * unknown ones alphabetically, then issues without a status.
 *
 * Within a column the issue that entered its status most recently comes
 * first (`statusSince`, else `createdAt`), ties by id. `updatedAt` is
 * deliberately not used: a title edit must not reorder a column, which would
 * also re-render the whole board instead of one card.
 */
export function columnsFor(
  issues: Iterable<IssueState>,
  projectId: string | null,
  alsoShow: Iterable<string> = [],
): BoardColumn[] {
  const statuses = new Set(alsoShow);
  const byStatus = new Map<string, IssueState[]>();
  for (const issue of issues) {
    const status = issue.status ?? NO_STATUS;
    statuses.add(status);
    if (projectId !== null && issue.projectId !== projectId) continue;
    let column = byStatus.get(status);
    if (!column) byStatus.set(status, (column = []));
    column.push(issue);
  }
  return orderStatuses(statuses, true).map((status) => ({
    status,
    issueIds: (byStatus.get(status) ?? []).sort(compareIssues).map((issue) => issue.issueId),
  }));
}

/** Every status the issues have (`NO_STATUS` for none), in no particular order. */
export function statusesOf(issues: Iterable<IssueState>): Set<string> {
  const statuses = new Set<string>();
  for (const issue of issues) statuses.add(issue.status ?? NO_STATUS);
  return statuses;
}

/**
 * Statuses in board order: known ones in workflow order, unknown ones
 * alphabetically, "no status" last. With `withCore`, the core statuses are
 * included even when absent.
 */
export function orderStatuses(present: Iterable<string>, withCore = false): string[] {
  const seen = new Set(present);
  if (withCore) for (const status of CORE_STATUSES) seen.add(status);
  const known = KNOWN_ISSUE_STATUSES.filter((status) => seen.has(status));
  const unknown = [...seen]
    .filter((status) => status !== NO_STATUS && !(KNOWN_ISSUE_STATUSES as readonly string[]).includes(status))
    .sort(compareIds);
  return [...known, ...unknown, ...(seen.has(NO_STATUS) ? [NO_STATUS] : [])];
}

function compareIssues(a: IssueState, b: IssueState): number {
  const since = (issue: IssueState) => issue.statusSince ?? issue.createdAt ?? 0;
  return since(b) - since(a) || compareIds(a.issueId, b.issueId);
}

/**
 * Whether an issue passes the filter. Text: every whitespace-separated term
 * must appear (case-insensitive) in the issue id (a leading `#` is ignored),
 * its title or its agent's id. Agent: the issue is assigned to the agent, or
 * the agent reports working on it. Status: exact match (`NO_STATUS` selects
 * issues without one).
 */
export function matchesFilter(
  issue: IssueState,
  agentsById: Readonly<Record<string, AgentState>>,
  filter: BoardFilter,
): boolean {
  if (filter.status !== null && (issue.status ?? NO_STATUS) !== filter.status) return false;
  if (filter.agentId !== null && issue.agentId !== filter.agentId) {
    const agent = Object.hasOwn(agentsById, filter.agentId) ? agentsById[filter.agentId] : undefined;
    if (agent?.issueId !== issue.issueId) return false;
  }
  const terms = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  if (terms.length === 0) return true;
  const fields = [issue.issueId, issue.title ?? '', issue.agentId ?? ''].map((field) => field.toLowerCase());
  return terms.every((term) => {
    const bare = term.startsWith('#') ? term.slice(1) : term;
    return fields.some((field) => field.includes(bare));
  });
}

/**
 * The board as shown: the filtered issues of the project in columns, the
 * columns being those of every issue the page knows, plus `alsoShow` (see
 * `columnsFor`).
 */
export function visibleColumns(
  issues: Readonly<Record<string, IssueState>>,
  agentsById: Readonly<Record<string, AgentState>>,
  projectId: string | null,
  filter: BoardFilter,
  alsoShow: Iterable<string> = [],
): BoardColumn[] {
  const all = Object.values(issues);
  const shown = all.filter(
    (issue) => (projectId === null || issue.projectId === projectId) && matchesFilter(issue, agentsById, filter),
  );
  return columnsFor(shown, projectId, [...statusesOf(all), ...alsoShow]);
}

/** Compact elapsed time: "42s", "5m", "3h 12m", "2d 4h"; a zero second part is dropped ("3h", "2d"). */
export function formatDuration(ms: number): string {
  const seconds = Number.isFinite(ms) ? Math.max(0, Math.floor(ms / 1000)) : 0;
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours}h ${minutes % 60}m` : `${hours}h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days}d ${hours % 24}h` : `${days}d`;
}

const STATUS_LABELS: Record<string, string> = { todo: 'To do', [NO_STATUS]: 'No status' };

/** A status (issue or agent) for people: `in_progress` → "In progress", `waiting_for_input` → "Waiting for input". */
export function statusLabel(status: string): string {
  if (Object.hasOwn(STATUS_LABELS, status)) return STATUS_LABELS[status];
  const words = status.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Project ids from the issues plus `extra` (e.g. the hub's list), unique and sorted. */
export function projectsOf(issues: Iterable<IssueState>, extra: Iterable<string> = []): string[] {
  const ids = new Set<string>(extra);
  for (const issue of issues) if (issue.projectId) ids.add(issue.projectId);
  ids.delete('');
  return [...ids].sort(compareIds);
}

export type AgentAttention = 'urgent' | 'active' | 'idle' | 'offline';

/** How much an agent needs a person: `urgent` when it waits for input or failed. */
export function agentAttention(agent: Pick<AgentState, 'status'>): AgentAttention {
  switch (agent.status) {
    case 'waiting_for_input':
    case 'failed':
      return 'urgent';
    case 'working':
      return 'active';
    case 'idle':
      return 'idle';
    default:
      return 'offline';
  }
}

const AGENT_RANK: Record<AgentStatus, number> = {
  waiting_for_input: 0,
  failed: 1,
  working: 2,
  idle: 3,
  offline: 4,
};

/** Agent list order: waiting for input, failed, working, idle, offline; then by id. */
export function compareAgents(a: AgentState, b: AgentState): number {
  return rank(a) - rank(b) || compareIds(a.agentId, b.agentId);
}

function rank(agent: AgentState): number {
  return (AGENT_STATUSES as readonly string[]).includes(agent.status)
    ? AGENT_RANK[agent.status]
    : AGENT_STATUSES.length;
}

/** How many agents need a person now. */
export function countNeedingAttention(agents: Iterable<AgentState>): number {
  let count = 0;
  for (const agent of agents) if (agentAttention(agent) === 'urgent') count++;
  return count;
}
