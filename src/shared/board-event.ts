/**
 * The events that change the board, parsed once with the protocol's schemas,
 * and the records each one writes. The reducer (board-state.ts), the Redis
 * engine's field patches and the hub's publish authorization all start from
 * this parse, so what an event changes and what a publisher must be allowed
 * to touch cannot drift apart.
 */
import { type EventPayloads, type KnownEventName, eventSchemas, isKnownEvent, parseChannel } from './protocol';

export type BoardEventName = Exclude<KnownEventName, 'output' | 'output_batch'>;
export type BoardEvent = { [K in BoardEventName]: { event: K; data: EventPayloads[K] } }[BoardEventName];

/**
 * The event as the reducer reads it, or null when it cannot change the board
 * (output, unknown, invalid). An event published on `project:X` whose payload
 * names no project belongs to X (seed-style publishers omit `projectId` on
 * their project's channel): every reader of this parse — the reducer, the
 * Redis board patch, publish authorization — sees the same project.
 */
export function parseBoardEvent(event: string, data: unknown, channel?: string): BoardEvent | null {
  // Output is most of the traffic and never changes the board: skip it before any validation.
  if (!isKnownEvent(event) || event === 'output' || event === 'output_batch') return null;
  const parsed = eventSchemas[event].safeParse(data);
  if (!parsed.success) return null;
  const payload = parsed.data as { projectId?: unknown };
  const target = channel === undefined ? null : parseChannel(channel);
  if (target?.kind === 'project' && payload.projectId === undefined) {
    return { event, data: { ...payload, projectId: target.id } } as BoardEvent;
  }
  return { event, data: parsed.data } as BoardEvent;
}

/** The issue and agent records an event writes. */
export interface BoardTargets {
  /** `projectId`: the project the event puts the issue in; undefined keeps the stored one. */
  issue?: { issueId: string; projectId?: string };
  /**
   * `projectId`: the project the event puts the agent in (null: none; undefined: keeps the stored one).
   * `projectOfIssue`: without a `projectId`, the agent takes the project of its issue (`agent_started`).
   */
  agent?: { agentId: string; projectId?: string | null; projectOfIssue?: boolean };
}

/** What `applyBoardEvent` writes for this event, per record. */
export function boardTargets(parsed: BoardEvent): BoardTargets {
  switch (parsed.event) {
    case 'issue_created':
    case 'issue_updated':
    case 'status_changed':
    case 'stage_changed':
    case 'agent_assigned':
      return { issue: { issueId: parsed.data.issueId, projectId: parsed.data.projectId } };
    case 'agent_started': {
      const { agentId, issueId, projectId } = parsed.data;
      return {
        issue: { issueId, projectId },
        // Stryker disable next-line ConditionalExpression: with a projectId the issue's project is that same projectId, so taking "the issue's project" changes nothing
        agent: { agentId, projectId, projectOfIssue: projectId === undefined },
      };
    }
    case 'agent_status':
      return { agent: { agentId: parsed.data.agentId, projectId: parsed.data.projectId } };
  }
}
