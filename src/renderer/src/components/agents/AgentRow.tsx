import { memo } from 'react';
import { agentAttention } from '../../lib/board-view';
import { useBoard, useServices } from '../../services';
import { ElapsedTime } from '../board/ElapsedTime';
import { QuickAnswer } from '../answer/QuickAnswer';
import { AgentStateAge } from './AgentStateAge';
import './agents.css';

export interface AgentRowProps {
  agentId: string;
}

/**
 * One agent: status badge with time in status (or "Stuck"), project, current
 * issue and stage, last activity. Click or Enter opens its pane.
 */
export const AgentRow = memo(function AgentRow({ agentId }: AgentRowProps) {
  const agent = useBoard((s) => s.agents[agentId]);
  const { layout } = useServices();
  if (!agent) return null;
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
          <AgentStateAge agentId={agent.agentId} className="agent-status" />
        </span>
        <span className="agent-row-work">
          {agent.projectId ? (
            <span className="agent-row-project" title={`Project ${agent.projectId}`}>
              <span className="visually-hidden">project </span>
              {agent.projectId}
            </span>
          ) : null}
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
      <QuickAnswer agentId={agent.agentId} promptShown={agent.message?.trim() === agent.prompt?.trim()} />
    </li>
  );
});
