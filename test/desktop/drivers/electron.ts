/**
 * The real Electron driver, for machines where Electron's binary exists (the
 * desktop workflow on Linux under xvfb, macOS and Windows):
 * - `dev`: playwright-core's `_electron.launch` on `npm start`'s build (the
 *   app directory, so `app.getAppPath()` is the repo as with `electron .`);
 *   main is reachable through `electronApp.evaluate` for the clipboard, the
 *   application menu, crashes, dialogs (recorded by replacing dialog's
 *   methods) and quit. The Tray and Notification objects are locals of main
 *   that nothing can reach from outside, so tray and notification scenarios
 *   are emulation-only.
 * - `packaged`: the unpacked packaged app (`electron-builder --dir`). Its
 *   fuses forbid --inspect (enableNodeCliInspectArguments=false), so
 *   `_electron.launch` cannot attach; the binary is started with
 *   --remote-debugging-port and reached with `chromium.connectOverCDP`:
 *   page-level scenarios only (the board renders, no blank window).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Browser, type ElectronApplication, type Page, _electron, chromium } from 'playwright-core';
import type { DialogRecord } from '../emulation/control-types';
import {
  type Capability,
  type DesktopApp,
  type DesktopDriver,
  type DesktopWindow,
  type LaunchOptions,
  waitForMatchingWindow,
} from './driver';
import { ROOT, STEP_MS } from './emulated';

/**
 * Electron's binary, when `npm ci` could download it: the path `require('electron')` gives, found the
 * way node_modules/electron/index.js finds it (path.txt, dist/, ELECTRON_OVERRIDE_DIST_PATH) but
 * without requiring it, since that module tries to download a missing binary.
 */
export function electronBinary(): string | null {
  const packageDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  const pathFile = join(packageDir, 'path.txt');
  const executable = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : '';
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const full = override
    ? join(override, executable || 'electron')
    : executable
      ? join(packageDir, 'dist', executable)
      : '';
  return full && existsSync(full) ? full : null;
}

/** The unpacked packaged app's executable under release/ (electron-builder's --dir output), if built. */
export function packagedBinary(): string | null {
  const release = join(ROOT, 'release');
  if (!existsSync(release)) return null;
  const candidates: string[] = [];
  // This machine's architecture first (macOS builds both: release/mac and release/mac-arm64).
  const dirs = readdirSync(release).sort((a, b) => Number(b.includes(process.arch)) - Number(a.includes(process.arch)));
  for (const dir of dirs) {
    // linux-unpacked/falcon-monitor, win-unpacked/Falcon Monitor.exe, mac*/Falcon Monitor.app/Contents/MacOS/Falcon Monitor
    if (dir.startsWith('linux') && dir.endsWith('unpacked'))
      candidates.push(join(release, dir, 'falcon-monitor'), join(release, dir, 'Falcon Monitor'));
    if (dir.startsWith('win') && dir.endsWith('unpacked')) candidates.push(join(release, dir, 'Falcon Monitor.exe'));
    if (dir === 'mac' || dir.startsWith('mac-'))
      candidates.push(join(release, dir, 'Falcon Monitor.app/Contents/MacOS/Falcon Monitor'));
  }
  return candidates.find((path) => existsSync(path)) ?? null;
}

const unsupported = (driver: string, what: string) =>
  Promise.reject(new Error(`${what} is not reachable with the ${driver} driver`));

/** Processes descending from pid (ps; Windows: none listed, the main process's exit is what is checked). */
function descendants(pid: number): number[] {
  if (process.platform === 'win32') return [];
  const rows = execFileSync('ps', ['-A', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter((row): row is [number, number] => row.length === 2 && row.every(Number.isInteger));
  const out: number[] = [];
  const walk = (parent: number) => {
    for (const [child, ppid] of rows)
      if (ppid === parent) {
        out.push(child);
        walk(child);
      }
  };
  walk(pid);
  return out;
}

function alive(pids: number[]): number[] {
  return pids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
}

export class ElectronDriver implements DesktopDriver {
  readonly name: 'electron' | 'electron-packaged';
  readonly capabilities: ReadonlySet<Capability>;

  constructor(private readonly target: { kind: 'dev' | 'packaged'; binary: string }) {
    this.name = target.kind === 'dev' ? 'electron' : 'electron-packaged';
    this.capabilities = new Set<Capability>(
      target.kind === 'dev' ? ['clipboard', 'menu', 'crash', 'dialogs', 'dev-server'] : ['packaged-flag'],
    );
  }

  launch(options: LaunchOptions): Promise<DesktopApp> {
    return this.target.kind === 'dev'
      ? ElectronDevApp.start(this.target.binary, options)
      : PackagedApp.start(this.target.binary, options);
  }
}

abstract class PageApp implements DesktopApp {
  protected logs = '';
  protected abstract readonly driverName: string;
  abstract windows(): Promise<DesktopWindow[]>;
  abstract quit(): Promise<{ ms: number; exited: boolean; leftover: number[] }>;
  abstract running(): boolean;
  abstract kill(): Promise<void>;
  protected abstract pages(): Page[];

  protected collect(child: ChildProcess): void {
    child.stdout?.on('data', (chunk: Buffer) => (this.logs += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.logs += chunk.toString()));
  }

  firstWindow(): Promise<DesktopWindow> {
    return this.waitForWindow(() => true);
  }

  waitForWindow(predicate: (window: DesktopWindow) => boolean | Promise<boolean>): Promise<DesktopWindow> {
    return waitForMatchingWindow(
      {
        windows: () => this.windows(),
        exited: () => !this.running(),
        logs: () => this.logs,
        // A re-check on the next page event, or after a second: a window's state also changes without one.
        changed: async () => {
          await Promise.race([
            new Promise((resolve) => setTimeout(resolve, 1000)),
            ...this.pages().map((page) => page.waitForEvent('load', { timeout: STEP_MS }).catch(() => {})),
          ]);
        },
        describe: () => '',
      },
      predicate,
      STEP_MS,
    );
  }

  async waitForNoWindow(): Promise<void> {
    const deadline = Date.now() + STEP_MS;
    while ((await this.windows()).length > 0) {
      if (Date.now() > deadline) throw new Error('windows are still open');
      await Promise.race(this.pages().map((page) => page.waitForEvent('close', { timeout: STEP_MS }).catch(() => {})));
    }
  }

  closeWindow(window: DesktopWindow): Promise<void> {
    return window.page.close({ runBeforeUnload: true });
  }

  tray() {
    return unsupported(this.driverName, 'the tray') as never;
  }
  waitForTray() {
    return unsupported(this.driverName, 'the tray') as never;
  }
  clickTray() {
    return unsupported(this.driverName, 'the tray');
  }
  clickTrayItem() {
    return unsupported(this.driverName, 'the tray');
  }
  notifications() {
    return unsupported(this.driverName, 'a Notification') as never;
  }
  waitForNotification() {
    return unsupported(this.driverName, 'a Notification') as never;
  }
  clickNotification() {
    return unsupported(this.driverName, 'a Notification') as never;
  }
  pressNotificationAction() {
    return unsupported(this.driverName, 'a Notification') as never;
  }
  replyToNotification() {
    return unsupported(this.driverName, 'a Notification') as never;
  }
  dialogs(): Promise<DialogRecord[]> {
    return unsupported(this.driverName, 'a dialog') as never;
  }
  waitForDialog(_predicate: (dialog: DialogRecord) => boolean): Promise<DialogRecord> {
    return unsupported(this.driverName, 'a dialog') as never;
  }
  answerDialog(_index: number, _response: number): Promise<void> {
    return unsupported(this.driverName, 'a dialog');
  }
  clipboardText(): Promise<string> {
    return unsupported(this.driverName, 'the clipboard') as never;
  }
  menuClick(_item: string, _window?: DesktopWindow): Promise<void> {
    return unsupported(this.driverName, 'the application menu');
  }
  crashRenderer(_window: DesktopWindow): Promise<void> {
    return unsupported(this.driverName, 'the renderer process');
  }
  waitInWindow(window: DesktopWindow, selector: string): Promise<void> {
    return window.page.waitForSelector(selector, { timeout: STEP_MS }).then(() => undefined);
  }
  output(): string {
    return this.logs;
  }
}

class ElectronDevApp extends PageApp {
  protected readonly driverName = 'electron';
  private exited = false;

  private constructor(private readonly electron: ElectronApplication) {
    super();
    this.collect(electron.process());
    electron.process().on('exit', () => (this.exited = true));
  }

  static async start(binary: string, options: LaunchOptions): Promise<ElectronDevApp> {
    const electron = await _electron.launch({
      executablePath: binary,
      args: [ROOT, `--user-data-dir=${options.userData}`],
      cwd: ROOT,
      env: { ...(process.env as Record<string, string>), FALCON_DISABLE_UPDATES: '1', ...options.env },
      timeout: STEP_MS,
    });
    const app = new ElectronDevApp(electron);
    // Dialogs are recorded and wait for the test's answer, as the emulation's do.
    await electron.evaluate(({ dialog }) => {
      const records: unknown[] = [];
      const answers = new Map<number, (response: number) => void>();
      Object.assign(globalThis, { suiteDialogs: records, suiteAnswers: answers });
      dialog.showMessageBox = ((first: unknown, second?: unknown) => {
        const options = (second ?? first) as {
          type?: string;
          title?: string;
          message: string;
          detail?: string;
          buttons?: string[];
        };
        const index = records.length;
        records.push({
          index,
          kind: 'messageBox',
          type: options.type ?? 'none',
          title: options.title ?? '',
          message: options.message,
          detail: options.detail ?? '',
          buttons: options.buttons ?? ['OK'],
          answered: false,
        });
        return new Promise((resolve) =>
          answers.set(index, (response) => resolve({ response, checkboxChecked: false })),
        );
      }) as typeof dialog.showMessageBox;
      dialog.showErrorBox = (title: string, content: string) => {
        records.push({
          index: records.length,
          kind: 'errorBox',
          type: 'error',
          title,
          message: content,
          detail: '',
          buttons: ['OK'],
          answered: true,
        });
      };
    });
    return app;
  }

  protected pages(): Page[] {
    return this.electron.windows();
  }

  async windows(): Promise<DesktopWindow[]> {
    const out: DesktopWindow[] = [];
    for (const page of this.electron.windows()) {
      try {
        const handle = await this.electron.browserWindow(page);
        const info = await handle.evaluate((w) => ({
          id: w.id,
          webContentsId: w.webContents.id,
          url: w.webContents.getURL(),
        }));
        out.push({ ...info, page });
      } catch {
        // Closing.
      }
    }
    return out;
  }

  override async closeWindow(window: DesktopWindow): Promise<void> {
    const closed = window.page.waitForEvent('close', { timeout: STEP_MS });
    await this.electron.evaluate(({ BrowserWindow }, id) => BrowserWindow.fromId(id)?.close(), window.id);
    await closed;
  }

  override async dialogs(): Promise<DialogRecord[]> {
    return this.electron.evaluate(() => (globalThis as unknown as { suiteDialogs: DialogRecord[] }).suiteDialogs);
  }

  override async waitForDialog(predicate: (dialog: DialogRecord) => boolean): Promise<DialogRecord> {
    const deadline = Date.now() + STEP_MS;
    for (;;) {
      const found = (await this.dialogs()).find(predicate);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('no such dialog');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  override async answerDialog(index: number, response: number): Promise<void> {
    await this.electron.evaluate(
      (_electron, [i, r]) => {
        const g = globalThis as unknown as {
          suiteAnswers: Map<number, (r: number) => void>;
          suiteDialogs: Array<{ answered: boolean }>;
        };
        g.suiteAnswers.get(i)?.(r);
        g.suiteDialogs[i]!.answered = true;
      },
      [index, response] as const,
    );
  }

  override clipboardText(): Promise<string> {
    return this.electron.evaluate(({ clipboard }) => clipboard.readText());
  }

  override async menuClick(item: string, window?: DesktopWindow): Promise<void> {
    await this.electron.evaluate(
      ({ BrowserWindow, Menu }, [name, id]) => {
        const target = id === null ? BrowserWindow.getFocusedWindow() : BrowserWindow.fromId(id);
        target?.focus();
        const find = (menu: Electron.Menu): Electron.MenuItem | null => {
          for (const entry of menu.items) {
            if (entry.type !== 'submenu' && (entry.id === name || entry.role === name || entry.label === name))
              return entry;
            const inner = entry.submenu ? find(entry.submenu) : null;
            if (inner) return inner;
          }
          return null;
        };
        const menu = Menu.getApplicationMenu();
        const found = menu && find(menu);
        if (!found) throw new Error(`no application menu item ${name}`);
        // A role item acts on the window it is given (a user's click gives the focused one).
        found.click(undefined, target ?? undefined, target?.webContents);
      },
      [item, window?.id ?? null] as const,
    );
  }

  override async waitInWindow(window: DesktopWindow, selector: string): Promise<void> {
    // Through main's executeJavaScript: Playwright's Page of a crashed renderer stays unusable.
    const deadline = Date.now() + STEP_MS;
    while (Date.now() < deadline) {
      const found = await this.electron
        .evaluate(
          ({ BrowserWindow }, [id, sel]) =>
            BrowserWindow.fromId(id)?.webContents.executeJavaScript(
              `document.querySelector(${JSON.stringify(sel)}) !== null`,
            ),
          [window.id, selector] as const,
        )
        .catch(() => false);
      if (found) return;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    throw new Error(`no ${selector} in window ${window.id}`);
  }

  override async crashRenderer(window: DesktopWindow): Promise<void> {
    await this.electron.evaluate(
      ({ BrowserWindow }, id) => BrowserWindow.fromId(id)?.webContents.forcefullyCrashRenderer(),
      window.id,
    );
  }

  running(): boolean {
    return !this.exited;
  }

  async quit(): Promise<{ ms: number; exited: boolean; leftover: number[] }> {
    const child = this.electron.process();
    const family = descendants(child.pid ?? -1);
    const exit = new Promise<boolean>((resolve) =>
      this.exited ? resolve(true) : child.once('exit', () => resolve(true)),
    );
    const started = performance.now();
    await this.electron.evaluate(({ app }) => void setImmediate(() => app.quit())).catch(() => {});
    const exited = await Promise.race([
      exit,
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
    ]);
    return { ms: performance.now() - started, exited, leftover: alive(family) };
  }

  async kill(): Promise<void> {
    if (!this.exited) this.electron.process().kill('SIGKILL');
    await this.electron.close().catch(() => {});
  }
}

class PackagedApp extends PageApp {
  protected readonly driverName = 'electron-packaged';
  private exited = false;
  private browser: Browser | null = null;

  private constructor(private readonly child: ChildProcess) {
    super();
    this.collect(child);
    child.on('exit', () => (this.exited = true));
  }

  static async start(binary: string, options: LaunchOptions): Promise<PackagedApp> {
    const child = spawn(binary, ['--remote-debugging-port=0', `--user-data-dir=${options.userData}`], {
      env: { ...process.env, FALCON_DISABLE_UPDATES: '1', ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const app = new PackagedApp(child);
    const endpoint = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no DevTools endpoint\n${app.logs}`)), STEP_MS);
      child.stderr?.on('data', () => {
        const match = /DevTools listening on (ws:\/\/\S+)/.exec(app.logs);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
      child.on('exit', (code) => reject(new Error(`the packaged app exited (${code})\n${app.logs}`)));
    });
    app.browser = await chromium.connectOverCDP(endpoint, { timeout: STEP_MS });
    return app;
  }

  protected pages(): Page[] {
    return (this.browser?.contexts()[0]?.pages() ?? []).filter((page) => !page.url().startsWith('devtools:'));
  }

  async windows(): Promise<DesktopWindow[]> {
    // Main is out of reach: ids are page indexes, URLs as the page reports them (app:// here is real).
    return this.pages().map((page, index) => ({ id: index + 1, webContentsId: 0, url: page.url(), page }));
  }

  running(): boolean {
    return !this.exited;
  }

  async quit(): Promise<{ ms: number; exited: boolean; leftover: number[] }> {
    const family = descendants(this.child.pid ?? -1);
    const exit = new Promise<boolean>((resolve) =>
      this.exited ? resolve(true) : this.child.once('exit', () => resolve(true)),
    );
    const started = performance.now();
    // The OS asking the app to quit (SIGTERM on Linux and macOS; on Windows, termination).
    this.child.kill('SIGTERM');
    const exited = await Promise.race([
      exit,
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 10_000)),
    ]);
    await this.browser?.close().catch(() => {});
    return { ms: performance.now() - started, exited, leftover: alive(family) };
  }

  async kill(): Promise<void> {
    await this.browser?.close().catch(() => {});
    if (!this.exited) this.child.kill('SIGKILL');
  }
}
