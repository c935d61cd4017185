/**
 * The board's state (issues and agents) derived from the events the hub
 * carries. The one reducer: the hub's memory engine keeps its snapshots with
 * it, the Redis engine's board patch is tested against it (one table of
 * cases), and the client core's board (src/client/channel-store.ts) applies
 * it once per event for everything in its process.
 */
import {
  type AgentState,
  type AgentStatus,
  type Channel,
  type EventPayloads,
  type IssueState,
  type Snapshot,
  AGENT_REQUEST_FIELDS,
  parseChannel,
} from './protocol';
import { parseBoardEvent } from './board-event';

export interface BoardState {
  issues: Map<string, IssueState>;
  agents: Map<string, AgentState>;
}

/** The board as consumers read it: records are replaced on change, never mutated. */
export interface ReadonlyBoard {
  readonly issues: ReadonlyMap<string, IssueState>;
  readonly agents: ReadonlyMap<string, AgentState>;
}

export function createBoardState(): BoardState {
  return { issues: new Map(), agents: new Map() };
}

/**
 * What an event changed, so callers can persist or re-render only that:
 * the records it wrote, and (in `before`) what those records were before it,
 * absent for a record it created. Records are never mutated, only replaced.
 */
export interface BoardChange {
  issue?: IssueState;
  agent?: AgentState;
  before: { issue?: IssueState; agent?: AgentState };
}

/**
 * Applies one event to the board. Returns what changed, or null when the event
 * does not touch issue or agent state (or its payload is not valid). `channel`
 * is where it was published: on `project:X`, a payload without a project
 * belongs to X (see parseBoardEvent).
 */
export function applyBoardEvent(
  board: BoardState,
  event: string,
  data: unknown,
  time: number,
  channel?: string,
): BoardChange | null {
  const parsed = parseBoardEvent(event, data, channel);
  if (!parsed) return null;
  switch (parsed.event) {
    case 'issue_created':
    case 'issue_updated': {
      const p = parsed.data as EventPayloads['issue_created'];
      const previous = board.issues.get(p.issueId);
      const issue: IssueState = { ...previous, issueId: p.issueId };
      if (p.projectId !== undefined) issue.projectId = p.projectId;
      if (p.title !== undefined) issue.title = p.title;
      if (p.stage !== undefined) issue.stage = p.stage;
      if (p.agentId !== undefined) issue.agentId = p.agentId;
      if (p.status !== undefined && p.status !== previous?.status) {
        issue.status = p.status;
        issue.statusSince = time;
      }
      issue.createdAt = previous?.createdAt ?? time;
      issue.updatedAt = time;
      board.issues.set(issue.issueId, issue);
      return { issue, before: previous ? { issue: previous } : {} };
    }
    case 'status_changed': {
      const p = parsed.data as EventPayloads['status_changed'];
      return updateIssue(board, p.issueId, p.projectId, time, (issue) => {
        if (issue.status !== p.newStatus) issue.statusSince = time;
        issue.status = p.newStatus;
      });
    }
    case 'stage_changed': {
      const p = parsed.data as EventPayloads['stage_changed'];
      return updateIssue(board, p.issueId, p.projectId, time, (issue) => {
        issue.stage = p.newStage;
      });
    }
    case 'agent_assigned': {
      const p = parsed.data as EventPayloads['agent_assigned'];
      return updateIssue(board, p.issueId, p.projectId, time, (issue) => {
        issue.agentId = p.agentId;
      });
    }
    case 'agent_started': {
      const p = parsed.data as EventPayloads['agent_started'];
      const before = beforeAgent(board, p.agentId);
      const agent = updateAgent(board, p.agentId, time, {
        status: 'working',
        issueId: p.issueId,
        stage: p.stage ?? null,
        projectId: p.projectId ?? board.issues.get(p.issueId)?.projectId ?? null,
        // A started agent is working: whatever it asked before is no longer asked.
        requestId: undefined,
        prompt: undefined,
        choices: undefined,
      });
      const issue = board.issues.get(p.issueId);
      if (issue && issue.agentId !== p.agentId) {
        const next = { ...issue, agentId: p.agentId, updatedAt: time };
        board.issues.set(p.issueId, next);
        return { agent, issue: next, before: { ...before, issue } };
      }
      return { agent, before };
    }
    case 'agent_status': {
      const p = parsed.data as EventPayloads['agent_status'];
      const patch: Partial<AgentState> & { status: AgentStatus } = { status: p.status };
      if (p.issueId !== undefined) patch.issueId = p.issueId;
      if (p.stage !== undefined) patch.stage = p.stage;
      if (p.projectId !== undefined) patch.projectId = p.projectId;
      patch.message = p.message;
      // A request lives while the agent waits: every agent_status replaces it, and only waiting carries one.
      const waiting = p.status === 'waiting_for_input';
      patch.requestId = waiting ? p.requestId : undefined;
      patch.prompt = waiting ? p.prompt : undefined;
      patch.choices = waiting ? p.choices : undefined;
      const before = beforeAgent(board, p.agentId);
      return { agent: updateAgent(board, p.agentId, time, patch), before };
    }
  }
}

function beforeAgent(board: BoardState, agentId: string): BoardChange['before'] {
  const agent = board.agents.get(agentId);
  return agent ? { agent } : {};
}

/**
 * Output on an `agent:` channel marks the agent active (an unknown agent
 * appears as working); returns the change, or null when nothing moved.
 */
export function touchAgent(board: BoardState, channel: Channel, time: number): BoardChange | null {
  const parsed = parseChannel(channel);
  if (parsed?.kind !== 'agent') return null;
  const previous = board.agents.get(parsed.id);
  if (previous?.lastActivityAt === time) return null;
  const agent: AgentState = previous
    ? { ...previous, lastActivityAt: time }
    : { agentId: parsed.id, status: 'working', lastActivityAt: time, statusSince: time };
  board.agents.set(parsed.id, agent);
  return { agent, before: previous ? { agent: previous } : {} };
}

function updateIssue(
  board: BoardState,
  issueId: string,
  projectId: string | undefined,
  time: number,
  mutate: (issue: IssueState) => void,
): BoardChange {
  const previous = board.issues.get(issueId);
  const issue: IssueState = { ...previous, issueId, createdAt: previous?.createdAt ?? time, updatedAt: time };
  if (projectId !== undefined) issue.projectId = projectId;
  mutate(issue);
  board.issues.set(issueId, issue);
  return { issue, before: previous ? { issue: previous } : {} };
}

function updateAgent(board: BoardState, agentId: string, time: number, patch: Partial<AgentState>): AgentState {
  const previous = board.agents.get(agentId);
  const agent: AgentState = { status: 'idle', ...previous, ...patch, agentId, lastActivityAt: time };
  // Time in the current status (and stuck detection) starts when the status changes, not at every event.
  if (!previous || previous.status !== agent.status) agent.statusSince = time;
  if (agent.message === undefined) delete agent.message;
  for (const field of AGENT_REQUEST_FIELDS) if (agent[field] === undefined) delete agent[field];
  board.agents.set(agentId, agent);
  return agent;
}

/**
 * The part of the board a channel's subscriber should see first:
 * `project:X` → its issues and the agents working in it; `issue:N` → that
 * issue and its agent; `agent:A` → that agent and its current issue.
 */
export function selectSnapshot(board: ReadonlyBoard, channel: Channel): Snapshot {
  const parsed = parseChannel(channel);
  if (!parsed) return { issues: [], agents: [] };
  const { kind, id } = parsed;
  if (kind === 'project') {
    const issues = [...board.issues.values()].filter((issue) => issue.projectId === id);
    // Agents without a project (idle, unassigned) matter to every project's board.
    const agents = [...board.agents.values()].filter((agent) => agent.projectId === id || !agent.projectId);
    return { issues, agents };
  }
  if (kind === 'issue') {
    const issue = board.issues.get(id);
    const agent = issue?.agentId ? board.agents.get(issue.agentId) : undefined;
    return { issues: issue ? [issue] : [], agents: agent ? [agent] : [] };
  }
  const agent = board.agents.get(id);
  const issue = agent?.issueId ? board.issues.get(agent.issueId) : undefined;
  return { issues: issue ? [issue] : [], agents: agent ? [agent] : [] };
}

/** A snapshot is what *is*: its records replace what the board had for them. */
export function applySnapshot(board: BoardState, snapshot: Snapshot): void {
  for (const issue of snapshot.issues) board.issues.set(issue.issueId, issue);
  for (const agent of snapshot.agents) board.agents.set(agent.agentId, agent);
}

/** Ids of the records a snapshot removed from the board. */
export interface BoardRemoval {
  issues: string[];
  agents: string[];
}

/**
 * A fresh snapshot of a channel is all the hub knows of it: besides writing
 * its records, it removes the records the channel owns that it lacks (after
 * a hub restart, those the new hub never heard of). A channel owns
 * `project:X` → the issues and agents whose project is X; `issue:N` → that
 * issue; `agent:A` → that agent. Records a snapshot only carries by relation
 * (a project's project-less agents, an issue's agent) are not owned: a
 * snapshot may leave them out because the reader's token does not cover
 * them (see the hub's snapshot filter). Returns what was removed, or null.
 */
export function replaceSnapshot(board: BoardState, channel: Channel, snapshot: Snapshot): BoardRemoval | null {
  const parsed = parseChannel(channel);
  const removed: BoardRemoval = { issues: [], agents: [] };
  if (parsed) {
    const { kind, id } = parsed;
    const keepIssues = new Set(snapshot.issues.map((issue) => issue.issueId));
    const keepAgents = new Set(snapshot.agents.map((agent) => agent.agentId));
    for (const issue of board.issues.values()) {
      const owned = kind === 'project' ? issue.projectId === id : kind === 'issue' && issue.issueId === id;
      if (owned && !keepIssues.has(issue.issueId)) removed.issues.push(issue.issueId);
    }
    for (const agent of board.agents.values()) {
      const owned = kind === 'project' ? agent.projectId === id : kind === 'agent' && agent.agentId === id;
      if (owned && !keepAgents.has(agent.agentId)) removed.agents.push(agent.agentId);
    }
    for (const issueId of removed.issues) board.issues.delete(issueId);
    for (const agentId of removed.agents) board.agents.delete(agentId);
  }
  applySnapshot(board, snapshot);
  return removed.issues.length > 0 || removed.agents.length > 0 ? removed : null;
}

/** An agent that needs a person: it waits for input, or it failed. */
export function needsAttention(agent: Pick<AgentState, 'status'>): boolean {
  return agent.status === 'waiting_for_input' || agent.status === 'failed';
}
