/**
 * The Electron glue, with a fake `electron` module (the one fake this project
 * allows: Electron's binary cannot run here). Everything it calls into is real.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { expectRendererPolicy } from '../helpers/csp';

const electron = vi.hoisted(() => {
  type Handler = (...args: unknown[]) => unknown;
  const created: Array<{
    options: Record<string, unknown>;
    handlers: Map<string, Handler>;
    openHandler: Handler | null;
  }> = [];
  class BrowserWindow {
    static instances = created;
    readonly webContents: {
      id: number;
      handlers: Map<string, Handler>;
      on: (event: string, handler: Handler) => void;
      setWindowOpenHandler: (handler: Handler) => void;
    };
    constructor(options: Record<string, unknown>) {
      const record = { options, handlers: new Map<string, Handler>(), openHandler: null as Handler | null };
      created.push(record);
      this.webContents = {
        id: created.length,
        handlers: record.handlers,
        on: (event, handler) => void record.handlers.set(event, handler),
        setWindowOpenHandler: (handler) => {
          record.openHandler = handler;
        },
      };
    }
    once() {}
    on() {}
    maximize() {}
    loadURL() {
      return Promise.resolve();
    }
    loadFile() {
      return Promise.resolve();
    }
  }
  const ipcHandlers = new Map<string, Handler>();
  const ipcListeners = new Map<string, Handler>();
  const notifications: Array<{ options: Record<string, unknown>; handlers: Map<string, Handler>; shown: boolean }> = [];
  class Notification {
    static isSupported = () => true;
    record: (typeof notifications)[number];
    constructor(options: Record<string, unknown>) {
      this.record = { options, handlers: new Map(), shown: false };
      notifications.push(this.record);
    }
    on(event: string, handler: Handler) {
      this.record.handlers.set(event, handler);
    }
    show() {
      this.record.shown = true;
    }
  }
  const menus: unknown[][] = [];
  const trays: Array<{ image: unknown; tooltip: string; menu: unknown }> = [];
  class Tray {
    record = { image: null as unknown, tooltip: '', menu: null as unknown };
    constructor(image: unknown) {
      this.record.image = image;
      trays.push(this.record);
    }
    setImage(image: unknown) {
      this.record.image = image;
    }
    setToolTip(text: string) {
      this.record.tooltip = text;
    }
    setTitle() {}
    setContextMenu(menu: unknown) {
      this.record.menu = menu;
    }
    on() {}
    destroy() {}
  }
  const appHandlers = new Map<string, Handler>();
  return {
    created,
    ipcHandlers,
    ipcListeners,
    notifications,
    menus,
    trays,
    appHandlers,
    openExternal: vi.fn(() => Promise.resolve()),
    quit: vi.fn(),
    lock: { value: true },
    module: {
      BrowserWindow,
      Notification,
      Tray,
      Menu: {
        buildFromTemplate: (template: unknown[]) => (menus.push(template), { template }),
        setApplicationMenu: vi.fn(),
      },
      nativeImage: {
        createFromPath: (path: string) => ({ path, setTemplateImage: vi.fn() }),
      },
      shell: { openExternal: (url: string) => electronOpenExternal(url) },
      ipcMain: {
        handle: (channel: string, handler: Handler) => void ipcHandlers.set(channel, handler),
        removeHandler: (channel: string) => void ipcHandlers.delete(channel),
        on: (channel: string, handler: Handler) => void ipcListeners.set(channel, handler),
        removeListener: (channel: string) => void ipcListeners.delete(channel),
      },
      app: {
        getAppPath: () => '/app',
        getPath: () => '/tmp/falcon-test-user-data',
        setPath: vi.fn(),
        isPackaged: false,
        getVersion: () => '0.1.0',
        requestSingleInstanceLock: () => electronLock(),
        quit: () => electronQuit(),
        on: (event: string, handler: Handler) => void appHandlers.set(event, handler),
        whenReady: () => new Promise(() => {}),
        exit: vi.fn(),
      },
      session: { defaultSession: {} },
      screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
      protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
      clipboard: { writeText: vi.fn() },
      safeStorage: {},
      powerMonitor: { on: vi.fn() },
      net: {
        isOnline: () => true,
        // What serveRenderer reads through: the file: URL of a file on disk.
        fetch: async (url: string) => {
          const [{ readFile }, { fileURLToPath }] = await Promise.all([import('node:fs/promises'), import('node:url')]);
          return new Response(await readFile(fileURLToPath(url)));
        },
      },
      dialog: { showMessageBox: vi.fn() },
    },
  };
  // Late-bound so the hoisted factory can reach the spies defined above.
  function electronOpenExternal(url: string) {
    return electronState().openExternal(url);
  }
  function electronLock() {
    return electronState().lock.value;
  }
  function electronQuit() {
    return electronState().quit();
  }
  function electronState() {
    return (
      globalThis as unknown as {
        __electronFake: { openExternal: (url: string) => Promise<void>; lock: { value: boolean }; quit: () => void };
      }
    ).__electronFake;
  }
});
(globalThis as unknown as { __electronFake: unknown }).__electronFake = electron;

vi.mock('electron', () => ({ default: electron.module, ...electron.module }));

const { createAppWindow, lockDownSession } = await import('../../src/main/electron/windows');
const { rendererSource } = await import('../../src/main/renderer-source');
const { serveRenderer } = await import('../../src/main/electron/app-protocol');
const built = rendererSource({ isPackaged: true, devUrl: 'http://localhost:5173' });
const devServer = rendererSource({ isPackaged: false, devUrl: 'http://localhost:5173' });
const { registerIpc } = await import('../../src/main/electron/ipc');
const { AppTray } = await import('../../src/main/electron/tray');
const { liveNotifications, showNotification } = await import('../../src/main/electron/notifier');

beforeEach(() => {
  electron.created.length = 0;
  electron.openExternal.mockClear();
  electron.quit.mockClear();
});

describe('windows', () => {
  it('turns on context isolation and the sandbox, and Node off', () => {
    createAppWindow({ source: built, target: null, devTools: false });
    const prefs = electron.created[0].options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
    });
    expect(String(prefs.preload)).toMatch(/preload[/\\]index\.cjs$/);
  });

  it('blocks navigation away from the app, with a real URL parse', () => {
    createAppWindow({ source: built, target: null, devTools: false });
    const navigate = electron.created[0].handlers.get('will-navigate');
    for (const url of [
      'https://app.example.com.attacker.com/',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'smb://host/share',
    ]) {
      const event = { preventDefault: vi.fn() };
      navigate?.(event, url);
      expect(event.preventDefault, url).toHaveBeenCalled();
    }
  });

  it('denies every new window, opening only http(s) links in the system browser', () => {
    createAppWindow({ source: built, target: null, devTools: false });
    const open = electron.created[0].openHandler;
    expect(open?.({ url: 'https://example.com/docs' })).toEqual({ action: 'deny' });
    expect(open?.({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(open?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(electron.openExternal.mock.calls).toEqual([['https://example.com/docs']]);
  });

  it('loads the renderer from app://falcon, never file:// (the packaged fuse takes file:// privileges away)', () => {
    const loads: string[] = [];
    const prototype = electron.module.BrowserWindow.prototype as unknown as Record<string, (url: string) => unknown>;
    prototype.loadURL = (url) => {
      loads.push(url);
      return Promise.resolve();
    };
    prototype.loadFile = () => {
      throw new Error('loadFile must not be used');
    };
    createAppWindow({ source: built, target: null, devTools: false });
    expect(loads).toEqual(['app://falcon/index.html']);
  });

  it('denies permission requests and sets a strict CSP', () => {
    type HeadersHandler = (
      details: unknown,
      callback: (response: { responseHeaders: Record<string, string[]> }) => void,
    ) => void;
    const permission = vi.fn();
    const handlers: { headers: HeadersHandler | null } = { headers: null };
    lockDownSession(
      {
        setPermissionRequestHandler: (handler: (w: unknown, p: string, cb: (ok: boolean) => void) => void) =>
          handler(null, 'media', permission),
        setPermissionCheckHandler: vi.fn(),
        webRequest: {
          onHeadersReceived: (handler: HeadersHandler) => {
            handlers.headers = handler;
          },
        },
      } as never,
      devServer,
    );
    expect(permission).toHaveBeenCalledWith(false);
    const responses: Array<{ responseHeaders: Record<string, string[]> }> = [];
    handlers.headers?.({ responseHeaders: {} }, (response) => responses.push(response));
    // The dev server's responses get the dev policy (inline scripts for React refresh), read for what it allows.
    const policies = responses[0]?.responseHeaders['Content-Security-Policy'] ?? [];
    expect(policies).toHaveLength(1);
    expectRendererPolicy(policies[0], { dev: true, header: true });
  });

  it("serves app:// pages with the built policy: the app's own scripts only, never inline or eval", async () => {
    const root = mkdtempSync(join(tmpdir(), 'falcon-app-'));
    try {
      writeFileSync(join(root, 'index.html'), '<!doctype html><title>Falcon</title>');
      serveRenderer(root);
      const [scheme, handle] = electron.module.protocol.handle.mock.calls.at(-1) as unknown as [
        string,
        (request: Request) => Promise<Response>,
      ];
      expect(scheme).toBe('app');
      const response = await handle(new Request('app://falcon/index.html'));
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('<title>Falcon</title>');
      expectRendererPolicy(response.headers.get('Content-Security-Policy') ?? '', { dev: false, header: true });
      expect((await handle(new Request('app://falcon/missing.js'))).headers.get('Content-Security-Policy')).toBeNull();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('IPC', () => {
  function setup() {
    const calls: unknown[][] = [];
    const core = {
      relay: {
        subscribe: (...args: unknown[]) => calls.push(['subscribe', ...args]),
        unsubscribe: vi.fn(),
        setUrgent: vi.fn(),
      },
      wake: vi.fn(),
      hello: () => ({ hello: true }),
      setViewing: vi.fn(),
      getServer: () => ({ url: '', hasToken: false }),
    };
    const undo = registerIpc(
      () => core as never,
      {
        windowIdOf: (contents) => ((contents as { id: number }).id === 7 ? 7 : null),
        targetOf: () => null,
        openWindow: vi.fn(),
        helloFrom: vi.fn(() => null),
        writeClipboard: vi.fn(),
      },
      ['http://localhost:5173'],
    );
    return { calls, core, undo };
  }
  const fromApp = { senderFrame: { url: 'http://localhost:5173/' }, sender: { id: 7 } };

  it('accepts a valid message from one of our windows', () => {
    const { calls, undo } = setup();
    electron.ipcListeners.get('falcon:subscribe')?.(fromApp, 's1', 'agent:opus-1', { tail: 100 });
    expect(calls).toEqual([['subscribe', 7, 's1', 'agent:opus-1', { tail: 100 }]]);
    undo();
  });

  it('rejects messages from an unexpected sender or frame', async () => {
    const { calls, undo } = setup();
    electron.ipcListeners.get('falcon:subscribe')?.(
      { senderFrame: { url: 'https://evil.example/' }, sender: { id: 7 } },
      's',
      'agent:x',
      {},
    );
    electron.ipcListeners.get('falcon:subscribe')?.(
      { senderFrame: { url: 'http://localhost:5173/' }, sender: { id: 99 } },
      's',
      'agent:x',
      {},
    );
    electron.ipcListeners.get('falcon:subscribe')?.({ senderFrame: null, sender: { id: 7 } }, 's', 'agent:x', {});
    expect(calls).toEqual([]);
    await expect(
      Promise.resolve().then(() =>
        electron.ipcHandlers.get('falcon:hello')?.({
          senderFrame: { url: 'https://evil.example/' },
          sender: { id: 7 },
        }),
      ),
    ).rejects.toThrow(/unexpected sender/);
    undo();
  });

  it('drops messages with invalid arguments', async () => {
    const { calls, undo } = setup();
    electron.ipcListeners.get('falcon:subscribe')?.(fromApp, 's1', 'issue:../x', {});
    electron.ipcListeners.get('falcon:subscribe')?.(fromApp, 's1', 'agent:x', { tail: 'all' });
    expect(calls).toEqual([]);
    await expect(
      Promise.resolve().then(() => electron.ipcHandlers.get('falcon:set-server')?.(fromApp, { url: 42 })),
    ).rejects.toThrow(/invalid arguments/);
    undo();
  });

  it('opens only http(s) links externally', () => {
    const { undo } = setup();
    electron.ipcListeners.get('falcon:open-external')?.(fromApp, 'javascript:alert(1)');
    electron.ipcListeners.get('falcon:open-external')?.(fromApp, 'https://ci.example/runs/1');
    expect(electron.openExternal.mock.calls).toEqual([['https://ci.example/runs/1']]);
    undo();
  });
});

describe('tray', () => {
  it('shows the state, and menu clicks dispatch their actions', () => {
    const actions: unknown[] = [];
    const tray = new AppTray((action) => actions.push(action));
    tray.update(
      { icon: 'reconnecting', attention: 2, tooltip: 'Falcon Monitor — reconnecting' },
      [
        { id: 'show', label: 'Show Falcon Monitor', action: { type: 'show' } },
        { id: 'sep', label: '', type: 'separator' },
        { id: 'quit', label: 'Quit', action: { type: 'quit' } },
      ],
      true,
    );
    const record = electron.trays.at(-1);
    expect(record?.tooltip).toBe('Falcon Monitor — reconnecting');
    expect(String((record?.image as { path: string }).path)).toMatch(/tray[/\\](reconnecting|trayTemplate)\.png$/);
    const template = electron.menus.at(-1) as Array<{ label?: string; click?: () => void; type?: string }>;
    expect(template.map((item) => item.label ?? item.type)).toEqual(['Show Falcon Monitor', 'separator', 'Quit']);
    template[2].click?.();
    expect(actions).toEqual([{ type: 'quit' }]);
  });
});

describe('notifications', () => {
  it('shows one and focuses its target when clicked', () => {
    const clicked: unknown[] = [];
    showNotification(
      {
        title: 'opus-1 needs your input',
        body: 'Proceed?',
        urgency: 'critical',
        kind: 'waiting_for_input',
        target: { kind: 'agent', id: 'opus-1' },
        silent: false,
      },
      { answer: null, click: { kind: 'agent', id: 'opus-1', reply: true } },
      { click: (target) => clicked.push(target), answer: () => expect.unreachable('no answer offered') },
    );
    const record = electron.notifications.at(-1);
    expect(record?.shown).toBe(true);
    expect(record?.options).toMatchObject({ title: 'opus-1 needs your input', urgency: 'critical' });
    expect(record?.options.actions).toBeUndefined();
    expect(record?.options.hasReply).toBeUndefined();
    // Referenced until clicked: an unreferenced Notification is garbage-collected with its click handler.
    expect(liveNotifications()).toBe(1);
    record?.handlers.get('click')?.();
    expect(clicked).toEqual([{ kind: 'agent', id: 'opus-1', reply: true }]);
    expect(liveNotifications()).toBe(0);
  });

  it('offers buttons and an inline reply, and reports which was used (details or the deprecated argument)', () => {
    const answer = {
      agentId: 'opus-1',
      requestId: 'r-1',
      buttons: [
        { text: 'Yes', input: { action: 'approve' as const, choice: 'approve', requestId: 'r-1' } },
        { text: 'No', input: { action: 'deny' as const, choice: 'deny', requestId: 'r-1' } },
      ],
      reply: { placeholder: 'Proceed?' },
    };
    const answered: unknown[] = [];
    const show = () =>
      showNotification(
        {
          title: 'opus-1 needs your input',
          body: 'Proceed?',
          urgency: 'critical',
          kind: 'waiting_for_input',
          target: { kind: 'agent', id: 'opus-1' },
          silent: false,
        },
        { answer, click: { kind: 'agent', id: 'opus-1', reply: true } },
        { click: () => expect.unreachable('not clicked'), answer: (a, response) => answered.push([a, response]) },
      );
    show();
    const record = electron.notifications.at(-1);
    expect(record?.options).toMatchObject({
      actions: [
        { type: 'button', text: 'Yes' },
        { type: 'button', text: 'No' },
      ],
      hasReply: true,
      replyPlaceholder: 'Proceed?',
    });
    record?.handlers.get('action')?.({ actionIndex: 1, selectionIndex: -1 }, 1, -1);
    expect(answered).toEqual([[answer, { kind: 'action', index: 1 }]]);
    expect(liveNotifications()).toBe(0);
    show();
    electron.notifications.at(-1)?.handlers.get('reply')?.({}, 'use postgres');
    expect(answered.at(-1)).toEqual([answer, { kind: 'reply', text: 'use postgres' }]);
    expect(liveNotifications()).toBe(0);
  });
});

describe('Windows identity', () => {
  it('names the toast activator before the app user model id, on Windows only', async () => {
    const calls: string[] = [];
    const app = electron.module.app as Record<string, unknown>;
    app.setToastActivatorCLSID = (id: string) => void calls.push(`clsid ${id}`);
    app.setAppUserModelId = (id: string) => void calls.push(`aumid ${id}`);
    const { APP_ID, TOAST_ACTIVATOR_CLSID } = await import('../../src/main/app-identity');
    const platform = Object.getOwnPropertyDescriptor(process, 'platform');
    try {
      Object.defineProperty(process, 'platform', { value: 'win32', configurable: true });
      vi.resetModules();
      await import('../../src/main/index');
      expect(calls).toEqual([`clsid ${TOAST_ACTIVATOR_CLSID}`, `aumid ${APP_ID}`]);
      expect(TOAST_ACTIVATOR_CLSID).toMatch(/^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$/);
      calls.length = 0;
      Object.defineProperty(process, 'platform', { value: 'linux', configurable: true });
      vi.resetModules();
      await import('../../src/main/index');
      expect(calls).toEqual([]);
    } finally {
      if (platform) Object.defineProperty(process, 'platform', platform);
      electron.appHandlers.clear();
    }
  });
});

describe('single instance', () => {
  it('quits a second launch, and lets the first focus itself', async () => {
    electron.lock.value = false;
    vi.resetModules();
    await import('../../src/main/index');
    expect(electron.quit).toHaveBeenCalled();
    electron.lock.value = true;
    electron.quit.mockClear();
    electron.appHandlers.clear();
    vi.resetModules();
    await import('../../src/main/index');
    expect(electron.quit).not.toHaveBeenCalled();
    expect(electron.appHandlers.has('second-instance')).toBe(true);
  });
});
