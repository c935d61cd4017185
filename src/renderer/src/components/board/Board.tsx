import { useCallback, useId, useMemo, useRef, useState } from 'react';
import { type BoardColumn, statusLabel, visibleColumns } from '../../lib/board-view';
import { useBoard, useFilter, useLayout, useServices } from '../../services';
import { IssueCard } from './IssueCard';
import { BOARD_NAV_GROUP, useListNavigation } from './use-list-navigation';
import './board.css';

/**
 * The selected project's issues in status columns. The board selects only
 * the ids per column, as one string, so it re-renders when an issue appears,
 * leaves or moves, never when an issue's title or stage changes: that
 * re-renders the one card.
 *
 * Columns keep their place: the same for every project (see `columnsFor`),
 * and a status column once shown stays for the page's life, so the board
 * does not reshape when the last blocked issue moves on.
 */
export function Board() {
  const { drawer } = useServices();
  const projectId = useLayout((s) => s.projectId);
  const text = useFilter((s) => s.text);
  const agentId = useFilter((s) => s.agentId);
  const status = useFilter((s) => s.status);
  const total = useBoard((s) => countIn(s.issues, projectId));
  const [seen, setSeen] = useState<readonly string[]>([]);
  const key = useBoard((s) =>
    JSON.stringify(visibleColumns(s.issues, s.agents, projectId, { text, agentId, status }, seen)),
  );
  const columns = useMemo(() => JSON.parse(key) as BoardColumn[], [key]);
  // A status seen for the first time (rare) joins `seen` during render, React's pattern for derived state.
  if (columns.some((column) => !seen.includes(column.status))) setSeen(columns.map((column) => column.status));
  const shown = columns.reduce((sum, column) => sum + column.issueIds.length, 0);

  const idPrefix = useId();
  const ref = useRef<HTMLDivElement>(null);
  // Enter on a card opens its details (`o` opens its agent's pane: IssueCard).
  const openDetailsOf = useCallback(
    (card: HTMLElement) => {
      const issue = card.dataset.issueId;
      if (issue) drawer.getState().open(issue);
    },
    [drawer],
  );
  useListNavigation(ref, { group: BOARD_NAV_GROUP, onActivate: openDetailsOf });

  return (
    <div className="board" ref={ref}>
      {total > 0 && shown === 0 ? (
        <p className="board-note" role="status">
          No issues match the filter.
        </p>
      ) : null}
      {total === 0 ? (
        <p className="board-note" role="status">
          {projectId ? `No issues in ${projectId} yet.` : 'Choose a project to see its issues.'}
        </p>
      ) : null}
      <div className="board-columns">
        {/* Statuses are free text (spaces included), so heading ids use the column's position instead. */}
        {columns.map((column, index) => (
          <BoardColumnView key={column.status} column={column} headingId={`${idPrefix}-column-${index}`} />
        ))}
      </div>
    </div>
  );
}

function BoardColumnView({ column, headingId }: { column: BoardColumn; headingId: string }) {
  const label = statusLabel(column.status);
  const count = column.issueIds.length;
  return (
    <section className="board-column" data-status={column.status} aria-labelledby={headingId}>
      <h2 className="board-column-heading" id={headingId}>
        <span>{label}</span>{' '}
        <span className="board-column-count">
          {count}
          <span className="visually-hidden"> {count === 1 ? 'issue' : 'issues'}</span>
        </span>
      </h2>
      <ul className="board-column-list" role="list" aria-labelledby={headingId}>
        {column.issueIds.map((id) => (
          <IssueCard key={id} issueId={id} />
        ))}
      </ul>
    </section>
  );
}

function countIn(issues: Record<string, { projectId?: string }>, projectId: string | null): number {
  if (projectId === null) return Object.keys(issues).length;
  let count = 0;
  for (const id in issues) if (issues[id].projectId === projectId) count++;
  return count;
}
