import { BrowserWindow, type Session, screen, shell } from 'electron';
import { join } from 'node:path';
import type { PaneTarget } from '../../shared/bridge';
import { isAllowedNavigation, isSafeExternalUrl } from '../link-policy';
import { type RendererSource, contentSecurityPolicy } from '../renderer-source';
import type { WindowBounds } from '../settings-store';
import { fitToDisplays } from '../window-bounds';

const here = import.meta.dirname;

/**
 * A window with Electron's security checklist applied: context isolation,
 * sandbox, no Node in the page, navigation limited to the app itself, new
 * windows denied (http/https links go to the system browser after a real URL
 * parse). It loads `source.url`: app://falcon/index.html, or the dev server.
 */
export function createAppWindow(options: {
  source: RendererSource;
  target: PaneTarget | null;
  bounds?: WindowBounds;
  title?: string;
  devTools: boolean;
}): BrowserWindow {
  // Saved bounds may belong to a display that is gone.
  const bounds = options.bounds
    ? fitToDisplays(
        options.bounds,
        screen.getAllDisplays().map((display) => display.workArea),
      )
    : undefined;
  const window = new BrowserWindow({
    width: bounds?.width ?? (options.target ? 900 : 1440),
    height: bounds?.height ?? (options.target ? 600 : 900),
    ...(bounds?.x !== undefined && bounds.y !== undefined ? { x: bounds.x, y: bounds.y } : {}),
    minWidth: 480,
    minHeight: 320,
    show: false,
    title: options.title ?? 'Falcon Monitor',
    backgroundColor: '#0f1115',
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      spellcheck: false,
      devTools: options.devTools,
    },
  });
  // maximize() also shows the window: only once it has painted.
  window.once('ready-to-show', () => {
    if (bounds?.maximized) window.maximize();
    window.show();
  });
  const { origins } = options.source;
  window.webContents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, origins)) event.preventDefault();
  });
  window.webContents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url, origins)) event.preventDefault();
  });
  window.webContents.setWindowOpenHandler(({ url }) => {
    const safe = isSafeExternalUrl(url);
    if (safe) shell.openExternal(safe.href).catch((error: unknown) => console.error('opening a link failed', error));
    return { action: 'deny' };
  });
  // A detached window learns its target from `hello`.
  void window.loadURL(options.source.url);
  return window;
}

/**
 * Denies every permission request (camera, notifications from the page,
 * geolocation, clipboard…): the app needs none (copying goes through main).
 * Adds the Content Security Policy to the dev server's responses; app://
 * responses carry their own (see app-protocol.ts).
 */
export function lockDownSession(session: Session, source: RendererSource): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  if (!source.dev) return;
  const policy = contentSecurityPolicy({ dev: true });
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [policy] } });
  });
}

export function boundsOf(window: BrowserWindow): WindowBounds {
  const { x, y, width, height } = window.getNormalBounds();
  return { x, y, width, height, maximized: window.isMaximized() };
}
