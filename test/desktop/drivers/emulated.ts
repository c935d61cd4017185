/**
 * The emulation driver: the real built main process (out/main/index.js) in a
 * child Node process whose `electron` is test/desktop/emulation, driving real
 * Chromium. The test connects to that Chromium over CDP (its pages are the
 * windows) and talks to the child over Node IPC (tray, notifications,
 * dialogs, clipboard, menu, quit, and the records of all of them).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import type { ControlRequest, EmulationState, ToChild, ToParent } from '../emulation/control-types';
import {
  type Capability,
  type DesktopApp,
  type DesktopDriver,
  type DesktopWindow,
  type LaunchOptions,
  waitForMatchingWindow,
} from './driver';

export const ROOT = join(import.meta.dirname, '../../..');
const REGISTER = join(import.meta.dirname, '../emulation/register.ts');
/** Every Chromium step waits up to a minute for its event: two cores are shared with the hubs. */
export const STEP_MS = 60_000;

export class EmulationDriver implements DesktopDriver {
  readonly name = 'emulation' as const;
  readonly capabilities: ReadonlySet<Capability> = new Set<Capability>([
    'tray',
    'notifications',
    'dialogs',
    'clipboard',
    'menu',
    'crash',
    'dev-server',
    'second-instance',
    'packaged-flag',
    'emulated-os',
  ]);

  constructor(private readonly chromiumPath: string) {}

  launch(options: LaunchOptions): Promise<EmulatedApp> {
    return EmulatedApp.start(this.chromiumPath, options);
  }
}

export class EmulatedApp implements DesktopApp {
  private state: EmulationState | null = null;
  private readonly waiters = new Set<() => void>();
  private readonly results = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private nextControl = 0;
  private browser: Browser | null = null;
  private profile = '';
  private logs = '';
  private exited = false;
  private readonly exit: Promise<number | null>;
  private readonly targets = new WeakMap<Page, string>();

  private constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => (this.logs += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.logs += chunk.toString()));
    this.exit = new Promise((resolve) =>
      child.on('exit', (code) => {
        this.exited = true;
        for (const { reject } of this.results.values()) reject(new Error(`the app exited (${code})`));
        this.wake();
        resolve(code);
      }),
    );
    child.on('message', (message: ToParent) => this.onMessage(message));
  }

  static async start(chromiumPath: string, options: LaunchOptions): Promise<EmulatedApp> {
    const child = spawn(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', '--import', REGISTER, join(ROOT, 'out/main/index.js')],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
        env: {
          ...process.env,
          FALCON_DISABLE_UPDATES: '1',
          ...options.env,
          FALCON_EMU_USER_DATA: options.userData,
          FALCON_EMU_CHROMIUM: chromiumPath,
          FALCON_EMU_PACKAGED: options.packaged ? '1' : '0',
          FALCON_EMU_APP_PATH: ROOT,
          ...(options.platform ? { FALCON_EMU_PLATFORM: options.platform } : {}),
        },
      },
    );
    const app = new EmulatedApp(child);
    const ready = await app.until(
      () => app.readyMessage,
      'the emulated app to be ready (or to exit)',
      () => app.exited,
    );
    if (!ready) return app;
    app.profile = ready.profile;
    app.cdpUrl = ready.cdpUrl;
    await app.connect();
    return app;
  }

  private cdpUrl = '';

  private async connect(): Promise<void> {
    this.browser = await chromium.connectOverCDP(this.cdpUrl, { timeout: STEP_MS });
  }

  private readyMessage: { cdpUrl: string; profile: string } | null = null;

  private onMessage(message: ToParent): void {
    if (message.type === 'ready') this.readyMessage = message;
    else if (message.type === 'state') this.state = message.state;
    else if (message.type === 'control-result') {
      const pending = this.results.get(message.id);
      this.results.delete(message.id);
      if (message.ok) pending?.resolve(message.result);
      else pending?.reject(new Error(message.error));
    }
    this.wake();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Resolves with `probe()`'s first truthy value, re-checked on every message from the child; `stop` ends early. */
  private until<T>(probe: () => T | null | undefined | false, what: string, stop?: () => boolean): Promise<T | null> {
    return new Promise((resolve, reject) => {
      const check = () => {
        let value: T | null | undefined | false;
        try {
          value = probe();
        } catch (error) {
          return finish(() => reject(error as Error));
        }
        if (value) return finish(() => resolve(value));
        if (stop?.()) return finish(() => resolve(null));
        if (this.exited)
          return finish(() => reject(new Error(`the app exited while waiting for ${what}\n${this.logs}`)));
      };
      const timer = setTimeout(
        () =>
          finish(() =>
            reject(new Error(`timed out waiting for ${what}; state: ${JSON.stringify(this.state)}\n${this.logs}`)),
          ),
        STEP_MS,
      );
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Waits for the child's state to satisfy the predicate. */
  async waitForState<T>(probe: (state: EmulationState) => T | null | undefined | false, what: string): Promise<T> {
    const value = await this.until(() => (this.state ? probe(this.state) : null), what);
    return value as T;
  }

  control<T = unknown>(request: ControlRequest): Promise<T> {
    const id = ++this.nextControl;
    return new Promise<T>((resolve, reject) => {
      this.results.set(id, { resolve: resolve as (value: unknown) => void, reject });
      const message: ToChild = { type: 'control', id, request };
      this.child.send(message);
    });
  }

  private async targetOf(page: Page): Promise<string | null> {
    const known = this.targets.get(page);
    if (known) return known;
    try {
      const cdp = await page.context().newCDPSession(page);
      const { targetInfo } = (await cdp.send('Target.getTargetInfo')) as { targetInfo: { targetId: string } };
      await cdp.detach();
      this.targets.set(page, targetInfo.targetId);
      return targetInfo.targetId;
    } catch {
      return null;
    }
  }

  private async pageOf(targetId: string): Promise<Page | null> {
    for (const page of this.browser?.contexts()[0]?.pages() ?? []) {
      if ((await this.targetOf(page)) === targetId) return page;
    }
    return null;
  }

  async windows(): Promise<DesktopWindow[]> {
    const out: DesktopWindow[] = [];
    for (const record of this.state?.windows ?? []) {
      const page = record.targetId ? await this.pageOf(record.targetId) : null;
      if (page) out.push({ id: record.id, webContentsId: record.webContentsId, url: record.url, page });
    }
    return out;
  }

  firstWindow(): Promise<DesktopWindow> {
    return this.waitForWindow(() => true);
  }

  waitForWindow(predicate: (window: DesktopWindow) => boolean | Promise<boolean>): Promise<DesktopWindow> {
    return waitForMatchingWindow(
      {
        windows: () => this.windows(),
        exited: () => this.exited,
        logs: () => this.logs,
        // The next state message, or a new page over CDP, whichever comes first.
        changed: () =>
          new Promise<void>((resolve) => {
            const done = () => {
              this.waiters.delete(done);
              this.browser?.contexts()[0]?.off('page', done);
              clearTimeout(timer);
              resolve();
            };
            const timer = setTimeout(done, STEP_MS);
            this.waiters.add(done);
            this.browser?.contexts()[0]?.on('page', done);
          }),
        describe: () => `; state: ${JSON.stringify(this.state?.windows)}`,
      },
      predicate,
      STEP_MS,
    );
  }

  async waitForNoWindow(): Promise<void> {
    await this.waitForState((state) => state.windows.length === 0, 'every window to close');
  }

  async closeWindow(window: DesktopWindow): Promise<void> {
    await this.control({ op: 'close-window', windowId: window.id });
    await this.waitForState((state) => !state.windows.some((w) => w.id === window.id), `window ${window.id} to close`);
  }

  async tray() {
    return this.state?.trays.find((tray) => !tray.destroyed) ?? null;
  }

  waitForTray(predicate: (tray: NonNullable<EmulationState['trays'][number]>) => boolean) {
    return this.waitForState((state) => state.trays.find((tray) => !tray.destroyed && predicate(tray)), 'the tray');
  }

  async clickTray(): Promise<void> {
    await this.control({ op: 'tray-click' });
  }

  async clickTrayItem(item: string): Promise<void> {
    await this.control({ op: 'tray-click-item', item });
  }

  async notifications() {
    return this.state?.notifications ?? [];
  }

  waitForNotification(predicate: (notification: EmulationState['notifications'][number]) => boolean) {
    return this.waitForState((state) => state.notifications.find(predicate), 'a notification');
  }

  clickNotification(index: number): Promise<{ delivered: boolean }> {
    return this.control({ op: 'notification-click', index });
  }

  pressNotificationAction(index: number, actionIndex: number): Promise<{ delivered: boolean }> {
    return this.control({ op: 'notification-action', index, actionIndex });
  }

  replyToNotification(index: number, text: string): Promise<{ delivered: boolean }> {
    return this.control({ op: 'notification-reply', index, text });
  }

  async dialogs() {
    return this.state?.dialogs ?? [];
  }

  waitForDialog(predicate: (dialog: EmulationState['dialogs'][number]) => boolean) {
    return this.waitForState((state) => state.dialogs.find(predicate), 'a dialog');
  }

  async answerDialog(index: number, response: number): Promise<void> {
    await this.control({ op: 'dialog-answer', index, response });
  }

  async clipboardText(): Promise<string> {
    return this.state?.clipboard.text ?? '';
  }

  async menuClick(item: string, window?: DesktopWindow): Promise<void> {
    await this.control({ op: 'menu-click', item, ...(window ? { windowId: window.id } : {}) });
  }

  async waitInWindow(window: DesktopWindow, selector: string): Promise<void> {
    await this.control({ op: 'wait-for-selector', windowId: window.id, selector });
  }

  async crashRenderer(window: DesktopWindow): Promise<void> {
    await this.control({ op: 'crash', windowId: window.id });
  }

  /** The full state (records) of the emulated main process. */
  current(): EmulationState | null {
    return this.state;
  }

  running(): boolean {
    return !this.exited;
  }

  async quit(): Promise<{ ms: number; exited: boolean; leftover: number[] }> {
    const started = performance.now();
    await this.control({ op: 'quit' }).catch(() => {});
    const exited = await Promise.race([this.exit.then(() => true), delay(10_000).then(() => false)]);
    const ms = performance.now() - started;
    await this.browser?.close().catch(() => {});
    return { ms, exited, leftover: processesUsing(this.profile) };
  }

  /** Waits for the app to exit by itself (a second instance handing over). */
  async exitCode(): Promise<number | null> {
    return this.exit;
  }

  async kill(): Promise<void> {
    await this.browser?.close().catch(() => {});
    if (!this.exited) {
      this.child.kill('SIGKILL');
      await this.exit;
    }
    for (const pid of processesUsing(this.profile)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }

  output(): string {
    return this.logs;
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** Processes (Chromium's) whose command line names this profile directory. */
export function processesUsing(profile: string): number[] {
  if (!profile) return [];
  const listing = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return listing
    .split('\n')
    .filter((line) => line.includes(profile))
    .map((line) => Number(line.trim().split(/\s+/)[0]))
    .filter((pid) => Number.isInteger(pid) && pid !== process.pid);
}
