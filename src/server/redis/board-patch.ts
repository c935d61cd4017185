import { parseBoardEvent } from '../../shared/board-event';
import { AGENT_REQUEST_FIELDS, type EventPayloads } from '../../shared/protocol';

/**
 * What one event changes on the board, as field writes the Redis engine's
 * publish script applies atomically, in offset order, to per-issue and
 * per-agent hashes. Field-level writes mean two hubs updating different
 * fields of one issue never lose each other's change. Values are JSON text.
 * Mirrors `applyBoardEvent` (src/shared/board-state.ts), and is tested against
 * it on one table of cases (test/scale/board-engines.test.ts).
 */
export interface BoardPatch {
  issue?: {
    id: string;
    set: Record<string, string>;
    /** JSON of the new status: `statusSince` is written only when it differs from the stored one. */
    status?: string;
    /** Write only to an issue that exists (`agent_started` never creates one). */
    onlyIfExists?: true;
  };
  agent?: {
    id: string;
    set: Record<string, string>;
    del: string[];
    /** JSON of the agent's status: `statusSince` is written when it differs from the stored one (or the agent is new). */
    status: string;
    /** Take this issue's stored project (or null when it has none): `agent_started` without a projectId. */
    projectOfIssue?: string;
  };
}

const json = (value: unknown) => JSON.stringify(value ?? null);

export function boardPatch(event: string, data: unknown, channel?: string): BoardPatch | null {
  const parsed = parseBoardEvent(event, data, channel);
  if (!parsed) return null;
  switch (parsed.event) {
    case 'issue_created':
    case 'issue_updated': {
      const p = parsed.data as EventPayloads['issue_created'];
      const set: Record<string, string> = {};
      if (p.projectId !== undefined) set.projectId = json(p.projectId);
      if (p.title !== undefined) set.title = json(p.title);
      if (p.stage !== undefined) set.stage = json(p.stage);
      if (p.agentId !== undefined) set.agentId = json(p.agentId);
      return { issue: { id: p.issueId, set, ...(p.status !== undefined ? { status: json(p.status) } : {}) } };
    }
    case 'status_changed': {
      const p = parsed.data as EventPayloads['status_changed'];
      return { issue: { id: p.issueId, set: projectOf(p.projectId), status: json(p.newStatus) } };
    }
    case 'stage_changed': {
      const p = parsed.data as EventPayloads['stage_changed'];
      return { issue: { id: p.issueId, set: { ...projectOf(p.projectId), stage: json(p.newStage) } } };
    }
    case 'agent_assigned': {
      const p = parsed.data as EventPayloads['agent_assigned'];
      return { issue: { id: p.issueId, set: { ...projectOf(p.projectId), agentId: json(p.agentId) } } };
    }
    case 'agent_started': {
      const p = parsed.data as EventPayloads['agent_started'];
      const agentSet: Record<string, string> = {
        issueId: json(p.issueId),
        stage: json(p.stage ?? null),
      };
      if (p.projectId !== undefined) agentSet.projectId = json(p.projectId);
      // As the reducer does: the issue, if it exists, gets its agent (nothing else); the agent
      // takes the event's project, else its issue's, else none.
      return {
        issue: { id: p.issueId, set: { agentId: json(p.agentId) }, onlyIfExists: true },
        agent: {
          id: p.agentId,
          set: agentSet,
          // As the reducer: a started agent no longer asks anything.
          del: [...AGENT_REQUEST_FIELDS],
          status: json('working'),
          ...(p.projectId === undefined ? { projectOfIssue: p.issueId } : {}),
        },
      };
    }
    case 'agent_status': {
      const p = parsed.data as EventPayloads['agent_status'];
      const set: Record<string, string> = {};
      if (p.issueId !== undefined) set.issueId = json(p.issueId);
      if (p.stage !== undefined) set.stage = json(p.stage);
      if (p.projectId !== undefined) set.projectId = json(p.projectId);
      if (p.message !== undefined) set.message = json(p.message);
      const del: string[] = p.message === undefined ? ['message'] : [];
      // As the reducer: only waiting carries a request, and each agent_status replaces it.
      const waiting = p.status === 'waiting_for_input';
      for (const field of AGENT_REQUEST_FIELDS) {
        if (waiting && p[field] !== undefined) set[field] = json(p[field]);
        else del.push(field);
      }
      return { agent: { id: p.agentId, set, del, status: json(p.status) } };
    }
  }
}

function projectOf(projectId: string | undefined): Record<string, string> {
  return projectId === undefined ? {} : { projectId: json(projectId) };
}
