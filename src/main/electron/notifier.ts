import { Notification, type NotificationConstructorOptions } from 'electron';
import type { FocusTarget } from '../../shared/bridge';
import type { DesktopNotification } from '../../shared/notification-policy';
import type { NotificationAnswer, NotificationOffer, NotificationResponse } from '../notification-actions';

/**
 * Notifications on screen. Electron's Notification is garbage-collected with
 * its handlers when nothing references it (electron/electron#12690): a click
 * then does nothing. Each one is kept here until it is clicked, answered,
 * closed or fails; the oldest are let go past a cap (toasts that never report
 * closing). On Windows a toast that times out reports `close` (reason
 * `timedOut`) yet stays clickable in the Action Center, so it stays referenced.
 */
const live = new Set<Notification>();
const MAX_LIVE = 100;

export interface NotificationHandlers {
  /** The notification's body was clicked. */
  click(target: FocusTarget | null): void;
  /** One of its buttons was pressed, or a reply typed (only for an offer with `answer`). */
  answer(answer: NotificationAnswer, response: NotificationResponse): void;
}

/**
 * Shows a notification with what it offers. Buttons and the inline reply use
 * Electron's own options (https://www.electronjs.org/docs/latest/api/notification:
 * `actions` of `{type: 'button', text}`, `hasReply`, `replyPlaceholder`; the
 * `action` and `reply` events), which macOS shows and, since Electron 39
 * (electron/electron#48132, its events fixed for non-MSIX apps by #51286),
 * Windows toasts too, activated through the COM activator whose CLSID main
 * sets (`app.setToastActivatorCLSID`, see index.ts). No `toastXml`: it would
 * supersede every other option and needs protocol activation we do not
 * register. Linux ignores them; there the offer has no `answer` and a click
 * opens the pane with its reply box focused.
 */
export function showNotification(
  notification: DesktopNotification,
  offer: NotificationOffer,
  handlers: NotificationHandlers,
): void {
  if (!Notification.isSupported()) return;
  const { answer } = offer;
  const options: NotificationConstructorOptions = {
    title: notification.title,
    body: notification.body,
    silent: notification.silent,
    urgency: notification.urgency,
    timeoutType: notification.urgency === 'critical' ? 'never' : 'default',
  };
  if (answer) {
    options.actions = answer.buttons.map((button) => ({ type: 'button', text: button.text }));
    if (answer.reply) {
      options.hasReply = true;
      options.replyPlaceholder = answer.reply.placeholder;
    }
  }
  const shown = new Notification(options);
  const release = () => void live.delete(shown);
  shown.on('click', () => {
    release();
    handlers.click(offer.click);
  });
  if (answer) {
    // Electron 45 passes the index in the event's details; the second argument is its deprecated form.
    shown.on('action', (event, deprecatedIndex) => {
      release();
      const index = (event as { actionIndex?: unknown } | undefined)?.actionIndex ?? deprecatedIndex;
      handlers.answer(answer, { kind: 'action', index: typeof index === 'number' ? index : -1 });
    });
    shown.on('reply', (event, deprecatedReply) => {
      release();
      const text = (event as { reply?: unknown } | undefined)?.reply ?? deprecatedReply;
      handlers.answer(answer, { kind: 'reply', text: typeof text === 'string' ? text : '' });
    });
  }
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
