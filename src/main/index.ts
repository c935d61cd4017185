/**
 * Electron main process: lifecycle, windows, IPC, tray, notifications and OS
 * events, adapted to DesktopCore, which makes every decision and is tested
 * without Electron. Keep this file thin.
 */
import { BrowserWindow, Menu, app, dialog, net, powerMonitor, safeStorage, session } from 'electron';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { PaneTarget } from '../shared/bridge';
import type { WebSocketLike } from '../client/websocket-like';
import { DesktopCore } from './desktop-core';
import { registerIpc } from './electron/ipc';
import { showNotification } from './electron/notifier';
import { AppTray } from './electron/tray';
import { checkForUpdates } from './electron/updates';
import { boundsOf, createAppWindow, lockDownSession, rendererOrigins } from './electron/windows';
import { type SecretCodec, SettingsStore } from './settings-store';
import type { TrayAction } from './tray-model';

interface OpenWindow {
  window: BrowserWindow;
  role: string;
  target: PaneTarget | null;
  undoRelay: () => void;
}

const windows = new Map<number, OpenWindow>();
let core: DesktopCore;
let settings: SettingsStore;
let quitting = false;

const codec: SecretCodec = {
  isEncryptionAvailable: () => safeStorage.isEncryptionAvailable(),
  backend: () => (process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os'),
  encrypt: (plain) => safeStorage.encryptString(plain),
  decrypt: (cipher) => safeStorage.decryptString(cipher),
};

const tray = new AppTray((action) => onTrayAction(action));

function openWindow(target: PaneTarget | null): BrowserWindow {
  const role = target ? `${target.kind}:${target.id}` : 'main';
  const existing = [...windows.values()].find((entry) => entry.role === role);
  if (existing) {
    focus(existing.window);
    return existing.window;
  }
  const window = createAppWindow({
    target,
    bounds: settings.get().windowBounds[role],
    title: target ? `Falcon Monitor — ${target.kind} ${target.id}` : 'Falcon Monitor',
  });
  const id = window.webContents.id;
  const undoRelay = core.relay.addWindow({
    id,
    isDestroyed: () => window.isDestroyed(),
    isVisible: () => window.isVisible() && !window.isMinimized(),
    send: (batch) => window.webContents.send('falcon:deliveries', batch),
  });
  windows.set(id, { window, role, target, undoRelay });
  const visibility = () => core.relay.visibilityChanged(id);
  window.on('show', visibility);
  window.on('hide', visibility);
  window.on('minimize', visibility);
  window.on('restore', visibility);
  window.on('focus', () => core.setFocused(id, true));
  window.on('blur', () => core.setFocused(id, false));
  window.on('close', () => {
    settings
      .update({ windowBounds: { [role]: boundsOf(window) } })
      .catch((error: unknown) => console.error('saving window bounds failed', error));
  });
  window.on('closed', () => {
    // A closing window releases its subscriptions.
    windows.get(id)?.undoRelay();
    windows.delete(id);
    core.forgetWindow(id);
  });
  return window;
}

function focus(window: BrowserWindow): void {
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

function mainWindow(): BrowserWindow {
  return [...windows.values()].find((entry) => entry.role === 'main')?.window ?? openWindow(null);
}

function focusTarget(target: PaneTarget | null): void {
  const window = mainWindow();
  focus(window);
  if (target) window.webContents.send('falcon:focus-target', target);
}

function onTrayAction(action: TrayAction): void {
  switch (action.type) {
    case 'show':
      return focus(mainWindow());
    case 'open':
      return focusTarget(action.target);
    case 'pause':
      void core.setNotificationSettings({ pausedUntil: action.until });
      return;
    case 'resume':
      void core.setNotificationSettings({ pausedUntil: null });
      return;
    case 'quit':
      quitting = true;
      app.quit();
      return;
  }
}

function applicationMenu(): Menu {
  const isMac = process.platform === 'darwin';
  return Menu.buildFromTemplate([
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        {
          label: 'About Falcon Monitor',
          click: () =>
            void dialog.showMessageBox({
              type: 'info',
              title: 'About Falcon Monitor',
              message: `Falcon Monitor ${app.getVersion()}`,
              detail: `A desktop monitor for falcon-pm's coding agents.\nElectron ${process.versions.electron} · Chromium ${process.versions.chrome} · Node ${process.versions.node}`,
            }),
        },
      ],
    },
  ]);
}

/** Network changes: Electron's main process has no event for them, so poll `net.isOnline()`. */
function watchNetwork(): void {
  let online = net.isOnline();
  setInterval(() => {
    const now = net.isOnline();
    if (now === online) return;
    online = now;
    core.connection.setNetworkAvailable(now);
    if (now) core.wake();
  }, 5000).unref();
}

async function start(): Promise<void> {
  settings = await SettingsStore.open(join(app.getPath('userData'), 'settings.json'), codec);
  core = new DesktopCore(settings, {
    createWebSocket: (url) => new WebSocket(url) as unknown as WebSocketLike,
    showNotification: (notification) => showNotification(notification, focusTarget),
    updateTray: (state, menu) => tray.update(state, menu, settings.get().trayEnabled),
    broadcastConnectionState: (state) => {
      for (const { window } of windows.values()) {
        // A window can be closing while the state changes.
        if (!window.isDestroyed()) window.webContents.send('falcon:connection-state', state);
      }
    },
    reloadWindows: () => {
      for (const entry of windows.values()) {
        entry.undoRelay();
        entry.undoRelay = core.relay.addWindow({
          id: entry.window.webContents.id,
          isDestroyed: () => entry.window.isDestroyed(),
          isVisible: () => entry.window.isVisible() && !entry.window.isMinimized(),
          send: (batch) => entry.window.webContents.send('falcon:deliveries', batch),
        });
        entry.window.webContents.reload();
      }
    },
  });
  await core.start();
  lockDownSession(session.defaultSession);
  registerIpc(
    () => core,
    {
      windowIdOf: (contents) => (windows.has(contents.id) ? contents.id : null),
      targetOf: (id) => windows.get(id)?.target ?? null,
      openWindow: (target) => void openWindow(target),
    },
    rendererOrigins(),
  );
  Menu.setApplicationMenu(applicationMenu());
  powerMonitor.on('resume', () => core.wake());
  powerMonitor.on('unlock-screen', () => core.wake());
  watchNetwork();
  openWindow(null);
  void checkForUpdates((message, error) => console.info(message, error instanceof Error ? error.message : ''));
}

if (!app.requestSingleInstanceLock()) {
  // A second launch hands over to the first (which focuses its window) and exits.
  app.quit();
} else {
  app.on('second-instance', () => focus(mainWindow()));
  app.on('web-contents-created', (_event, contents) => {
    // No <webview>s, ever.
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  void app.whenReady().then(start);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow(null);
  });
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('window-all-closed', () => {
    // With the tray on, the app keeps watching (and notifying) with no window open.
    if (quitting || !settings.get().trayEnabled) app.quit();
  });
  let disposed = false;
  app.on('will-quit', (event) => {
    if (!core || disposed) return;
    disposed = true;
    event.preventDefault();
    tray.destroy();
    void core.dispose().finally(() => app.exit(0));
  });
}
