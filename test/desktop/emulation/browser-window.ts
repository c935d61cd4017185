/**
 * `BrowserWindow` (https://www.electronjs.org/docs/latest/api/browser-window):
 * a Chromium page per window. Shown/hidden/minimised/focused are states the
 * emulation keeps and reports with their events (headless Chromium has no
 * OS windows to hide); 'close' can be prevented; 'closed' follows the page's
 * close, then app's window-all-closed semantics apply.
 */
import { EventEmitter } from 'node:events';
import { stateChanged } from './runtime';
import { WebContents, electronEvent } from './web-contents';

interface Options {
  width?: number;
  height?: number;
  x?: number;
  y?: number;
  show?: boolean;
  title?: string;
  webPreferences?: { preload?: string; contextIsolation?: boolean; sandbox?: boolean; nodeIntegration?: boolean };
  [key: string]: unknown;
}

interface Rectangle {
  x: number;
  y: number;
  width: number;
  height: number;
}

let nextId = 0;
const windows = new Map<number, BrowserWindow>();
let focused: BrowserWindow | null = null;
/** Set by app.ts: called when the last window closed. */
export const lifecycle = { lastWindowClosed: () => {}, created: (_window: BrowserWindow) => {} };

export class BrowserWindow extends EventEmitter {
  readonly id = ++nextId;
  readonly webContents: WebContents;
  private bounds: Rectangle;
  private visible = false;
  private minimized = false;
  private maximized = false;
  private destroyed = false;
  private title: string;
  private shownOnce = false;

  constructor(options: Options = {}) {
    super();
    const preferences = options.webPreferences ?? {};
    if (preferences.contextIsolation === false || preferences.nodeIntegration === true)
      throw new Error('The emulation runs only context-isolated windows without Node (our security checklist)');
    this.bounds = { x: options.x ?? 0, y: options.y ?? 0, width: options.width ?? 800, height: options.height ?? 600 };
    this.title = options.title ?? 'Electron';
    this.webContents = new WebContents(preferences.preload);
    windows.set(this.id, this);
    this.webContents.viewport = { width: this.bounds.width, height: this.bounds.height };
    // 'ready-to-show': once the page first rendered (its DOMContentLoaded here), whatever it shows.
    this.webContents.once('dom-ready', () => this.emit('ready-to-show', electronEvent()));
    // The page closed from outside (Chromium, the test): the window is gone.
    this.webContents.on('page-closed', () => void this.destroy());
    if (options.show !== false) this.show();
    lifecycle.created(this);
    stateChanged();
  }

  static getAllWindows(): BrowserWindow[] {
    return [...windows.values()];
  }

  static getFocusedWindow(): BrowserWindow | null {
    return focused && !focused.destroyed ? focused : null;
  }

  static fromId(id: number): BrowserWindow | null {
    return windows.get(id) ?? null;
  }

  static fromWebContents(contents: WebContents): BrowserWindow | null {
    return [...windows.values()].find((window) => window.webContents === contents) ?? null;
  }

  loadURL(url: string): Promise<void> {
    return this.webContents.loadURL(url);
  }

  loadFile(path: string): Promise<void> {
    return this.webContents.loadFile(path);
  }

  show(): void {
    if (this.destroyed) return;
    this.shownOnce = true;
    if (!this.visible) {
      this.visible = true;
      this.emit('show', electronEvent());
    }
    this.focus();
  }

  showInactive(): void {
    if (this.visible) return;
    this.visible = true;
    this.emit('show', electronEvent());
    stateChanged();
  }

  hide(): void {
    if (!this.visible) return;
    this.visible = false;
    this.emit('hide', electronEvent());
    this.blur();
  }

  focus(): void {
    if (this.destroyed) return;
    if (focused !== this) {
      const previous = focused;
      // The one focused window of the app, as Electron tracks it.
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      focused = this;
      previous?.emit('blur', electronEvent());
      this.emit('focus', electronEvent());
    }
    this.webContents.focus();
    stateChanged();
  }

  blur(): void {
    if (focused !== this) return;
    focused = null;
    this.emit('blur', electronEvent());
    stateChanged();
  }

  minimize(): void {
    if (this.minimized) return;
    this.minimized = true;
    this.emit('minimize', electronEvent());
    this.blur();
  }

  restore(): void {
    if (!this.minimized) return;
    this.minimized = false;
    this.emit('restore', electronEvent());
    stateChanged();
  }

  maximize(): void {
    this.maximized = true;
    this.emit('maximize', electronEvent());
  }

  unmaximize(): void {
    this.maximized = false;
    this.emit('unmaximize', electronEvent());
  }

  isVisible(): boolean {
    return this.visible;
  }

  isMinimized(): boolean {
    return this.minimized;
  }

  isMaximized(): boolean {
    return this.maximized;
  }

  isFocused(): boolean {
    return focused === this;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  getBounds(): Rectangle {
    return { ...this.bounds };
  }

  getNormalBounds(): Rectangle {
    return { ...this.bounds };
  }

  setBounds(bounds: Partial<Rectangle>): void {
    this.bounds = { ...this.bounds, ...bounds };
  }

  getTitle(): string {
    return this.title;
  }

  setTitle(title: string): void {
    this.title = title;
    stateChanged();
  }

  setMenuBarVisibility(): void {}
  setAutoHideMenuBar(): void {}
  removeMenu(): void {}
  setMenu(): void {}
  setProgressBar(): void {}
  flashFrame(): void {}
  setOverlayIcon(): void {}

  /** Like the user closing it: 'close' (preventable), then the page closes and 'closed' follows. */
  close(): void {
    if (this.destroyed) return;
    const event = electronEvent();
    this.emit('close', event);
    if (event.defaultPrevented) return;
    void this.destroy();
  }

  /** Closed without 'close' (as `destroy()` and `app.exit()` do). */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.visible = false;
    if (focused === this) focused = null;
    windows.delete(this.id);
    await this.webContents.destroy();
    this.emit('closed');
    stateChanged();
    if (windows.size === 0) lifecycle.lastWindowClosed();
  }

  record() {
    return {
      id: this.id,
      webContentsId: this.webContents.id,
      targetId: this.webContents.targetId,
      url: this.webContents.getURL(),
      title: this.title,
      visible: this.visible,
      focused: focused === this,
      minimized: this.minimized,
      crashed: this.webContents.crashed,
      ipcMessages: this.webContents.ipcMessages,
      shownOnce: this.shownOnce,
    };
  }
}
