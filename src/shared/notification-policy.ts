/**
 * Which notifications to show for what happens on the board: one policy
 * (filters, coalescing, wording) for the desktop and the web edition. Plain
 * module (no Electron, no DOM): the desktop's main process feeds it the
 * delivery stream and turns each `DesktopNotification` into an Electron
 * `Notification`; the web edition's page turns it into a browser
 * `Notification`. It keeps no board of its own: transitions come from each
 * delivery's `change`, and the current state from the caller's board.
 */
import type { PaneTarget } from './bridge';
import type { BridgeDelivery } from './relay-delivery';
import type { NotificationSettings } from './ipc';
import type { AgentState, AgentStatus, EventPayloads, IssueState } from './protocol';

export interface DesktopNotification {
  title: string;
  body: string;
  urgency: 'critical' | 'normal';
  /** `answer`: the desktop's confirmation of an answer sent from a notification (src/main/notification-actions.ts). */
  kind: 'waiting_for_input' | 'failed' | 'status' | 'summary' | 'answer';
  /** Clicking focuses the app on this agent or issue; null just shows the app. */
  target: PaneTarget | null;
  /** Normal updates are silent; only what needs a person (critical) makes a sound. */
  silent: boolean;
}

/** What one window shows, and whether that window has the focus. */
export interface ViewedTarget {
  target: PaneTarget;
  focused: boolean;
}

/**
 * The board records the policy looks up. A `ReadonlyBoard` (the client core's
 * store, in main) is one; the renderer's board store, which keeps plain
 * objects, adapts to it without copying.
 */
export interface BoardLookup {
  readonly issues: { get(issueId: string): IssueState | undefined };
  readonly agents: { get(agentId: string): AgentState | undefined };
}

/** The part of the settings the policy reads (the desktop's also hold the tray and token storage). */
export type NotificationFilters = Pick<NotificationSettings, 'enabled' | 'statuses' | 'projects' | 'pausedUntil'>;

export interface NotificationPolicyOptions {
  /** The board as it is now: the caller's store, already updated with the batch being ingested. */
  board: () => BoardLookup;
  settings: () => NotificationFilters;
  viewing: () => ViewedTarget[];
  show: (notification: DesktopNotification) => void;
  now?: () => number;
  /** How long candidates are held before they are shown (ms). */
  coalesceMs?: number;
  /** From this many held candidates on, one summary replaces them. */
  burstSize?: number;
}

interface Candidate {
  notification: DesktopNotification & { target: PaneTarget };
  /** The status that caused it (agent or issue status), checked against the settings. */
  status: string;
  projectId: string | null;
  /** Short form for a summary line: "opus-1 needs your input", "#42 → Done". */
  short: string;
}

const DEFAULTS = { coalesceMs: 2000, burstSize: 3 };
const SUMMARY_ITEMS = 3;
const MAX_BODY = 200;
const STATUS_LABELS: Record<string, string> = { todo: 'To do' };

export class NotificationPolicy {
  private readonly options: Required<NotificationPolicyOptions>;
  private held: Candidate[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(options: NotificationPolicyOptions) {
    this.options = { now: Date.now, ...DEFAULTS, ...options };
    const { coalesceMs, burstSize } = this.options;
    if (!Number.isFinite(coalesceMs) || coalesceMs < 0) {
      throw new RangeError('coalesceMs must be a finite number of milliseconds, 0 or more');
    }
    if (!Number.isInteger(burstSize) || burstSize < 2) throw new RangeError('burstSize must be an integer, 2 or more');
  }

  /** A status (issue or agent) for people: `in_progress` → "In progress", `waiting_for_input` → "Waiting for input". */
  static describeStatus(status: string): string {
    if (Object.hasOwn(STATUS_LABELS, status)) return STATUS_LABELS[status];
    const words = status.replace(/[_-]+/g, ' ').trim();
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  /** Notifies about the transitions in a batch (the store has applied it already). */
  ingest(batch: readonly BridgeDelivery[]): void {
    if (this.disposed) return;
    for (const delivery of batch) {
      // A snapshot is what *is*, not what happened: it never notifies. Output only moves activity.
      if (delivery.kind !== 'event' || !delivery.change) continue;
      const { change } = delivery;
      if (delivery.event === 'agent_status' && change.agent) {
        // The same event may arrive on several channels (agent:, project:); only the first
        // changes the status, so comparing with the record before also removes duplicates.
        if (change.before.agent?.status !== change.agent.status) this.consider(this.agentCandidate(change.agent));
      } else if (delivery.event === 'status_changed' && change.issue?.status !== undefined) {
        // An issue the board did not know yet: the event's own oldStatus is the best account of before.
        const data = delivery.data as EventPayloads['status_changed'];
        const before = change.before.issue?.status ?? data.oldStatus ?? undefined;
        if (before !== change.issue.status) this.consider(this.issueCandidate(change.issue, before));
      }
    }
  }

  /** Drops what is held and stops the timer; later batches are ignored. Safe to call twice. */
  dispose(): void {
    this.disposed = true;
    this.held = [];
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private agentCandidate(agent: AgentState): Candidate {
    const { agentId, status } = agent;
    const issue = agent.issueId ? this.options.board().issues.get(agent.issueId) : undefined;
    const issueLine = agent.issueId ? `#${agent.issueId}${issue?.title ? ` ${issue.title}` : ''}` : null;
    const critical = status === 'waiting_for_input' || status === 'failed';
    const title = agentTitle(agentId, status);
    return {
      notification: {
        title,
        body: truncate(agent.message || issueLine || NotificationPolicy.describeStatus(status)),
        urgency: critical ? 'critical' : 'normal',
        kind: status === 'waiting_for_input' || status === 'failed' ? status : 'status',
        target: { kind: 'agent', id: agentId },
        silent: !critical,
      },
      status,
      projectId: agent.projectId ?? issue?.projectId ?? null,
      short: title,
    };
  }

  private issueCandidate(issue: IssueState, before: string | undefined): Candidate {
    const { issueId } = issue;
    const status = issue.status ?? '';
    const label = NotificationPolicy.describeStatus(status);
    const body = [issue.projectId, before ? `was ${NotificationPolicy.describeStatus(before)}` : undefined];
    return {
      notification: {
        title: truncate(`#${issueId}${issue.title ? ` ${issue.title}` : ''} → ${label}`),
        body: body.filter(Boolean).join(' · '),
        urgency: 'normal',
        kind: 'status',
        target: { kind: 'issue', id: issueId },
        silent: true,
      },
      status,
      projectId: issue.projectId ?? null,
      short: `#${issueId} → ${label}`,
    };
  }

  private consider(candidate: Candidate): void {
    if (!this.wanted(candidate)) return;
    // One entry per target: its latest change is the one worth telling.
    this.held = this.held.filter((held) => !sameTarget(held.notification.target, candidate.notification.target));
    this.held.push(candidate);
    // Hold instead of showing the first at once: a burst (a hub replaying what was
    // missed, several agents finishing together) should be one interruption, not
    // three, and the first one cannot know whether more follow.
    this.timer ??= setTimeout(() => this.flush(), this.options.coalesceMs);
  }

  private flush(): void {
    this.timer = undefined;
    // Settings, focus and the board may have changed while the candidates were held:
    // a paused user, an agent already answered or a pane now in view needs no notice.
    const due = this.held.filter((candidate) => this.wanted(candidate) && this.stillTrue(candidate));
    this.held = [];
    if (due.length === 0) return;
    if (due.length < this.options.burstSize) {
      for (const candidate of due) this.options.show(candidate.notification);
      return;
    }
    this.options.show(summarize(due));
  }

  private wanted(candidate: Candidate): boolean {
    const settings = this.options.settings();
    if (!settings.enabled) return false;
    if (settings.pausedUntil !== null && settings.pausedUntil > this.options.now()) return false;
    if (!settings.statuses.includes(candidate.status)) return false;
    const { projectId } = candidate;
    if (settings.projects.length > 0 && (projectId === null || !settings.projects.includes(projectId))) return false;
    const target = candidate.notification.target;
    return !this.options.viewing().some((view) => view.focused && sameTarget(view.target, target));
  }

  private stillTrue(candidate: Candidate): boolean {
    const { target } = candidate.notification;
    const board = this.options.board();
    const current = target.kind === 'agent' ? board.agents.get(target.id)?.status : board.issues.get(target.id)?.status;
    return current === candidate.status;
  }
}

function agentTitle(agentId: string, status: AgentStatus): string {
  if (status === 'waiting_for_input') return `${agentId} needs your input`;
  if (status === 'failed') return `${agentId} failed`;
  return `${agentId} → ${NotificationPolicy.describeStatus(status)}`;
}

function summarize(due: Candidate[]): DesktopNotification {
  // Critical first, so what needs a person is readable even in a truncated body.
  const ordered = [...due].sort(
    (a, b) => Number(b.notification.urgency === 'critical') - Number(a.notification.urgency === 'critical'),
  );
  const critical = ordered[0].notification.urgency === 'critical';
  const items = ordered.slice(0, SUMMARY_ITEMS).map((candidate) => candidate.short);
  const rest = ordered.length - items.length;
  return {
    title: `${due.length} updates`,
    body: truncate(items.join(', ') + (rest > 0 ? ` and ${rest} more` : '')),
    urgency: critical ? 'critical' : 'normal',
    kind: 'summary',
    // Held candidates are one per target, so a summary spans several: it opens the app.
    target: null,
    silent: !critical,
  };
}

function sameTarget(a: PaneTarget, b: PaneTarget): boolean {
  return a.kind === b.kind && a.id === b.id;
}

function truncate(text: string): string {
  return text.length > MAX_BODY ? `${text.slice(0, MAX_BODY - 1)}…` : text;
}
