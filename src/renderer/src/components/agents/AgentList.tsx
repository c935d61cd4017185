import { useId, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { compareAgents, countNeedingAttention } from '../../lib/board-view';
import { useBoard } from '../../services';
import { BOARD_NAV_GROUP, useListNavigation } from '../board/use-list-navigation';
import { AgentRow } from './AgentRow';
import './agents.css';

/**
 * Every agent in the store, those needing a person first (waiting for input,
 * failed), then working, idle, offline. The list selects only the ordered
 * ids and the attention count; each row selects its own agent.
 */
export function AgentList() {
  const ids = useBoard(
    useShallow((s) =>
      Object.values(s.agents)
        .sort(compareAgents)
        .map((agent) => agent.agentId),
    ),
  );
  const attention = useBoard((s) => countNeedingAttention(Object.values(s.agents)));
  const headingId = useId();
  const ref = useRef<HTMLDivElement>(null);
  // Rows are buttons: Enter already clicks them, so no onActivate here.
  useListNavigation(ref, { group: BOARD_NAV_GROUP });

  return (
    <div className="agent-list" ref={ref}>
      <h2 className="agent-list-heading" id={headingId}>
        Agents <span className="agent-list-count">{ids.length}</span>
        {/* Polite: a new agent waiting for input is announced without interrupting. */}
        <span className="agent-list-attention" role="status" data-count={attention}>
          {attention > 0 ? `${attention} need${attention === 1 ? 's' : ''} attention` : ''}
        </span>
      </h2>
      {ids.length === 0 ? <p className="agent-list-empty">No agents yet.</p> : null}
      <ul className="agent-list-rows" role="list" aria-labelledby={headingId}>
        {ids.map((id) => (
          <AgentRow key={id} agentId={id} />
        ))}
      </ul>
    </div>
  );
}
