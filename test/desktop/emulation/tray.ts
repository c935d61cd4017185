/**
 * `Tray` (https://www.electronjs.org/docs/latest/api/tray) and
 * `Notification` (https://www.electronjs.org/docs/latest/api/notification),
 * recorded for the test, which clicks tray items (by id or label), the tray
 * icon ('click') and notifications.
 *
 * Notification actions follow the Electron 45 doc and the NotificationAction
 * structure (https://www.electronjs.org/docs/latest/api/structures/notification-action):
 * `actions` (buttons), `hasReply` and `replyPlaceholder` are recorded; on an
 * emulated macOS or Windows (./platform.ts) the test can press a button
 * ('action' with `details.actionIndex`, `selectionIndex` -1, and the
 * deprecated index arguments) or type an inline reply ('reply' with
 * `details.reply` and the deprecated string argument); on Linux, where
 * Electron shows neither, asking to is an error, as no user could do it. On
 * macOS, buttons on a notification with `hasReply` are not shown (the
 * NotificationAction doc: "incompatible with hasReply"), so none is recorded.
 *
 * A Notification is held only through a WeakRef, as the OS holds nothing of
 * the JS object: when main keeps no reference, the object (and its 'click'
 * listener) is garbage-collected and a click is lost, as in Electron. The
 * child runs with --expose-gc and collects before delivering a click, so the
 * loss is certain here; in Electron it depends on when V8 collects.
 */
import { EventEmitter } from 'node:events';
import type { NotificationRecord, TrayRecord } from './control-types';
import { type Menu, findItem, itemNamed } from './menu';
import { onControl, provideState, stateChanged } from './runtime';
import { emulatedPlatform } from './platform';
import { electronEvent } from './web-contents';

interface Image {
  path?: string;
}

const trays: Tray[] = [];
let nextTray = 0;

export class Tray extends EventEmitter {
  readonly recordId = ++nextTray;
  private image: string;
  private tooltip = '';
  private title = '';
  private menu: Menu | null = null;
  private destroyed = false;

  constructor(image: Image | string) {
    super();
    this.image = typeof image === 'string' ? image : (image.path ?? '');
    trays.push(this);
    stateChanged();
  }

  setImage(image: Image | string): void {
    this.image = typeof image === 'string' ? image : (image.path ?? '');
    stateChanged();
  }

  setPressedImage(): void {}

  setToolTip(text: string): void {
    this.tooltip = text;
    stateChanged();
  }

  setTitle(title: string): void {
    this.title = title;
    stateChanged();
  }

  setContextMenu(menu: Menu | null): void {
    this.menu = menu;
    stateChanged();
  }

  popUpContextMenu(): void {}

  destroy(): void {
    this.destroyed = true;
    this.menu = null;
    this.removeAllListeners();
    stateChanged();
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  contextMenu(): Menu | null {
    return this.menu;
  }

  record(): TrayRecord {
    return {
      id: this.recordId,
      image: this.image,
      tooltip: this.tooltip,
      title: this.title,
      menu: this.menu?.items.map((item) => item.record()) ?? [],
      destroyed: this.destroyed,
      clickListeners: this.listenerCount('click'),
    };
  }
}

function liveTray(): Tray {
  const tray = [...trays].reverse().find((candidate) => !candidate.isDestroyed());
  if (!tray) throw new Error('no tray');
  return tray;
}

interface Shown {
  record: Omit<NotificationRecord, 'collected'>;
  ref: WeakRef<Notification>;
}
const shown: Shown[] = [];
const finalized = new Set<number>();
const registry = new FinalizationRegistry<number>((index) => {
  finalized.add(index);
  stateChanged();
});

interface NotificationOptions {
  title?: string;
  body?: string;
  silent?: boolean;
  urgency?: string;
  timeoutType?: string;
  actions?: Array<{ type: string; text?: string }>;
  hasReply?: boolean;
  replyPlaceholder?: string;
}

export class Notification extends EventEmitter {
  static isSupported(): boolean {
    return true;
  }

  title: string;
  body: string;
  private readonly options: NotificationOptions;
  private index = -1;

  constructor(options: NotificationOptions = {}) {
    super();
    this.options = options;
    this.title = options.title ?? '';
    this.body = options.body ?? '';
  }

  show(): void {
    if (this.index < 0) {
      this.index = shown.length;
      shown.push({
        record: {
          index: this.index,
          title: this.title,
          body: this.body,
          urgency: this.options.urgency ?? null,
          silent: this.options.silent ?? false,
          shown: true,
          closed: false,
          // On macOS a notification with hasReply shows no action buttons (NotificationAction doc:
          // "incompatible with hasReply"): only what a user there could press is recorded.
          actions:
            emulatedPlatform === 'darwin' && this.options.hasReply === true
              ? []
              : (this.options.actions ?? []).map((action) => ({ type: action.type, text: action.text ?? '' })),
          hasReply: this.options.hasReply === true,
          replyPlaceholder: this.options.replyPlaceholder ?? '',
          answered: null,
        },
        ref: new WeakRef(this),
      });
      registry.register(this, this.index);
    }
    this.emit('show', electronEvent());
    stateChanged();
  }

  close(): void {
    const entry = shown[this.index];
    if (!entry || entry.record.closed) return;
    entry.record.closed = true;
    this.emit('close', electronEvent());
    stateChanged();
  }
}

provideState('trays', () => trays.map((tray) => tray.record()));
provideState('notifications', () =>
  shown.map(({ record, ref }) => ({ ...record, collected: finalized.has(record.index) || ref.deref() === undefined })),
);

onControl('tray-click-item', (request) => {
  if (request.op !== 'tray-click-item') return;
  const menu = liveTray().contextMenu();
  const item = menu && findItem(menu, itemNamed(request.item));
  if (!item) throw new Error(`no tray menu item ${request.item}`);
  item.click();
});
onControl('tray-click', () => {
  const tray = liveTray();
  tray.emit('click', electronEvent(), { x: 0, y: 0, width: 16, height: 16 }, { x: 8, y: 8 });
});
/** Delivers a click to a notification, after a full garbage collection: {delivered: false} if it was collected. */
onControl('notification-click', async (request) => {
  if (request.op !== 'notification-click') return;
  const { target } = await deliverable(request.index);
  if (!target) return { delivered: false };
  target.emit('click', electronEvent());
  return { delivered: true };
});

/** The OS shows buttons and an inline reply on macOS and Windows only (`@platform darwin,win32`). */
function actionsShown(): boolean {
  return emulatedPlatform === 'darwin' || emulatedPlatform === 'win32';
}

/** The live notification at `index` after a full collection, as a click finds it; null when collected. */
async function deliverable(index: number): Promise<{ entry: Shown; target: Notification | null }> {
  const entry = shown[index];
  if (!entry) throw new Error(`no notification ${index}`);
  // WeakRef targets live at least until the end of the job that last touched them: collect in a new turn.
  await new Promise((resolve) => setImmediate(resolve));
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('the emulated main process must run with --expose-gc');
  gc();
  gc();
  stateChanged();
  return { entry, target: entry.ref.deref() ?? null };
}

/** Presses a notification's button: 'action' with the index, as Electron 45 emits it. */
onControl('notification-action', async (request) => {
  if (request.op !== 'notification-action') return;
  if (!actionsShown()) throw new Error(`Electron shows no notification actions on ${emulatedPlatform}`);
  const { entry, target } = await deliverable(request.index);
  const action = entry.record.actions[request.actionIndex];
  if (!action || action.type !== 'button')
    throw new Error(`notification ${request.index} has no button ${request.actionIndex}`);
  if (!target) return { delivered: false };
  entry.record.answered = { action: request.actionIndex };
  target.emit(
    'action',
    Object.assign(electronEvent(), { actionIndex: request.actionIndex, selectionIndex: -1 }),
    request.actionIndex,
    -1,
  );
  stateChanged();
  return { delivered: true };
});

/** Types an inline reply and sends it: 'reply' with the text, as Electron 45 emits it. */
onControl('notification-reply', async (request) => {
  if (request.op !== 'notification-reply') return;
  if (!actionsShown()) throw new Error(`Electron shows no inline reply on ${emulatedPlatform}`);
  const { entry, target } = await deliverable(request.index);
  if (!entry.record.hasReply) throw new Error(`notification ${request.index} has no reply field (hasReply)`);
  if (!target) return { delivered: false };
  entry.record.answered = { reply: request.text };
  target.emit('reply', Object.assign(electronEvent(), { reply: request.text }), request.text);
  stateChanged();
  return { delivered: true };
});
