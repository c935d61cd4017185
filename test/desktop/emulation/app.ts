/**
 * `app` (https://www.electronjs.org/docs/latest/api/app): 'ready' once the
 * emulated browser is up; `isPackaged` as the launcher asks; `getPath` under
 * the userData the test gives; a real single-instance lock across emulated
 * instances sharing that userData (a lock file naming the holder's pid, and a
 * local socket over which a second instance's argv reaches the first as
 * 'second-instance'); quit semantics as documented: before-quit, every window
 * closed ('close' can cancel), will-quit (preventDefault keeps the app), quit;
 * window-all-closed only when the last window closes outside a quit;
 * `setToastActivatorCLSID` (Windows only: an emulated win32, ./platform.ts).
 */
import { EventEmitter } from 'node:events';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createConnection, createServer } from 'node:net';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserWindow, lifecycle } from './browser-window';
import { markReady } from './protocol';
import {
  closeBrowser,
  launch,
  launchBrowser,
  onControl,
  profileDir,
  provideState,
  send,
  stateChanged,
} from './runtime';
import { emulatedPlatform } from './platform';
import { electronEvent } from './web-contents';

const packageJson = JSON.parse(readFileSync(join(launch.appPath, 'package.json'), 'utf8')) as {
  name: string;
  productName?: string;
  version: string;
};
const paths = new Map<string, string>([
  ['userData', launch.userData],
  ['sessionData', launch.userData],
  ['appData', join(launch.userData, '..')],
  ['temp', tmpdir()],
  ['logs', join(launch.userData, 'logs')],
  ['crashDumps', join(launch.userData, 'Crashpad')],
]);
// The lock lives in userData as it is when the lock is asked for (main may have moved it: setPath).
let lockFile = '';
let socketPath = '';
function lockPaths(): void {
  const userData = paths.get('userData')!;
  lockFile = join(userData, 'SingletonLock.emulated');
  socketPath = join(tmpdir(), `falcon-emu-${createHash('sha256').update(userData).digest('hex').slice(0, 16)}.sock`);
}
let sessionDataSet = false;
const secondInstances: Array<{ argv: string[]; cwd: string }> = [];
const unhandled: string[] = [];

let isReady = false;
let quitting = false;
let exiting = false;
let quitBeforeReady = false;
let lockServer: Server | null = null;
let handOver: Promise<void> = Promise.resolve();
let appUserModelId: string | null = null;
let toastActivatorCLSID: string | null = null;
let resolveReady: () => void;
const ready = new Promise<void>((resolve) => (resolveReady = resolve));

class App extends EventEmitter {
  get isPackaged(): boolean {
    return launch.packaged;
  }

  get name(): string {
    return packageJson.productName ?? packageJson.name;
  }

  commandLine = { appendSwitch(): void {}, hasSwitch: () => false, getSwitchValue: () => '' };

  whenReady(): Promise<void> {
    return ready;
  }

  isReady(): boolean {
    return isReady;
  }

  getName(): string {
    return this.name;
  }

  getVersion(): string {
    return packageJson.version;
  }

  getAppPath(): string {
    return launch.appPath;
  }

  getPath(name: string): string {
    const path = paths.get(name);
    if (!path) throw new Error(`Failed to get '${name}' path`);
    return path;
  }

  setPath(name: string, path: string): void {
    paths.set(name, path);
    if (name === 'sessionData') sessionDataSet = true;
    // sessionData defaults to userData (Chromium's profile lives there).
    if (name === 'userData' && !sessionDataSet) paths.set('sessionData', path);
  }

  getLocale(): string {
    return 'en-US';
  }

  setAppUserModelId(id: string): void {
    appUserModelId = id;
    stateChanged();
  }

  /**
   * Windows only. "Supplying an empty string or an unparsable value throws and leaves the existing
   * (or generated) CLSID unchanged"; braces are added to a bare GUID.
   */
  setToastActivatorCLSID(id: string): void {
    if (emulatedPlatform !== 'win32') throw new Error('app.setToastActivatorCLSID is only available on Windows');
    const match = /^\{?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\}?$/i.exec(String(id));
    if (!match || id.startsWith('{') !== id.endsWith('}')) throw new Error(`Invalid CLSID: ${id}`);
    toastActivatorCLSID = `{${match[1]}}`;
    stateChanged();
  }

  get toastActivatorCLSID(): string {
    return toastActivatorCLSID ?? '{00000000-0000-4000-8000-000000000000}';
  }

  setAboutPanelOptions(): void {}
  disableHardwareAcceleration(): void {}
  focus(): void {}

  /** https://www.electronjs.org/docs/latest/api/app#apprequestsingleinstancelockadditionaldata */
  requestSingleInstanceLock(): boolean {
    lockPaths();
    mkdirSync(paths.get('userData')!, { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(lockFile, 'wx');
        writeFileSync(fd, String(process.pid));
        closeSync(fd);
        rmSync(socketPath, { force: true });
        lockServer = createServer((socket) => {
          let data = '';
          socket.on('data', (chunk) => (data += chunk));
          socket.on('end', () => {
            const { argv, cwd } = JSON.parse(data) as { argv: string[]; cwd: string };
            secondInstances.push({ argv, cwd });
            stateChanged();
            void ready.then(() => this.emit('second-instance', electronEvent(), argv, cwd, null));
          });
        }).listen(socketPath);
        lockServer.unref();
        return true;
      } catch {
        const holder = Number(readFileSync(lockFile, 'utf8'));
        if (!isAlive(holder)) {
          rmSync(lockFile, { force: true });
          continue;
        }
        handOver = new Promise((resolve) => {
          const socket = createConnection(socketPath, () =>
            socket.end(JSON.stringify({ argv: process.argv, cwd: process.cwd() })),
          );
          socket.on('close', () => resolve());
          socket.on('error', () => resolve());
        });
        return false;
      }
    }
    return false;
  }

  hasSingleInstanceLock(): boolean {
    return lockServer !== null;
  }

  releaseSingleInstanceLock(): void {
    if (!lockServer) return;
    // (paths of the lock as they were when it was taken)
    lockServer.close();
    lockServer = null;
    rmSync(lockFile, { force: true });
    rmSync(socketPath, { force: true });
  }

  /** https://www.electronjs.org/docs/latest/api/app#appquit */
  quit(): void {
    if (quitting || exiting) return;
    if (!isReady) {
      // Before ready (a second instance handing over): nothing to close, no browser to start.
      quitBeforeReady = true;
      void handOver.then(() => this.exit(0));
      return;
    }
    const beforeQuit = electronEvent();
    this.emit('before-quit', beforeQuit);
    if (beforeQuit.defaultPrevented) return;
    quitting = true;
    const open = BrowserWindow.getAllWindows();
    for (const window of open) window.close();
    if (BrowserWindow.getAllWindows().length > 0) {
      // A window refused to close: the quit is cancelled.
      quitting = false;
      return;
    }
    if (open.length === 0) this.willQuit();
  }

  /** https://www.electronjs.org/docs/latest/api/app#appexitexitcode: no events, windows closed at once. */
  exit(code = 0): void {
    if (exiting) return;
    exiting = true;
    send({ type: 'exiting', code });
    void (async () => {
      await Promise.all(BrowserWindow.getAllWindows().map((window) => window.destroy()));
      this.releaseSingleInstanceLock();
      await closeBrowser();
      process.exit(code);
    })();
  }

  willQuit(): void {
    const event = electronEvent();
    this.emit('will-quit', event);
    quitting = false;
    if (event.defaultPrevented) return;
    this.emit('quit', electronEvent(), 0);
    this.exit(0);
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export const app = new App();

lifecycle.created = (window) => app.emit('browser-window-created', electronEvent(), window);
lifecycle.lastWindowClosed = () => {
  if (quitting) return app.willQuit();
  // https://www.electronjs.org/docs/latest/api/app#event-window-all-closed
  if (app.listenerCount('window-all-closed') > 0) app.emit('window-all-closed');
  else app.quit();
};

process.on('unhandledRejection', (reason) => {
  // Electron logs an unhandled rejection in main and keeps running; the suite asserts there is none.
  console.error('[emulation] unhandled rejection in main:', reason);
  unhandled.push(String((reason as Error)?.stack ?? reason));
  stateChanged();
});
process.on('disconnect', () => app.exit(1));

provideState('ready', () => isReady);
provideState('appUserModelId', () => appUserModelId);
provideState('toastActivatorCLSID', () => toastActivatorCLSID);
provideState('secondInstances', () => secondInstances);
provideState('unhandled', () => unhandled);
provideState('windows', () => BrowserWindow.getAllWindows().map((window) => window.record()));
onControl('quit', () => app.quit());
onControl('state', () => null);
onControl('close-window', (request) => {
  if (request.op === 'close-window') BrowserWindow.fromId(request.windowId)?.close();
});
onControl('wait-for-selector', async (request) => {
  if (request.op !== 'wait-for-selector') return;
  const window = BrowserWindow.fromId(request.windowId);
  if (!window) throw new Error(`no window ${request.windowId}`);
  await window.webContents.waitForSelector(request.selector);
});
onControl('crash', (request) => {
  if (request.op === 'crash') BrowserWindow.fromId(request.windowId)?.webContents.forcefullyCrashRenderer();
});

// After main's top-level code ran (it registers privileged schemes and asks for the lock before ready).
setImmediate(() => {
  if (exiting || quitBeforeReady) return;
  // Chromium's profile in sessionData, as Electron's (localStorage survives a relaunch).
  void launchBrowser(join(paths.get('sessionData')!, 'Chromium')).then(
    ({ cdpUrl }) => {
      if (exiting) return;
      markReady();
      isReady = true;
      send({ type: 'ready', cdpUrl, profile: profileDir(), pid: process.pid });
      stateChanged();
      app.emit('will-finish-launching');
      app.emit('ready', electronEvent(), {});
      resolveReady();
    },
    (error: unknown) => {
      console.error('[emulation] Chromium did not start', error);
      process.exit(70);
    },
  );
});
