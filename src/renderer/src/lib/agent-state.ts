/**
 * How an agent's state reads beyond its status: how long it has been in it,
 * whether a working agent looks stuck, and how a status reads when what the
 * page shows may be out of date. Pure functions, tested without React.
 */
import type { AgentState } from '../../../shared/protocol';

/** Default for "no output for this long while working is stuck" (the preference's default). */
export const DEFAULT_STUCK_AFTER_MINUTES = 5;

/** When the agent entered its current status, as best known (older hubs send no `statusSince`). */
export function stateSince(agent: Pick<AgentState, 'statusSince' | 'lastActivityAt'>): number | undefined {
  return agent.statusSince ?? agent.lastActivityAt;
}

/**
 * How long a working agent has been silent when that is longer than
 * `stuckAfterMs` (no output, no event: `lastActivityAt`, else its status
 * time), else null. Only `working` can be stuck: waiting, failed, idle and
 * offline agents are silent by nature.
 */
export function stuckFor(
  agent: Pick<AgentState, 'status' | 'statusSince' | 'lastActivityAt'>,
  now: number,
  stuckAfterMs: number,
): number | null {
  if (agent.status !== 'working' || stuckAfterMs <= 0) return null;
  const quietSince = agent.lastActivityAt ?? agent.statusSince;
  if (quietSince === undefined) return null;
  const quiet = now - quietSince;
  return quiet >= stuckAfterMs ? quiet : null;
}

/** A wall-clock time, "12:03", for "as of" notes. */
export function clockTime(time: number): string {
  return new Date(time).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** A status as it reads while the page may be out of date: "Working · as of 12:03". */
export function staleLabel(label: string, staleSince: number | null): string {
  return staleSince === null ? label : `${label} · as of ${clockTime(staleSince)}`;
}
