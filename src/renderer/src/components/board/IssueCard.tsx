import { memo, useEffect, useRef } from 'react';
import { NO_STATUS, statusLabel } from '../../lib/board-view';
import { useBoard, useServices } from '../../services';
import { QuickAnswer } from '../answer/QuickAnswer';
import { ElapsedTime } from './ElapsedTime';
import './board.css';

/** How long a card stays highlighted after a change; matches the animation in board.css. */
export const FLASH_MS = 1200;

export interface IssueCardProps {
  issueId: string;
}

/**
 * One issue on the board. It selects only its own issue and change time, so
 * an event about another issue never re-renders it (and a change to it never
 * re-renders the board).
 */
export const IssueCard = memo(function IssueCard({ issueId }: IssueCardProps) {
  const issue = useBoard((s) => s.issues[issueId]);
  const changedAt = useBoard((s) => s.changedAt[issueId]);
  const { layout, drawer } = useServices();
  const ref = useRef<HTMLLIElement>(null);

  // Flash on change. A card that mounts because its issue just moved column
  // flashes too; one that mounts long after (filter, project switch) does not.
  // The class is toggled on the DOM node, not through state, so the flash
  // costs no extra render and restarts if changes come in quick succession.
  useEffect(() => {
    const card = ref.current;
    if (!card || changedAt === undefined || Date.now() - changedAt >= FLASH_MS) return;
    card.classList.remove('is-flashing');
    void card.offsetWidth; // restart the animation
    card.classList.add('is-flashing');
    const timer = setTimeout(() => card.classList.remove('is-flashing'), FLASH_MS);
    return () => clearTimeout(timer);
  }, [changedAt]);

  if (!issue) return null;
  const status = issue.status ?? NO_STATUS;
  const title = issue.title?.trim() || 'Untitled';
  const agentId = issue.agentId ?? null;
  const since = issue.statusSince ?? issue.createdAt ?? issue.updatedAt;
  const summary = [
    `Issue #${issue.issueId}: ${title}`,
    statusLabel(status),
    issue.stage ? `stage ${issue.stage}` : null,
    agentId ? `agent ${agentId}` : 'unassigned',
  ]
    .filter(Boolean)
    .join(', ');

  return (
    <li
      ref={ref}
      className="issue-card"
      tabIndex={0}
      aria-label={summary}
      data-testid="issue-card"
      data-nav-item=""
      data-issue-id={issue.issueId}
      data-status={status}
      data-agent-id={agentId ?? undefined}
      aria-haspopup="dialog"
      aria-keyshortcuts={agentId ? 'Enter O' : 'Enter'}
      onClick={(event) => {
        // The agent chip opens the pane; anywhere else on the card opens the details.
        if (event.target instanceof Element && event.target.closest('button')) return;
        drawer.getState().open(issue.issueId);
      }}
      onKeyDown={(event) => {
        // `o` on the card itself: its agent's pane, without the details (Enter opens those, in Board).
        if (event.key !== 'o' || event.target !== event.currentTarget) return;
        if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented || !agentId) return;
        event.preventDefault();
        layout.getState().openPane(agentId);
      }}
    >
      <div className="issue-card-top">
        <span className="issue-card-id">#{issue.issueId}</span>
        {issue.stage ? (
          <span className="stage-chip" data-stage={issue.stage}>
            {issue.stage}
          </span>
        ) : null}
      </div>
      <p className="issue-card-title" title={title}>
        {title}
      </p>
      <div className="issue-card-meta">
        {agentId && status === 'done' ? (
          // Finished: who did it, not a chip that suggests the agent is still on it.
          <span className="issue-card-done-by">by {agentId}</span>
        ) : agentId ? (
          <button
            type="button"
            className="issue-card-agent"
            // `o` on the card does the same; one tab stop per card keeps Tab usable on a big board.
            tabIndex={-1}
            onClick={() => layout.getState().openPane(agentId)}
            aria-label={`Open agent ${agentId}`}
          >
            {agentId}
          </button>
        ) : (
          <span className="issue-card-unassigned">Unassigned</span>
        )}
        {since !== undefined ? <ElapsedTime className="issue-card-age" since={since} label="in status for" /> : null}
      </div>
      {agentId && status !== 'done' ? <QuickAnswer agentId={agentId} /> : null}
    </li>
  );
});
