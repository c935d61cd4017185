import { memo } from 'react';
import { agentAttention, statusLabel } from '../../lib/board-view';
import type { AgentStatus } from '../../../../shared/protocol';
import { useBoard, useServices } from '../../services';
import { ElapsedTime } from '../board/ElapsedTime';
import './agents.css';

/** A glyph per status, so the badge does not rely on colour alone (the text says it too). */
const STATUS_ICONS: Record<AgentStatus, string> = {
  waiting_for_input: '⏸',
  failed: '✖',
  working: '▶',
  idle: '○',
  offline: '–',
};

export interface AgentRowProps {
  agentId: string;
}

/** One agent: status badge, current issue and stage, last activity. Click or Enter opens its pane. */
export const AgentRow = memo(function AgentRow({ agentId }: AgentRowProps) {
  const agent = useBoard((s) => s.agents[agentId]);
  const { layout } = useServices();
  if (!agent) return null;
  const label = statusLabel(agent.status);
  return (
    <li className="agent-row-item">
      <button
        type="button"
        className="agent-row"
        data-testid="agent-row"
        data-nav-item=""
        data-agent-id={agent.agentId}
        data-status={agent.status}
        data-attention={agentAttention(agent)}
        onClick={() => layout.getState().openPane(agent.agentId)}
      >
        <span className="agent-row-top">
          <span className="agent-row-id">{agent.agentId}</span>
          <StatusBadge status={agent.status} label={label} />
        </span>
        <span className="agent-row-work">
          {agent.issueId ? <span className="agent-row-issue">#{agent.issueId}</span> : <span>No issue</span>}
          {agent.stage ? <span className="agent-row-stage">{agent.stage}</span> : null}
          {agent.lastActivityAt !== undefined ? (
            <span className="agent-row-age">
              <ElapsedTime since={agent.lastActivityAt} label="last activity" /> ago
            </span>
          ) : null}
        </span>
        {agent.message ? (
          <span className="agent-row-message" title={agent.message}>
            {agent.message}
          </span>
        ) : null}
      </button>
    </li>
  );
});

export function StatusBadge({ status, label }: { status: AgentStatus; label: string }) {
  return (
    <span className="agent-status" data-status={status}>
      <span className="agent-status-icon" aria-hidden="true">
        {STATUS_ICONS[status] ?? '?'}
      </span>
      {label}
    </span>
  );
}
