/**
 * The `electron` module of the desktop suite's emulation driver: what the
 * built main process (out/main/index.js) imports, resolved here by
 * ./loader-hooks.mjs in a child Node process. Each module follows its
 * Electron 45 doc (cited in its file); docs/desktop.md ("The desktop suite")
 * lists what only the real Electron driver proves. Test-only, never shipped.
 */
// First: main's `process.platform` is the emulated OS before any of main's code runs.
import './platform';
import { installRoute } from './session';
import { WebContents } from './web-contents';

export { app } from './app';
export { BrowserWindow } from './browser-window';
export { ipcMain } from './ipc-main';
export { Menu, MenuItem } from './menu';
export { net } from './net';
export { protocol } from './protocol';
export { safeStorage } from './safe-storage';
export { clipboard, dialog, nativeImage, powerMonitor, screen, shell } from './services';
export { sessionModule as session } from './session';
export { Notification, Tray } from './tray';
export const webContents = {
  getAllWebContents: () => WebContents.getAllWebContents(),
  fromId: (id: number) => WebContents.fromId(id),
};

installRoute((route) => {
  try {
    const page = route.request().frame().page();
    return WebContents.ofPage(page);
  } catch {
    // A service worker's request has no frame.
    return undefined;
  }
});

// What `process.versions` says in Electron's main process (the About dialog shows them).
Object.defineProperty(process.versions, 'electron', { value: '45.5.0-emulated', enumerable: true });
Object.defineProperty(process.versions, 'chrome', { value: 'emulated (system Chromium)', enumerable: true });
