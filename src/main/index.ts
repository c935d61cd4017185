/**
 * Electron main process: lifecycle, windows, IPC, tray, notifications and OS
 * events, adapted to DesktopCore, which makes every decision and is tested
 * without Electron. Keep this file thin.
 */
import { BrowserWindow, Menu, app, clipboard, dialog, net, powerMonitor, safeStorage, session } from 'electron';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { join } from 'node:path';
import * as tls from 'node:tls';
import WebSocket from 'ws';
import type { FocusTarget, PaneTarget } from '../shared/bridge';
import type { EventChannels } from '../shared/ipc';
import { nodeWebSocket } from '../client/index';
import { APP_ID, TOAST_ACTIVATOR_CLSID } from './app-identity';
import { applicationMenuTemplate } from './app-menu';
import { DesktopCore } from './desktop-core';
import { desktopHasTray, proxyFromPac } from './desktop-environment';
import { registerAppScheme, serveRenderer } from './electron/app-protocol';
import { registerIpc } from './electron/ipc';
import { showNotification } from './electron/notifier';
import { AppTray } from './electron/tray';
import { checkForUpdates } from './electron/updates';
import { boundsOf, createAppWindow, lockDownSession } from './electron/windows';
import { rendererSource } from './renderer-source';
import { type SecretCodec, SettingsStore } from './settings-store';
import { type TrayAction, pauseUntil } from './tray-model';

/** Quitting waits this long for the connection to close and settings to be written, then exits anyway. */
const QUIT_TIMEOUT_MS = 2500;

interface OpenWindow {
  window: BrowserWindow;
  role: string;
  target: PaneTarget | null;
  undoRelay: () => void;
  /** Whether the page now loaded has said hello: nothing is sent to a page before that. */
  helloed: boolean;
  /** A focus request waiting for the page's hello. */
  pendingFocus: FocusTarget | null;
  /** A main-frame navigation to a new document started and its page has not said hello yet. */
  navigating: boolean;
}

// Before `ready`, as Electron requires.
registerAppScheme();
// An unpackaged app (npm start, npm run dev) keeps its own settings and single-instance lock,
// apart from an installed Falcon Monitor's.
if (!app.isPackaged) app.setPath('userData', `${app.getPath('userData')} (dev)`);
// Windows matches toasts to the installer's Start-menu shortcut by this id. The toast activator
// (the COM class Windows calls for a toast's buttons and reply) gets a fixed CLSID, set before the
// AUMID as Electron asks ("called early, before showing notifications"), so every run registers
// the same one instead of a random one per run (electron/electron#48132).
if (process.platform === 'win32') {
  app.setToastActivatorCLSID(TOAST_ACTIVATOR_CLSID);
  app.setAppUserModelId(APP_ID);
}

const source = rendererSource({ isPackaged: app.isPackaged, devUrl: process.env.ELECTRON_RENDERER_URL });
const windows = new Map<number, OpenWindow>();
let core: DesktopCore | undefined;
let settings: SettingsStore | undefined;
let quitting = false;

const codec: SecretCodec = {
  isEncryptionAvailable: () => safeStorage.isAsyncEncryptionAvailable(),
  backend: () => (process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : 'os'),
  encrypt: (plain) => safeStorage.encryptStringAsync(plain),
  decrypt: (cipher) => safeStorage.decryptStringAsync(cipher),
  // Linux's async encryptor marks ciphers from the Secret Service v11, from its built-in fallback key v10.
  keyringProtected: (cipher) => process.platform !== 'linux' || cipher.subarray(0, 3).toString('latin1') === 'v11',
};

const tray = new AppTray((action) => onTrayAction(action));

/**
 * How the WebSocket leaves the machine. It is made by `ws` on Node's network
 * stack, not Chromium's, so main applies what Chromium would: the system
 * proxy Chromium resolves for the hub (HTTP CONNECT; SOCKS is not supported)
 * and the OS certificate store next to Node's bundled roots (Node ≥ 22.15).
 */
let proxyAgent: HttpsProxyAgent<string> | undefined;
let systemCa: string[] | undefined | null = null;
/** Read on the first connection, not at load: the OS store can be slow to read (macOS, Windows). */
function certificateAuthorities(): string[] | undefined {
  if (systemCa !== null) return systemCa;
  const get = (tls as { getCACertificates?: (type: string) => string[] }).getCACertificates;
  try {
    systemCa = get ? [...get('default'), ...get('system')] : undefined;
  } catch {
    systemCa = undefined;
  }
  return systemCa;
}

async function resolveProxy(url: string): Promise<void> {
  try {
    const proxy = proxyFromPac(await session.defaultSession.resolveProxy(url.replace(/^ws/, 'http')));
    proxyAgent = proxy.kind === 'http' ? new HttpsProxyAgent(proxy.url) : undefined;
    if (proxy.kind === 'unsupported') console.warn(`proxy rule "${proxy.rule}" is not supported; connecting directly`);
  } catch (error) {
    proxyAgent = undefined;
    console.warn('proxy lookup failed; connecting directly', error);
  }
}

/**
 * `FALCON_DEMO_SPEED` speeds up the built-in demo (the desktop suite waits for its agents to ask);
 * an unpackaged app only, like ELECTRON_RENDERER_URL.
 */
function demoSpeed(): number | undefined {
  const speed = Number(process.env.FALCON_DEMO_SPEED);
  return !app.isPackaged && Number.isFinite(speed) && speed > 0 && speed <= 100 ? speed : undefined;
}

function started(): { core: DesktopCore; settings: SettingsStore } {
  if (!core || !settings) throw new Error('Falcon Monitor has not started yet');
  return { core, settings };
}

function relayWindow(entry: OpenWindow) {
  return {
    id: entry.window.webContents.id,
    isDestroyed: () => entry.window.isDestroyed(),
    isVisible: () => entry.window.isVisible() && !entry.window.isMinimized(),
    // Structured clone copies each run's Uint8Array: Electron cannot transfer it (docs/desktop.md).
    send: (...[batch]: EventChannels['falcon:deliveries']) => entry.window.webContents.send('falcon:deliveries', batch),
  };
}

/**
 * A new document (a reload, a crash, a navigation) starts with no
 * subscriptions of its own: the old page's are released, and the new page
 * gets nothing until it says hello. Subscription ids restart at s1 in every
 * page, so keeping the old ones would collide.
 */
function resetDocument(entry: OpenWindow): void {
  const { core } = started();
  entry.undoRelay();
  entry.undoRelay = core.relay.addWindow(relayWindow(entry));
  entry.helloed = false;
  core.setViewing(entry.window.webContents.id, null);
}

function openWindow(target: PaneTarget | null): BrowserWindow {
  const { core, settings } = started();
  const role = target ? `${target.kind}:${target.id}` : 'main';
  const existing = [...windows.values()].find((entry) => entry.role === role);
  if (existing) {
    focus(existing.window);
    return existing.window;
  }
  const window = createAppWindow({
    source,
    target,
    bounds: settings.get().windowBounds[role],
    title: target ? `Falcon Monitor — ${target.kind} ${target.id}` : 'Falcon Monitor',
    devTools: !app.isPackaged,
  });
  const id = window.webContents.id;
  const entry: OpenWindow = {
    window,
    role,
    target,
    undoRelay: () => {},
    helloed: false,
    pendingFocus: null,
    navigating: false,
  };
  entry.undoRelay = core.relay.addWindow(relayWindow(entry));
  windows.set(id, entry);
  const visibility = () => core.relay.visibilityChanged(id);
  window.on('show', visibility);
  window.on('hide', visibility);
  window.on('minimize', visibility);
  window.on('restore', visibility);
  window.on('focus', () => core.setFocused(id, true));
  window.on('blur', () => core.setFocused(id, false));
  // did-navigate: the main frame committed a new document (same-document navigations are
  // did-navigate-in-page). Not at did-start-navigation: a navigation that starts may still be
  // refused by will-navigate, or fail. The new page's hello resets again; a did-navigate that
  // arrives after that hello (they travel on different pipes) must not undo the new page's work.
  window.webContents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) entry.navigating = true;
  });
  window.webContents.on('did-navigate', () => {
    if (entry.navigating || !entry.helloed) resetDocument(entry);
  });
  window.webContents.on('did-fail-load', (_event, code, _description, _url, isMainFrame) => {
    // A page that never loads never fires ready-to-show: show the window anyway (-3 is an aborted load).
    if (isMainFrame && code !== -3 && !window.isDestroyed()) window.show();
  });
  // Windows logoff and shutdown skip will-quit: write what is pending now.
  window.on('session-end', () => void settings.flush());
  window.webContents.on('render-process-gone', (_event, details) => {
    if (quitting || window.isDestroyed()) return;
    resetDocument(entry);
    if (details.reason === 'clean-exit') return;
    void dialog
      .showMessageBox(window, {
        type: 'error',
        title: 'Falcon Monitor',
        message: 'This window stopped working',
        detail: `Its page ended (${details.reason}, exit code ${details.exitCode}). Agents keep running; reload to see them again.`,
        buttons: ['Reload', 'Close window'],
        defaultId: 0,
        cancelId: 1,
      })
      .then(({ response }) => {
        if (window.isDestroyed()) return;
        if (response === 0) window.webContents.reload();
        else window.close();
      })
      .catch((error: unknown) => console.error('crash dialog failed', error));
  });
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

/** Shows the main window on `target`; a window still loading gets it with its hello. */
function focusTarget(target: FocusTarget | null): void {
  const window = mainWindow();
  focus(window);
  const entry = windows.get(window.webContents.id);
  if (!target || !entry) return;
  if (entry.helloed) window.webContents.send('falcon:focus-target', target);
  else entry.pendingFocus = target;
}

function onTrayAction(action: TrayAction): void {
  switch (action.type) {
    case 'show':
      return focus(mainWindow());
    case 'open':
      return focusTarget(action.target);
    case 'pause':
      void started()
        .core.setNotificationSettings({ pausedUntil: pauseUntil(action, Date.now()) })
        .catch((error: unknown) => console.error('pausing notifications failed', error));
      return;
    case 'resume':
      void started()
        .core.setNotificationSettings({ pausedUntil: null })
        .catch((error: unknown) => console.error('resuming notifications failed', error));
      return;
    case 'quit':
      quitting = true;
      app.quit();
      return;
  }
}

function showAbout(): void {
  void dialog.showMessageBox({
    type: 'info',
    title: 'About Falcon Monitor',
    message: `Falcon Monitor ${app.getVersion()}`,
    detail: `A desktop monitor for falcon-pm's coding agents.\nElectron ${process.versions.electron} · Chromium ${process.versions.chrome} · Node ${process.versions.node}`,
  });
}

/** Reconnect now; the proxy is looked up again first (a laptop moves between office and home). */
function wake(core: DesktopCore): void {
  void resolveProxy(core.hubInfo().url).finally(() => core.wake());
}

/** Network changes: Electron's main process has no event for them, so poll `net.isOnline()`. */
function watchNetwork(core: DesktopCore): void {
  let online = net.isOnline();
  setInterval(() => {
    const now = net.isOnline();
    if (now === online) return;
    online = now;
    core.connection.setNetworkAvailable(now);
    if (now) wake(core);
  }, 5000).unref();
}

async function start(): Promise<void> {
  serveRenderer(join(import.meta.dirname, '../renderer'));
  lockDownSession(session.defaultSession, source);
  settings = await SettingsStore.open(join(app.getPath('userData'), 'settings.json'), codec);
  const store = settings;
  core = new DesktopCore(
    store,
    {
      createWebSocket: (url) => nodeWebSocket(new WebSocket(url, { agent: proxyAgent, ca: certificateAuthorities() })),
      prepareConnection: resolveProxy,
      showNotification: (notification, offer) =>
        showNotification(notification, offer, {
          click: focusTarget,
          // Answered where the notification is: no window opens or takes the focus for it.
          answer: (answer, response) =>
            void started()
              .core.answerFromNotification(answer, response)
              .catch((error: unknown) => console.error('answering from a notification failed', error)),
        }),
      updateTray: (state, menu) => tray.update(state, menu, store.get().trayEnabled),
      broadcastConnectionState: (state) => {
        for (const { window, helloed } of windows.values()) {
          // A window can be closing while the state changes; a page that has not said hello gets it in hello.
          if (helloed && !window.isDestroyed()) window.webContents.send('falcon:connection-state', state);
        }
      },
      // Each window's relay state is reset by its new document (did-navigate).
      reloadWindows: () => {
        for (const entry of windows.values()) entry.window.webContents.reload();
      },
    },
    { fetch: net.fetch as typeof fetch, demoSpeed: demoSpeed() },
  );
  const desktop = core;
  await desktop.start();
  registerIpc(
    () => desktop,
    {
      windowIdOf: (contents) => (windows.has(contents.id) ? contents.id : null),
      targetOf: (id) => windows.get(id)?.target ?? null,
      openWindow: (target) => void openWindow(target),
      helloFrom: (id) => {
        const entry = windows.get(id);
        if (!entry) return null;
        // A new page's first hello: whatever an earlier page of this window still held (even a
        // message it sent while unloading) is released. Asking again from the same page changes nothing.
        if (!entry.helloed || entry.navigating) resetDocument(entry);
        entry.helloed = true;
        entry.navigating = false;
        const focusNow = entry.pendingFocus;
        entry.pendingFocus = null;
        return focusNow;
      },
      writeClipboard: (text) => clipboard.writeText(text),
    },
    source.origins,
  );
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      applicationMenuTemplate({ isMac: process.platform === 'darwin', packaged: app.isPackaged, about: showAbout }),
    ),
  );
  powerMonitor.on('resume', () => wake(desktop));
  powerMonitor.on('unlock-screen', () => wake(desktop));
  watchNetwork(desktop);
  openWindow(null);
  void checkForUpdates((message, error) => console.info(message, error instanceof Error ? error.message : ''));
}

if (!app.requestSingleInstanceLock()) {
  // A second launch hands over to the first (which focuses its window) and exits.
  app.quit();
} else {
  const ready = app.whenReady().then(start);
  ready.catch((error: unknown) => {
    // Never an invisible process holding the single-instance lock: say why, and exit.
    console.error('Falcon Monitor could not start', error);
    dialog.showErrorBox('Falcon Monitor could not start', error instanceof Error ? error.message : String(error));
    app.exit(1);
  });
  // Both can arrive before start() has finished: they wait for it.
  app.on(
    'second-instance',
    () =>
      void ready.then(
        () => focus(mainWindow()),
        () => {},
      ),
  );
  app.on(
    'activate',
    () =>
      void ready.then(
        () => void (windows.size === 0 && openWindow(null)),
        () => {},
      ),
  );
  app.on('web-contents-created', (_event, contents) => {
    // No <webview>s, ever.
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('window-all-closed', () => {
    // With a tray, the app keeps watching (and notifying) with no window open. Where the
    // desktop shows no tray (stock GNOME), that would be an invisible app: quit instead.
    const keep = settings?.get().trayEnabled === true && desktopHasTray(process.platform, process.env);
    if (quitting || !keep) app.quit();
  });
  let disposed = false;
  app.on('will-quit', (event) => {
    if (disposed) return;
    disposed = true;
    event.preventDefault();
    tray.destroy();
    const work = Promise.allSettled([core?.dispose(), settings?.flush()]);
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, QUIT_TIMEOUT_MS));
    void Promise.race([work, timeout]).finally(() => app.exit(0));
  });
}
