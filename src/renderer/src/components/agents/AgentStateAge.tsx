import { formatDuration, statusLabel } from '../../lib/board-view';
import { clockTime, stateSince, stuckFor } from '../../lib/agent-state';
import type { AgentStatus } from '../../../../shared/protocol';
import { useBoard, useConnection, usePreferences } from '../../services';
import { useNow } from '../board/use-now';
import './agents.css';

/** A glyph per status, so the badge does not rely on colour alone (the text says it too). */
export const STATUS_ICONS: Record<AgentStatus, string> = {
  waiting_for_input: '‖',
  failed: '✖',
  working: '▶',
  idle: '○',
  offline: '–',
};
const STUCK_ICON = '◷';

export interface AgentStateAgeProps {
  agentId: string;
  /** Extra classes (the agent row gives it the badge look: `agent-status`). */
  className?: string;
}

/**
 * An agent's status and how long it has been in it: "Working 3m",
 * "Waiting for input 40s", or "Stuck 7m" for a working agent silent longer
 * than the stuck preference (the time is how long it has been silent).
 * While the page is not connected the clock stops where knowledge stops:
 * "Working 3m · as of 12:03". Ticks once a second on the shared timer; used
 * in agent rows and pane headers (`<AgentStateAge agentId={id} />`).
 */
export function AgentStateAge({ agentId, className }: AgentStateAgeProps) {
  const agent = useBoard((s) => s.agents[agentId]);
  const stuckAfterMs = usePreferences((s) => s.stuckAfterMinutes) * 60_000;
  const staleSince = useConnection((s) => s.staleSince);
  const ticking = useNow(1000);
  if (!agent) return null;
  // Nothing newer is known than the moment the connection was lost.
  const now = staleSince ?? ticking;
  const stuck = stuckFor(agent, now, stuckAfterMs);
  const since = stateSince(agent);
  const label = stuck !== null ? 'Stuck' : statusLabel(agent.status);
  const age = stuck ?? (since !== undefined ? now - since : null);
  const title = [
    stuck !== null ? `Working, but no output for ${formatDuration(stuck)}` : null,
    since !== undefined ? `${statusLabel(agent.status)} since ${new Date(since).toLocaleString()}` : null,
    staleSince !== null ? `Not connected: as last known at ${clockTime(staleSince)}` : null,
  ]
    .filter(Boolean)
    .join('. ');
  return (
    <span
      className={className ? `agent-state ${className}` : 'agent-state'}
      data-testid="agent-state-age"
      data-status={agent.status}
      data-stuck={stuck !== null ? 'true' : undefined}
      data-stale={staleSince !== null ? 'true' : undefined}
      title={title || undefined}
    >
      <span className="agent-status-icon" aria-hidden="true">
        {stuck !== null ? STUCK_ICON : (STATUS_ICONS[agent.status] ?? '?')}
      </span>
      {label}
      {age !== null ? <span className="agent-state-age">{formatDuration(age)}</span> : null}
      {staleSince !== null ? <span className="agent-state-stale">· as of {clockTime(staleSince)}</span> : null}
    </span>
  );
}
