/**
 * `webContents` (https://www.electronjs.org/docs/latest/api/web-contents) as a
 * Chromium page: the preload runs in an isolated world at document start
 * (CDP Page.addScriptToEvaluateOnNewDocument with a worldName), the renderer
 * reaches main through a binding exposed to that world only
 * (Runtime.addBinding with executionContextName) and main answers with
 * Runtime.evaluate in that world's context.
 *
 * `loadFile` is a real file:// navigation, and headless Chromium grants
 * file:// no extra privileges: exactly Electron with the fuse
 * grantFileProtocolExtraPrivileges=false that we ship, so a renderer loaded
 * by `loadFile` stays blank here as it does in the installers.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CDPSession, Page } from 'playwright-core';
import { dispatchIpc } from './ipc-main';
import { fromStandIn, toStandIn } from './protocol';
import { browserContext, stateChanged } from './runtime';
import { applyPermissions } from './session';

const PAGE_DIR = join(import.meta.dirname, 'page');
const WORLD = 'falcon-preload';
const BINDING = '__falconEmulationIpc';
const bridgeSource = readFileSync(join(PAGE_DIR, 'world-bridge.js'), 'utf8').replace(/;\s*$/, '');

/** An Electron-style event: `preventDefault()` and `defaultPrevented`, plus fields. */
export function electronEvent<T extends object>(
  fields: T = {} as T,
): T & { preventDefault(): void; defaultPrevented: boolean } {
  const event = {
    ...fields,
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
  };
  return event;
}

let nextId = 0;
const all = new Map<number, WebContents>();

export class WebContents extends EventEmitter {
  readonly id = ++nextId;
  page: Page | null = null;
  cdp: CDPSession | null = null;
  targetId: string | null = null;
  crashed = false;
  /** Messages from the page's preload (a reloaded document's hello shows it came back). */
  ipcMessages = 0;
  private destroyed = false;
  private isolatedContext: number | null = null;
  private mainFrameId: string | null = null;
  private currentUrl = '';
  private programmatic = 0;
  private openHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | null = null;
  /** Everything the page does waits for the page to exist (BrowserWindow's constructor is synchronous). */
  readonly opened: Promise<void>;

  constructor(private readonly preloadPath: string | undefined) {
    super();
    all.set(this.id, this);
    this.opened = this.open();
    this.opened.catch((error: unknown) => console.error('[emulation] opening a page failed', error));
  }

  static fromId(id: number): WebContents | undefined {
    return all.get(id);
  }

  static getAllWebContents(): WebContents[] {
    return [...all.values()];
  }

  static ofPage(page: Page): WebContents | undefined {
    return [...all.values()].find((contents) => contents.page === page);
  }

  private async open(): Promise<void> {
    await this.attach(await browserContext().newPage());
  }

  /** The page's size (BrowserWindow's width and height). */
  viewport: { width: number; height: number } | null = null;

  /**
   * Drives a page: its CDP session, the preload world, the IPC binding, the events. A crashed
   * renderer is replaced by a new page on reload (Chromium gives the same tab a new renderer
   * process; its old page object and CDP session stay unusable), so the window keeps its ids.
   */
  private async attach(page: Page): Promise<void> {
    page.setDefaultTimeout(60_000);
    this.page = page;
    if (this.viewport) await page.setViewportSize(this.viewport);
    const session = await browserContext().newCDPSession(page);
    this.cdp = session;
    const cdp = {
      on: (event: string, listener: (params: never) => void) =>
        session.on(event as never, (params: never) => {
          if (this.cdp === session) listener(params);
        }),
    };
    this.targetId = (
      (await session.send('Target.getTargetInfo')) as { targetInfo: { targetId: string } }
    ).targetInfo.targetId;
    page.on('close', () => {
      if (this.page === page && !this.destroyed) this.emit('page-closed');
    });
    cdp.on(
      'Runtime.executionContextCreated',
      ({ context }: { context: { id: number; name: string; auxData?: unknown } }) => {
        const aux = context.auxData as { frameId?: string; isDefault?: boolean } | undefined;
        if (context.name === WORLD && aux?.frameId === this.mainFrameId) this.isolatedContext = context.id;
      },
    );
    cdp.on('Runtime.executionContextsCleared', () => (this.isolatedContext = null));
    cdp.on(
      'Runtime.bindingCalled',
      ({ name, payload, executionContextId }: { name: string; payload: string; executionContextId: number }) => {
        if (name !== BINDING) return;
        this.ipcMessages++;
        stateChanged();
        this.isolatedContext = executionContextId;
        dispatchIpc(this, payload, (json) => this.evaluateInPreload(json, executionContextId));
      },
    );
    cdp.on(
      'Page.frameStartedNavigating',
      ({ frameId, url, navigationType }: { frameId: string; url: string; navigationType: string }) => {
        if (frameId !== this.mainFrameId) return;
        const isSameDocument = navigationType === 'sameDocument' || navigationType === 'historySameDocument';
        const appUrl = fromStandIn(url);
        // Electron 45: (details: Event<{url, isSameDocument, isMainFrame, frame}>, url, isInPlace, isMainFrame, …)
        const details = electronEvent({ url: appUrl, isSameDocument, isMainFrame: true, frame: this.frameRecord() });
        this.emit('did-start-navigation', details, appUrl, isSameDocument, true, 1, 1);
      },
    );
    cdp.on('Page.frameNavigated', ({ frame }: { frame: { parentId?: string; url: string } }) => {
      if (frame.parentId) return;
      this.currentUrl = fromStandIn(frame.url);
      this.emit('did-navigate', electronEvent(), this.currentUrl, 200, 'OK');
      stateChanged();
    });
    cdp.on('Page.navigatedWithinDocument', ({ frameId, url }: { frameId: string; url: string }) => {
      if (frameId !== this.mainFrameId) return;
      this.currentUrl = fromStandIn(url);
      this.emit('did-navigate-in-page', electronEvent(), this.currentUrl, true, 1, 1);
    });
    cdp.on('Page.domContentEventFired', () => this.emit('dom-ready', electronEvent()));
    cdp.on('Page.loadEventFired', () => this.emit('did-finish-load', electronEvent()));
    page.on('crash', () => {
      if (this.page !== page) return;
      this.crashed = true;
      this.isolatedContext = null;
      // https://www.electronjs.org/docs/latest/api/web-contents#event-render-process-gone
      this.emit('render-process-gone', electronEvent(), { reason: 'crashed', exitCode: 139 });
      stateChanged();
    });
    page.on('popup', (popup) => void this.onPopup(popup));
    const frameTree = (await session.send('Page.getFrameTree')) as { frameTree: { frame: { id: string } } };
    this.mainFrameId = frameTree.frameTree.frame.id;
    await session.send('Page.enable');
    await session.send('Runtime.enable');
    await session.send('Runtime.addBinding', { name: BINDING, executionContextName: WORLD });
    await session.send('Page.addScriptToEvaluateOnNewDocument', {
      source: `const createWorldBridge = ${bridgeSource};\n${readFileSync(join(PAGE_DIR, 'main-world.js'), 'utf8')}`,
    });
    if (this.preloadPath) {
      const preload = readFileSync(this.preloadPath, 'utf8');
      await session.send('Page.addScriptToEvaluateOnNewDocument', {
        worldName: WORLD,
        source:
          `const createWorldBridge = ${bridgeSource};\nconst BINDING = ${JSON.stringify(BINDING)};\n` +
          `const PRELOAD = function (require, module, exports, process) {\n${preload}\n};\n` +
          readFileSync(join(PAGE_DIR, 'preload-world.js'), 'utf8'),
      });
    }
    stateChanged();
  }

  private async onPopup(popup: Page): Promise<void> {
    // https://www.electronjs.org/docs/latest/api/web-contents#contentssetwindowopenhandlerhandler
    const url = fromStandIn(popup.url());
    const decision = this.openHandler?.({ url }) ?? { action: 'allow' };
    if (decision.action === 'deny') await popup.close().catch(() => {});
  }

  /** https://www.electronjs.org/docs/latest/api/web-contents#contentsmainframe-readonly */
  get mainFrame(): { url: string; origin: string; name: string; routingId: number; processId: number } {
    return this.frameRecord();
  }

  private frameRecord(): { url: string; origin: string; name: string; routingId: number; processId: number } {
    const url = this.currentUrl;
    return { url, origin: safeOrigin(url), name: '', routingId: 1, processId: 1 };
  }

  private evaluateInPreload(json: string, contextId: number | null): void {
    if (contextId === null || !this.cdp || this.destroyed) return;
    const expression = `globalThis.__falconEmulation && globalThis.__falconEmulation.fromMain(${JSON.stringify(json)})`;
    // A message to a page that navigated away is lost, as in Electron.
    this.cdp.send('Runtime.evaluate', { expression, contextId }).catch(() => {});
  }

  /** Main → renderer (`webContents.send`): lost when the page has no preload context yet. */
  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    const cloned = structuredClone(args);
    void this.opened.then(() =>
      this.evaluateInPreload(
        JSON.stringify({ type: 'message', channel, args: cloned }, carryBytes),
        this.isolatedContext,
      ),
    );
  }

  /** Called by the route for each main-frame navigation request. */
  onNavigationRequest(url: string): boolean {
    if (this.programmatic > 0) {
      this.programmatic--;
      return true;
    }
    // https://www.electronjs.org/docs/latest/api/web-contents#event-will-navigate: renderer-initiated only.
    const event = electronEvent({ url, isSameDocument: false, isMainFrame: true, frame: this.frameRecord() });
    this.emit('will-navigate', event, url);
    return !event.defaultPrevented;
  }

  async loadURL(url: string): Promise<void> {
    await this.opened;
    const target = toStandIn(url);
    if (/^https?:/.test(target)) this.programmatic++;
    await applyPermissions(this, target, url);
    this.crashed = false;
    try {
      await this.page!.goto(target, { waitUntil: 'load', timeout: 60_000 });
    } catch (error) {
      this.emit('did-fail-load', electronEvent(), -2, String(error), url, true, 1, 1);
      throw error;
    }
  }

  loadFile(path: string): Promise<void> {
    return this.loadURL(pathToFileURL(path).href);
  }

  /** A new document: the preload runs again, listeners registered by the old one are gone. */
  reload(): void {
    void this.opened.then(async () => {
      if (this.destroyed) return;
      if (this.crashed) return this.replaceCrashedPage();
      if (/^https?:/.test(toStandIn(this.currentUrl))) this.programmatic++;
      this.crashed = false;
      await this.cdp!.send('Page.reload', {}).catch((error: unknown) => console.error('[emulation] reload', error));
    });
  }

  private async replaceCrashedPage(): Promise<void> {
    const crashed = this.page;
    this.crashed = false;
    this.isolatedContext = null;
    await this.attach(await browserContext().newPage());
    await crashed?.close().catch(() => {});
    stateChanged();
    const target = toStandIn(this.currentUrl);
    if (/^https?:/.test(target)) this.programmatic++;
    await this.page!.goto(target, { waitUntil: 'load', timeout: 60_000 }).catch((error: unknown) =>
      console.error('[emulation] reloading a crashed page', error),
    );
  }

  reloadIgnoringCache(): void {
    this.reload();
  }

  getURL(): string {
    return this.currentUrl;
  }

  getTitle(): string {
    return '';
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  isCrashed(): boolean {
    return this.crashed;
  }

  isLoading(): boolean {
    return false;
  }

  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }): void {
    this.openHandler = handler;
  }

  /** https://www.electronjs.org/docs/latest/api/web-contents#contentsforcefullycrashrenderer */
  forcefullyCrashRenderer(): void {
    void this.opened.then(() => this.cdp?.send('Page.crash').catch(() => {}));
  }

  /** For the test: waits for a selector in the current document (retried across a reload), up to a minute. */
  async waitForSelector(selector: string): Promise<void> {
    await this.opened;
    const deadline = Date.now() + 60_000;
    const expression = `new Promise((resolve) => {
      const found = () => document.querySelector(${JSON.stringify(selector)}) !== null;
      if (found()) return resolve(true);
      const observer = new MutationObserver(() => { if (found()) { observer.disconnect(); resolve(true); } });
      observer.observe(document, { subtree: true, childList: true });
      setTimeout(() => { observer.disconnect(); resolve(false); }, 5000);
    })`;
    while (Date.now() < deadline) {
      const answer = (await Promise.race([
        this.cdp!.send('Runtime.evaluate', { expression, awaitPromise: true, returnByValue: true }).catch(() => null),
        new Promise((resolve) => setTimeout(() => resolve(null), 10_000)),
      ])) as { result?: { value?: unknown } } | null;
      if (answer?.result?.value === true) return;
      // A document being replaced (or still crashed): ask the next one.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1000);
        this.once('dom-ready', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    throw new Error(`no ${selector} in window ${this.id} within a minute`);
  }

  async executeJavaScript(code: string): Promise<unknown> {
    await this.opened;
    return this.page!.evaluate(code);
  }

  focus(): void {
    void this.opened.then(() => this.page?.bringToFront().catch(() => {}));
  }

  openDevTools(): void {}
  closeDevTools(): void {}
  setAudioMuted(): void {}

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    all.delete(this.id);
    await this.opened.catch(() => {});
    await this.page?.close().catch(() => {});
    this.emit('destroyed');
  }
}

function safeOrigin(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)/i.exec(url);
  return match ? match[1]! : 'null';
}

/**
 * Electron's IPC copies typed arrays as typed arrays (structured clone); JSON
 * would turn one into `{"0":…}`. The emulation carries a Uint8Array as base64
 * under `__falconBytes`, and the preload world revives it (page/preload-world.js).
 */
function carryBytes(_key: string, value: unknown): unknown {
  if (!(value instanceof Uint8Array)) return value;
  return { __falconBytes: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
}
