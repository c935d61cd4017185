import { BrowserWindow, type Session, shell } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PaneTarget } from '../../shared/bridge';
import { isAllowedNavigation, isSafeExternalUrl } from '../link-policy';

export interface WindowBounds {
  x: number;
  y: number;
  width: number;
  height: number;
  maximized: boolean;
}

const here = import.meta.dirname;
/** Where the renderer comes from: the dev server, or the built files. */
export function rendererOrigins(): string[] {
  const dev = process.env.ELECTRON_RENDERER_URL;
  return dev ? [new URL(dev).origin] : [pathToFileURL(join(here, '../renderer/')).href];
}

/**
 * A window with Electron's security checklist applied: context isolation,
 * sandbox, no Node in the page, navigation limited to the app itself, new
 * windows denied (http/https links go to the system browser after a real URL
 * parse).
 */
export function createAppWindow(options: {
  target: PaneTarget | null;
  bounds?: WindowBounds;
  title?: string;
}): BrowserWindow {
  const { bounds } = options;
  const window = new BrowserWindow({
    width: bounds?.width ?? (options.target ? 900 : 1440),
    height: bounds?.height ?? (options.target ? 600 : 900),
    ...(bounds ? { x: bounds.x, y: bounds.y } : {}),
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
    },
  });
  if (bounds?.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());
  const origins = rendererOrigins();
  window.webContents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, origins)) event.preventDefault();
  });
  window.webContents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url, origins)) event.preventDefault();
  });
  window.webContents.setWindowOpenHandler(({ url }) => {
    const safe = isSafeExternalUrl(url);
    if (safe) void shell.openExternal(safe.href);
    return { action: 'deny' };
  });
  // Dev/prod switch as in electron-vite's template. A detached window learns its target from `hello`.
  const dev = process.env.ELECTRON_RENDERER_URL;
  if (dev) void window.loadURL(dev);
  else void window.loadFile(join(here, '../renderer/index.html'));
  return window;
}

/** Denies every permission request (camera, notifications from the page, geolocation, …): the app needs none. */
export function lockDownSession(session: Session): void {
  session.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  // Content Security Policy for everything the app loads (the page also carries it in a meta tag).
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      },
    });
  });
}

export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss: http: https:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export function boundsOf(window: BrowserWindow): WindowBounds {
  const { x, y, width, height } = window.getNormalBounds();
  return { x, y, width, height, maximized: window.isMaximized() };
}
