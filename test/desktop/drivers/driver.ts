/**
 * What a desktop scenario needs from the app under test, whichever way it
 * runs: the emulation (Electron's APIs over real Chromium, here and in
 * .ci/run) or real Electron (playwright-core's `_electron`, in the desktop
 * workflow). Scenarios are written once against this interface.
 */
import type { Page } from 'playwright-core';
import type { DialogRecord, NotificationRecord, TrayRecord } from '../emulation/control-types';

export interface LaunchOptions {
  /** The app's userData directory (the test creates and removes it). */
  userData: string;
  env?: Record<string, string>;
  /** Emulate (or run) a packaged app: `app.isPackaged` is true. */
  packaged?: boolean;
  /** The OS main believes it runs on (capability `emulated-os`: the emulation's `process.platform` for main). */
  platform?: 'darwin' | 'win32' | 'linux';
}

export interface DesktopWindow {
  id: number;
  webContentsId: number;
  /** As main sees it (app://…). */
  url: string;
  page: Page;
}

/** What a driver can do; a scenario that needs more declares `needs` and is skipped with its reason. */
export type Capability =
  | 'tray'
  | 'notifications'
  | 'dialogs'
  | 'clipboard'
  | 'menu'
  | 'crash'
  | 'dev-server'
  | 'second-instance'
  /** The launch can ask for a packaged app (`app.isPackaged` true). */
  | 'packaged-flag'
  /** The launch can ask main to believe it runs on another OS (`LaunchOptions.platform`). */
  | 'emulated-os';

export interface DesktopDriver {
  readonly name: 'emulation' | 'electron' | 'electron-packaged';
  readonly capabilities: ReadonlySet<Capability>;
  launch(options: LaunchOptions): Promise<DesktopApp>;
}

export interface DesktopApp {
  windows(): Promise<DesktopWindow[]>;
  firstWindow(): Promise<DesktopWindow>;
  /** Waits (up to a minute) for a window that satisfies the predicate. */
  waitForWindow(predicate: (window: DesktopWindow) => boolean | Promise<boolean>): Promise<DesktopWindow>;
  /** Waits until no window is open (the app may still run in the tray). */
  waitForNoWindow(): Promise<void>;
  closeWindow(window: DesktopWindow): Promise<void>;
  tray(): Promise<TrayRecord | null>;
  waitForTray(predicate: (tray: TrayRecord) => boolean): Promise<TrayRecord>;
  clickTray(): Promise<void>;
  clickTrayItem(idOrLabel: string): Promise<void>;
  notifications(): Promise<NotificationRecord[]>;
  waitForNotification(predicate: (notification: NotificationRecord) => boolean): Promise<NotificationRecord>;
  /** Clicks a notification as the OS would: {delivered: false} when main no longer holds it. */
  clickNotification(index: number): Promise<{ delivered: boolean }>;
  /** Presses a notification's button (its index in `actions`), as the OS would (macOS, Windows). */
  pressNotificationAction(index: number, actionIndex: number): Promise<{ delivered: boolean }>;
  /** Types an inline reply into a notification and sends it (`hasReply`; macOS, Windows). */
  replyToNotification(index: number, text: string): Promise<{ delivered: boolean }>;
  dialogs(): Promise<DialogRecord[]>;
  waitForDialog(predicate: (dialog: DialogRecord) => boolean): Promise<DialogRecord>;
  answerDialog(index: number, response: number): Promise<void>;
  clipboardText(): Promise<string>;
  /** Clicks the application menu item with this role, id or label, in the given window. */
  menuClick(item: string, window?: DesktopWindow): Promise<void>;
  crashRenderer(window: DesktopWindow): Promise<void>;
  /**
   * Waits (up to a minute) for a selector in the window's current document, through main: works after
   * a renderer crash, when Playwright's Page for the window stays unusable even once it is reloaded.
   */
  waitInWindow(window: DesktopWindow, selector: string): Promise<void>;
  /** Quits as the user would (app.quit) and measures until the process is gone. */
  quit(): Promise<{ ms: number; exited: boolean; leftover: number[] }>;
  /** Whether the app's process is still running. */
  running(): boolean;
  /** Ends everything (after a failed test); safe to call twice. */
  kill(): Promise<void>;
  /** What the app printed (for a failure's message). */
  output(): string;
}

/**
 * The first window `predicate` accepts, checked again each time `changed()`
 * resolves (the driver's own signal of a new page or state); fails when the
 * app exits or after `timeoutMs`.
 */
export async function waitForMatchingWindow(
  app: {
    windows(): Promise<DesktopWindow[]>;
    exited(): boolean;
    logs(): string;
    changed(): Promise<void>;
    describe(): string;
  },
  predicate: (window: DesktopWindow) => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<DesktopWindow> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const window of await app.windows()) if (await predicate(window)) return window;
    if (app.exited()) throw new Error(`the app exited while waiting for a window\n${app.logs()}`);
    if (Date.now() > deadline) throw new Error(`no such window${app.describe()}`);
    await app.changed();
  }
}
