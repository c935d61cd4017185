import type { BridgeDelivery } from '../../../shared/relay-delivery';
import {
  type BoardLookup,
  type DesktopNotification,
  type NotificationFilters,
  NotificationPolicy,
} from '../../../shared/notification-policy';
import type { BoardStore } from '../stores/board-store';
import type { PreferencesStore } from '../stores/preferences-store';
import { focusPaneSoon, showTarget, type ShowTargetStores } from './show-target';

/** The browser's Notification class, as far as the notifier uses it. */
export interface NotificationClass {
  readonly permission: NotificationPermission;
  new (title: string, options?: NotificationOptions): Notification;
}

export interface WebNotifierOptions {
  stores: ShowTargetStores & { preferences: PreferencesStore };
  /** `window.Notification`; undefined where the page cannot notify (no API, or not a secure context). */
  Notification: NotificationClass | undefined;
  /** Whether this tab is visible and has the focus: its focused pane then needs no notification. */
  pageFocused: () => boolean;
  /** Brings the tab to the front (a notification was clicked). */
  focusWindow: () => void;
  now?: () => number;
}

/** Notifications kept for their click handler; the oldest are let go past this many. */
const MAX_LIVE = 20;

/**
 * Browser notifications for the web edition, decided by the desktop's own
 * `NotificationPolicy` (same filters, same 2 s coalescing, same wording):
 * services hands it each batch after the board store applied it. It shows
 * nothing unless the person turned notifications on in Settings and the
 * browser granted permission. Clicking one focuses the tab and opens the
 * agent's pane (or the issue, as the desktop does).
 */
export class WebNotifier {
  private readonly policy: NotificationPolicy;
  private readonly live = new Set<Notification>();

  constructor(private readonly options: WebNotifierOptions) {
    const { stores } = options;
    this.policy = new NotificationPolicy({
      board: () => boardLookup(stores.board),
      settings: () => this.filters(),
      viewing: () => {
        const layout = stores.layout.getState();
        const pane = layout.panes.find((candidate) => candidate.id === layout.focusedPaneId);
        return pane ? [{ target: { kind: 'agent', id: pane.agentId }, focused: options.pageFocused() }] : [];
      },
      show: (notification) => this.show(notification),
      now: options.now,
    });
  }

  /** Notifies about the transitions in a batch the board store has applied already. */
  ingest(batch: readonly BridgeDelivery[]): void {
    this.policy.ingest(batch);
  }

  /** Stops the policy's timer and closes what it showed. Safe to call twice. */
  dispose(): void {
    this.policy.dispose();
    for (const shown of this.live) shown.close();
    this.live.clear();
  }

  private filters(): NotificationFilters {
    const { enabled, statuses } = this.options.stores.preferences.getState().webNotifications;
    const granted = this.options.Notification?.permission === 'granted';
    return { enabled: enabled && granted, statuses, projects: [], pausedUntil: null };
  }

  private show(notification: DesktopNotification): void {
    const NotificationCtor = this.options.Notification;
    if (!NotificationCtor || NotificationCtor.permission !== 'granted') return;
    const { target } = notification;
    const options: NotificationOptions & { renotify?: boolean } = {
      body: notification.body,
      // One notification per agent or issue on screen: a newer one replaces it (and, when critical, alerts again).
      tag: target ? `falcon:${target.kind}:${target.id}` : 'falcon:summary',
      renotify: !notification.silent,
      silent: notification.silent,
    };
    const shown = new NotificationCtor(notification.title, options);
    this.live.add(shown);
    if (this.live.size > MAX_LIVE) this.live.delete(this.live.values().next().value as Notification);
    shown.onclick = () => {
      this.options.focusWindow();
      // An agent that still waits: straight to its reply box (browsers offer no inline reply here).
      const agent = target?.kind === 'agent' ? this.options.stores.board.getState().agents[target.id] : undefined;
      const reply = agent?.status === 'waiting_for_input';
      const paneId = target ? showTarget(this.options.stores, { ...target, ...(reply ? { reply } : {}) }) : null;
      if (paneId && !reply) focusPaneSoon(paneId, false);
      shown.close();
    };
    shown.onclose = () => this.live.delete(shown);
  }
}

/** The board store's records as the policy looks them up, without copying them into Maps. */
function boardLookup(board: BoardStore): BoardLookup {
  const { issues, agents } = board.getState();
  return {
    issues: { get: (id) => (Object.hasOwn(issues, id) ? issues[id] : undefined) },
    agents: { get: (id) => (Object.hasOwn(agents, id) ? agents[id] : undefined) },
  };
}
