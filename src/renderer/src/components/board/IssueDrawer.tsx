import { type KeyboardEvent, useEffect, useId, useRef } from 'react';
import { channelOf } from '../../../../shared/protocol';
import { NO_STATUS, statusLabel } from '../../lib/board-view';
import { useBoard, useDrawer, useServices, useTimeline } from '../../services';
import type { TimelineEntry } from '../../stores/timeline-store';
import { ElapsedTime } from './ElapsedTime';
import './issue-drawer.css';

/** Kept events asked of the hub when the details open: more than a day of one issue's transitions. */
export const DRAWER_HISTORY = 200;

const EMPTY: TimelineEntry[] = [];

/**
 * The open issue's details, beside the board: its fields, its status/stage
 * timeline and the agent on it. A non-modal dialog: the board and panes stay
 * usable; focus moves in when it opens, Escape closes it and focus returns to
 * the issue's card. While open it subscribes to `issue:<id>` asking for the
 * hub's kept history, which the timeline store merges with what the page saw
 * live.
 */
export function IssueDrawer() {
  const issueId = useDrawer((s) => s.issueId);
  if (issueId === null) return null;
  // Keyed by issue: another issue is a fresh drawer (subscription, focus).
  return <IssueDetails key={issueId} issueId={issueId} />;
}

function IssueDetails({ issueId }: { issueId: string }) {
  const { bridge, drawer, layout } = useServices();
  const issue = useBoard((s) => s.issues[issueId]);
  const agentId = issue?.agentId ?? null;
  const agent = useBoard((s) => (agentId ? s.agents[agentId] : undefined));
  const timeline = useTimeline((s) => s.timelines[issueId] ?? EMPTY);
  const titleId = useId();
  const ref = useRef<HTMLElement>(null);

  useEffect(() => {
    const subscription = bridge.subscribe(channelOf.issue(issueId), { history: DRAWER_HISTORY });
    return () => subscription.unsubscribe();
  }, [bridge, issueId]);

  useEffect(() => {
    const panel = ref.current;
    panel?.focus();
    return () => {
      // Back to the card the details came from, if focus was in the drawer (not if the user moved on).
      const active = panel?.ownerDocument.activeElement;
      if (panel && active && active !== panel.ownerDocument.body && !panel.contains(active)) return;
      const card = document.querySelector<HTMLElement>(`.issue-card[data-issue-id="${CSS.escape(issueId)}"]`);
      card?.focus();
    };
  }, [issueId]);

  const close = () => drawer.getState().close();
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape' || event.defaultPrevented) return;
    event.preventDefault();
    event.stopPropagation();
    close();
  };

  const title = issue?.title?.trim() || 'Untitled';
  const status = issue?.status ?? NO_STATUS;
  const since = issue ? (issue.statusSince ?? issue.createdAt ?? issue.updatedAt) : undefined;
  return (
    <aside
      ref={ref}
      className="issue-drawer"
      role="dialog"
      aria-modal="false"
      aria-labelledby={titleId}
      tabIndex={-1}
      onKeyDown={onKeyDown}
      data-testid="issue-drawer"
    >
      <header className="issue-drawer-header">
        <h2 id={titleId}>
          <span className="issue-drawer-id">#{issueId}</span> {issue ? title : 'Issue not on the board'}
        </h2>
        <button type="button" onClick={close} aria-label="Close issue details" aria-keyshortcuts="Escape">
          ×
        </button>
      </header>
      {issue ? (
        <dl className="issue-drawer-fields">
          <Field name="Project" value={issue.projectId} />
          <Field name="Status" value={statusLabel(status)} />
          <Field name="Stage" value={issue.stage} />
          <Field name="Agent" value={agentId ?? 'Unassigned'} />
          <Field name="Created" value={formatTime(issue.createdAt)} />
          <Field name="Updated" value={formatTime(issue.updatedAt)} />
          <div>
            <dt>Time in status</dt>
            <dd>{since !== undefined ? <ElapsedTime since={since} /> : '—'}</dd>
          </div>
        </dl>
      ) : (
        <p className="issue-drawer-note">This issue is not in the hub&apos;s board any more (or not yet).</p>
      )}

      <section aria-labelledby={`${titleId}-agent`} className="issue-drawer-agent">
        <h3 id={`${titleId}-agent`}>Agent</h3>
        {agentId ? (
          <p>
            <span className="issue-drawer-agent-name">{agentId}</span>
            {agent ? <span className="issue-drawer-agent-status"> · {statusLabel(agent.status)}</span> : null}
            {agent?.message ? <span className="issue-drawer-agent-message"> · {agent.message}</span> : null}{' '}
            <button type="button" onClick={() => layout.getState().openPane(agentId)} aria-keyshortcuts="O">
              Open {agentId}&apos;s pane
            </button>
          </p>
        ) : (
          <p className="issue-drawer-note">No agent is working on it.</p>
        )}
      </section>

      <section aria-labelledby={`${titleId}-timeline`} className="issue-drawer-timeline">
        <h3 id={`${titleId}-timeline`}>Timeline</h3>
        {timeline.length === 0 ? (
          <p className="issue-drawer-note">No changes seen yet.</p>
        ) : (
          <ol data-testid="issue-timeline">
            {timeline.map((entry) => (
              <li key={entry.key} data-kind={entry.kind} data-source={entry.source}>
                <time dateTime={new Date(entry.time).toISOString()}>{formatTime(entry.time)}</time>{' '}
                <span className="issue-drawer-change">{describe(entry)}</span>
              </li>
            ))}
          </ol>
        )}
        <p className="issue-drawer-hint">
          Changes received while this page was open, and what the hub still keeps of earlier ones.
        </p>
      </section>
    </aside>
  );
}

function Field({ name, value }: { name: string; value: string | null | undefined }) {
  return (
    <div>
      <dt>{name}</dt>
      <dd>{value || '—'}</dd>
    </div>
  );
}

function describe(entry: TimelineEntry): string {
  const label = (value: string | null | undefined, kind: TimelineEntry['kind']) => {
    if (value === null) return kind === 'agent' ? 'unassigned' : 'none';
    if (value === undefined) return '?';
    return kind === 'status' ? statusLabel(value) : value;
  };
  switch (entry.kind) {
    case 'created':
      return entry.to ? `Created in ${statusLabel(entry.to)}` : 'Created';
    case 'status':
      return `Status ${entry.from === undefined ? '' : `${label(entry.from, 'status')} → `}${label(entry.to, 'status')}`;
    case 'stage':
      return `Stage ${entry.from === undefined ? '' : `${label(entry.from, 'stage')} → `}${label(entry.to, 'stage')}`;
    case 'agent':
      return entry.to === null ? 'Agent unassigned' : `Assigned to ${entry.to}`;
  }
}

function formatTime(time: number | undefined): string | undefined {
  if (time === undefined) return undefined;
  const date = new Date(time);
  const today = new Date().toDateString() === date.toDateString();
  return today ? date.toLocaleTimeString() : date.toLocaleString();
}
