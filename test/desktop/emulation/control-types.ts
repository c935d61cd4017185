/**
 * The control channel between the test process and the emulated main
 * process (Node IPC): the records tests assert on, and the actions they take
 * (click a tray item or a notification, answer a dialog, click a menu role).
 */

export interface WindowRecord {
  id: number;
  webContentsId: number;
  /** The Chromium target of the window's page, to find it from the test's own CDP connection. */
  targetId: string | null;
  /** As main sees it (app:// translated back from the stand-in origin). */
  url: string;
  title: string;
  visible: boolean;
  focused: boolean;
  minimized: boolean;
  crashed: boolean;
  ipcMessages: number;
}

export interface MenuItemRecord {
  id: string | null;
  label: string;
  role: string | null;
  type: string;
  checked: boolean;
  enabled: boolean;
  submenu: MenuItemRecord[];
}

export interface TrayRecord {
  id: number;
  image: string;
  tooltip: string;
  title: string;
  menu: MenuItemRecord[];
  destroyed: boolean;
  clickListeners: number;
}

export interface NotificationRecord {
  index: number;
  title: string;
  body: string;
  urgency: string | null;
  silent: boolean;
  shown: boolean;
  /** The JS object was garbage-collected (only a WeakRef is kept, like the OS keeps nothing alive). */
  collected: boolean;
  closed: boolean;
  /** Electron's `actions` as main passed them (shown on macOS and Windows only). */
  actions: Array<{ type: string; text: string }>;
  hasReply: boolean;
  replyPlaceholder: string;
  /** What the test did on it: a button pressed or a reply sent; null until then. */
  answered: { action: number } | { reply: string } | null;
}

export interface DialogRecord {
  index: number;
  kind: 'messageBox' | 'errorBox';
  type: string;
  title: string;
  message: string;
  detail: string;
  buttons: string[];
  answered: boolean;
}

export interface EmulationState {
  ready: boolean;
  windows: WindowRecord[];
  trays: TrayRecord[];
  notifications: NotificationRecord[];
  dialogs: DialogRecord[];
  clipboard: { text: string; writes: string[] };
  openedExternally: string[];
  applicationMenu: MenuItemRecord[];
  appUserModelId: string | null;
  /** What main passed to `app.setToastActivatorCLSID` (Windows), braces added; null when never set. */
  toastActivatorCLSID: string | null;
  secondInstances: Array<{ argv: string[]; cwd: string }>;
  unhandled: string[];
}

export type ControlRequest =
  | { op: 'tray-click-item'; item: string }
  | { op: 'tray-click' }
  | { op: 'notification-click'; index: number }
  | { op: 'notification-action'; index: number; actionIndex: number }
  | { op: 'notification-reply'; index: number; text: string }
  | { op: 'dialog-answer'; index: number; response: number }
  | { op: 'menu-click'; item: string; windowId?: number }
  | { op: 'crash'; windowId: number }
  | { op: 'wait-for-selector'; windowId: number; selector: string }
  | { op: 'close-window'; windowId: number }
  | { op: 'power'; event: string }
  | { op: 'quit' }
  | { op: 'state' };

export type ToChild = { type: 'control'; id: number; request: ControlRequest };

export type ToParent =
  | { type: 'ready'; cdpUrl: string; profile: string; pid: number }
  | { type: 'state'; state: EmulationState }
  | { type: 'control-result'; id: number; ok: boolean; result?: unknown; error?: string }
  | { type: 'exiting'; code: number };
