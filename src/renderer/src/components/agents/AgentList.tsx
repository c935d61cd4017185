import { type FocusEvent, useId, useRef, useState } from 'react';
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
 *
 * The order holds still while the pointer is over the list or a row has
 * keyboard focus (j/k, Tab: `:focus-visible`), so the row under the pointer
 * or the keyboard is the one acted on: agents that change status keep their
 * place (new ones join at the end, removed ones leave), and the list re-sorts
 * when the pointer leaves or keyboard focus moves out. Focus left on a row by
 * a click does not hold it: the list would otherwise stay unsorted after
 * every click.
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
  const [hovered, setHovered] = useState(false);
  const [focused, setFocused] = useState(false);
  const frozen = hovered || focused;
  // The order last shown, adjusted during render (React's "state from props" pattern).
  const [shown, setShown] = useState<string[]>(ids);
  const order = frozen ? holdOrder(shown, ids) : ids;
  if (order !== shown) setShown(order);
  const onBlur = (event: FocusEvent) => {
    if (!ref.current?.contains(event.relatedTarget as Node | null)) setFocused(false);
  };
  // Rows are buttons: Enter already clicks them, so no onActivate here.
  useListNavigation(ref, { group: BOARD_NAV_GROUP });

  return (
    <div
      className="agent-list"
      ref={ref}
      data-order-frozen={frozen ? 'true' : undefined}
      onPointerEnter={() => setHovered(true)}
      onPointerLeave={() => setHovered(false)}
      onFocus={(event) => setFocused(isKeyboardFocus(event.target))}
      onBlur={onBlur}
    >
      <h2 className="agent-list-heading" id={headingId}>
        Agents <span className="agent-list-count">{ids.length}</span>
        {/* Polite: a new agent waiting for input is announced without interrupting. */}
        <span className="agent-list-attention" role="status" data-count={attention}>
          {attention > 0 ? `${attention} need${attention === 1 ? 's' : ''} attention` : ''}
        </span>
      </h2>
      {ids.length === 0 ? <p className="agent-list-empty">No agents yet.</p> : null}
      <ul className="agent-list-rows" role="list" aria-labelledby={headingId}>
        {order.map((id) => (
          <AgentRow key={id} agentId={id} />
        ))}
      </ul>
    </div>
  );
}

function isKeyboardFocus(target: EventTarget): boolean {
  try {
    return target instanceof Element && target.matches(':focus-visible');
  } catch {
    // An engine without :focus-visible: any focus holds the order, as before.
    return true;
  }
}

/** The order shown before, kept: ids still present stay where they were, new ones go last. */
export function holdOrder(previous: readonly string[], current: readonly string[]): string[] {
  const present = new Set(current);
  const kept = previous.filter((id) => present.has(id));
  if (kept.length === current.length && kept.length === previous.length) return previous as string[];
  const known = new Set(kept);
  return [...kept, ...current.filter((id) => !known.has(id))];
}
