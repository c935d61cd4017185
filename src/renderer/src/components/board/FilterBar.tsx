import { useEffect, useId, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { compareIds, orderStatuses, statusLabel } from '../../lib/board-view';
import { KNOWN_ISSUE_STATUSES } from '../../../../shared/protocol';
import { useBoard, useFilter, useLayout, useServices } from '../../services';
import { isTypingTarget } from './typing';
import './board.css';

/** Filters the board by text, agent and status. `/` focuses the text field from anywhere; Escape clears it. */
export function FilterBar() {
  const { filter } = useServices();
  const text = useFilter((s) => s.text);
  const agentId = useFilter((s) => s.agentId);
  const status = useFilter((s) => s.status);
  const projectId = useLayout((s) => s.projectId);
  const agentIds = useBoard(useShallow((s) => Object.keys(s.agents).sort(compareIds)));
  const statuses = useBoard(
    useShallow((s) => {
      const present = new Set<string>(KNOWN_ISSUE_STATUSES);
      for (const issue of Object.values(s.issues)) {
        if (issue.status && (projectId === null || issue.projectId === projectId)) present.add(issue.status);
      }
      return orderStatuses(present);
    }),
  );
  const inputRef = useRef<HTMLInputElement>(null);
  const id = useId();

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== '/' || event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTypingTarget(event.target)) return;
      event.preventDefault();
      inputRef.current?.focus();
      inputRef.current?.select();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);

  const active = text !== '' || agentId !== null || status !== null;
  // A filter value the store no longer lists stays selectable, so the select never lies about what is applied.
  const agentOptions = agentId !== null && !agentIds.includes(agentId) ? [...agentIds, agentId] : agentIds;
  const statusOptions = status !== null && !statuses.includes(status) ? [...statuses, status] : statuses;

  return (
    <div className="filter-bar" role="search">
      <label className="visually-hidden" htmlFor={`${id}-text`}>
        Filter issues
      </label>
      <input
        ref={inputRef}
        id={`${id}-text`}
        className="filter-text"
        type="search"
        placeholder="Filter issues  /"
        aria-keyshortcuts="/"
        autoComplete="off"
        spellCheck={false}
        value={text}
        onChange={(event) => filter.getState().setText(event.target.value)}
        onKeyDown={(event) => {
          if (event.key !== 'Escape') return;
          event.preventDefault();
          filter.getState().setText('');
          event.currentTarget.blur();
        }}
      />
      <label className="visually-hidden" htmlFor={`${id}-agent`}>
        Agent
      </label>
      <select
        id={`${id}-agent`}
        value={agentId ?? ''}
        onChange={(event) => filter.getState().setAgent(event.target.value || null)}
      >
        <option value="">All agents</option>
        {agentOptions.map((agent) => (
          <option key={agent} value={agent}>
            {agent}
          </option>
        ))}
      </select>
      <label className="visually-hidden" htmlFor={`${id}-status`}>
        Status
      </label>
      <select
        id={`${id}-status`}
        value={status ?? ''}
        onChange={(event) => filter.getState().setStatus(event.target.value || null)}
      >
        <option value="">All statuses</option>
        {statusOptions.map((option) => (
          <option key={option} value={option}>
            {statusLabel(option)}
          </option>
        ))}
      </select>
      <button type="button" onClick={() => filter.getState().clear()} disabled={!active} aria-label="Clear filters">
        Clear
      </button>
    </div>
  );
}
