import { Notification } from 'electron';
import type { PaneTarget } from '../../shared/bridge';
import type { DesktopNotification } from '../notification-policy';

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
  shown.on('click', () => onClick(notification.target));
  shown.show();
}
