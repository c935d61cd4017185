import { Notification } from 'electron';
import type { PaneTarget } from '../../shared/bridge';
import type { DesktopNotification } from '../../shared/notification-policy';

/**
 * Notifications on screen. Electron's Notification is garbage-collected with
 * its handlers when nothing references it (electron/electron#12690): a click
 * then does nothing. Each one is kept here until it is clicked, closed or
 * fails; the oldest are let go past a cap (toasts that never report closing).
 * On Windows a toast that times out reports `close` (reason `timedOut`) yet
 * stays clickable in the Action Center, so it stays referenced.
 */
const live = new Set<Notification>();
const MAX_LIVE = 100;

/** Shows a notification; clicking it focuses the app on its agent or issue. */
export function showNotification(
  notification: DesktopNotification,
  onClick: (target: PaneTarget | null) => void,
): void {
  if (!Notification.isSupported()) return;
  const shown = new Notification({
    title: notification.title,
    body: notification.body,
    silent: notification.silent,
    urgency: notification.urgency,
    timeoutType: notification.urgency === 'critical' ? 'never' : 'default',
  });
  const release = () => void live.delete(shown);
  shown.on('click', () => {
    release();
    onClick(notification.target);
  });
  shown.on('close', (event) => {
    if (process.platform === 'win32' && event?.reason === 'timedOut') return;
    release();
  });
  shown.on('failed', release);
  live.add(shown);
  if (live.size > MAX_LIVE) live.delete(live.values().next().value as Notification);
  shown.show();
}

/** How many notifications are held (for tests and diagnostics). */
export function liveNotifications(): number {
  return live.size;
}
