// @vitest-environment happy-dom
/**
 * Desktop security: crafted URLs never navigate a window or reach the OS
 * (unless plain http(s)), every new window is denied, links in agent output
 * (OSC 8 and plain text) go through the renderer's gate and main's allow-list,
 * IPC from anything but our own frames is rejected, and the token is never
 * written in clear. The real modules run; only `electron` is faked (the one
 * fake this project allows: its binary cannot run here), as in
 * test/main/electron-glue.test.ts. happy-dom is for TerminalView (xterm); its
 * global URL extends Node's, so main's link policy parses as it does in Electron.
 */
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Terminal } from '@xterm/xterm';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type IpcChannel, ipcArgSchemas } from '../../src/main/ipc-schemas';
import { isSafeExternalUrl } from '../../src/main/link-policy';
import { SettingsStore } from '../../src/main/settings-store';
import { TerminalView } from '../../src/renderer/src/terminal/terminal-view';
import { AesCodec } from '../helpers/aes-codec';
import { recordFigure } from './record';

type Handler = (...args: unknown[]) => unknown;

const electron = vi.hoisted(() => {
  type Listener = (...args: unknown[]) => unknown;
  const windows: Array<{ handlers: Map<string, Listener>; openHandler: Listener | null }> = [];
  const listeners = new Map<string, Listener>();
  const handlers = new Map<string, Listener>();
  const opened: string[] = [];
  class BrowserWindow {
    readonly webContents: object;
    constructor() {
      const record = { handlers: new Map<string, Listener>(), openHandler: null as Listener | null };
      windows.push(record);
      this.webContents = {
        id: windows.length,
        on: (event: string, handler: Listener) => void record.handlers.set(event, handler),
        setWindowOpenHandler: (handler: Listener) => void (record.openHandler = handler),
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
  return {
    windows,
    listeners,
    handlers,
    opened,
    module: {
      BrowserWindow,
      screen: { getAllDisplays: () => [] },
      shell: { openExternal: (url: string) => (opened.push(url), Promise.resolve()) },
      ipcMain: {
        on: (channel: string, listener: Listener) => void listeners.set(channel, listener),
        removeListener: (channel: string) => void listeners.delete(channel),
        handle: (channel: string, handler: Listener) => void handlers.set(channel, handler),
        removeHandler: (channel: string) => void handlers.delete(channel),
      },
    },
  };
});
vi.mock('electron', () => ({ default: electron.module, ...electron.module }));

const { createAppWindow } = await import('../../src/main/electron/windows');
const { rendererFileFor, rendererSource } = await import('../../src/main/renderer-source');
const { registerIpc } = await import('../../src/main/electron/ipc');

const SCENARIO = 'desktop';
const APP = 'https://app.example.com';
const OUR_WINDOW = { id: 7 };
const fromApp = { senderFrame: { url: `${APP}/index.html` }, sender: OUR_WINDOW };

/** URLs an attacker would put in front of the app: look-alike hosts, script and file schemes, smuggled credentials. */
const CRAFTED = [
  'https://app.example.com.attacker.com',
  'https://app.example.com.attacker.com/login',
  'https://app.example.com@attacker.com/',
  'https://user:pass@app.example.com/',
  'http://app.example.com/',
  'https://app.example.com:8443/',
  'javascript:alert(document.cookie)',
  'JaVaScRiPt:alert(1)',
  'java\tscript:alert(1)',
  '\u0000javascript:alert(1)',
  ' javascript:alert(1)',
  'file:///etc/passwd',
  'file://server/share/payload.html',
  'smb://attacker.example/share',
  'data:text/html,<script>alert(1)</script>',
  'blob:https://app.example.com/0b7e3f7c-1f1e-4e0a-9a1b-2f1c3d4e5f6a',
  'vbscript:msgbox(1)',
  'about:blank',
  'chrome://settings',
  'devtools://devtools/bundled/inspector.html',
  'ms-settings:privacy',
  'vscode://file/etc/passwd',
  'ftp://attacker.example/x',
  `https://attacker.example/${'a'.repeat(5000)}`,
];
/** What may reach `shell.openExternal`: http(s), a host, no credentials, not absurdly long. */
const mayOpenExternally = (url: string) => isSafeExternalUrl(url) !== null;

const savedRendererUrl = process.env.ELECTRON_RENDERER_URL;

beforeEach(() => {
  electron.windows.length = 0;
  electron.opened.length = 0;
});

afterAll(() => {
  if (savedRendererUrl === undefined) delete process.env.ELECTRON_RENDERER_URL;
  else process.env.ELECTRON_RENDERER_URL = savedRendererUrl;
});

describe('Desktop security', () => {
  it('never navigates a window to a crafted URL, served from a URL or from files', () => {
    const navigated: string[] = [];
    let checks = 0;
    // The dev/served origin (https://app.example.com), then the built renderer's app://falcon.
    for (const rendererUrl of [APP, undefined]) {
      const source = rendererSource({ isPackaged: false, devUrl: rendererUrl });
      createAppWindow({ source, target: null, devTools: false });
      const { handlers } = electron.windows.at(-1) as (typeof electron.windows)[number];
      const own = `${source.origins[0]}/`;
      // Paths on our own origin stay on it (app://falcon serves only files of the renderer folder: below).
      const targets = [...CRAFTED, pathToFileURL('/etc/passwd').href];
      for (const event of ['will-navigate', 'will-redirect']) {
        for (const url of targets) {
          const navigation = { preventDefault: vi.fn() };
          (handlers.get(event) as Handler)(navigation, url);
          checks++;
          if (navigation.preventDefault.mock.calls.length === 0) navigated.push(`${event} ${url}`);
        }
        // Control: the app's own pages are allowed, so the handler is not simply blocking everything.
        const ownPage = { preventDefault: vi.fn() };
        (handlers.get(event) as Handler)(
          ownPage,
          new URL('index.html?window=agent', own.endsWith('/') ? own : `${own}/`).href,
        );
        expect(ownPage.preventDefault, `${event} of the app's own page`).not.toHaveBeenCalled();
      }
    }

    recordFigure({
      scenario: SCENARIO,
      figure: 'crafted URLs navigated to (will-navigate, will-redirect; served and packaged)',
      value: `${navigated.length} of ${checks}`,
      goal: `0 of ${checks}`,
      met: navigated.length === 0,
    });
    expect(navigated).toEqual([]);
  });

  it('serves nothing outside the renderer folder on app://falcon, whatever the path', () => {
    const root = join(tmpdir(), 'falcon-renderer-root');
    const escapes = [
      'app://falcon/../../../etc/passwd',
      'app://falcon/%2e%2e/%2e%2e/secret',
      'app://falcon/..%2f..%2fsecret',
      'app://falcon/..%5c..%5csecret',
      'app://falcon/assets/%252e%252e/x',
      'app://falcon/%00',
      'app://falcon/%ff',
      ...CRAFTED,
    ];
    const outside = escapes.filter((url) => {
      const file = rendererFileFor(url, root);
      return file !== null && !file.startsWith(`${root}${sep}`);
    });
    recordFigure({
      scenario: SCENARIO,
      figure: 'app:// requests mapped outside the renderer folder',
      value: `${outside.length} of ${escapes.length}`,
      goal: `0 of ${escapes.length}`,
      met: outside.length === 0,
    });
    expect(outside).toEqual([]);
    // Control: the app's own files are served.
    expect(rendererFileFor('app://falcon/assets/index.js', root)).toBe(join(root, 'assets', 'index.js'));
  });

  it('denies every window.open, and hands only http(s) links to the system browser', () => {
    createAppWindow({ source: rendererSource({ isPackaged: false, devUrl: APP }), target: null, devTools: false });
    const open = electron.windows[0].openHandler as Handler;
    const targets = [...CRAFTED, 'https://example.com/docs', 'http://localhost:3002/metrics'];
    const windowsCreated = targets.filter((url) => (open({ url }) as { action: string }).action !== 'deny');
    const unsafeOpened = electron.opened.filter((url) => !mayOpenExternally(url));

    recordFigure({
      scenario: SCENARIO,
      figure: 'window.open: windows created',
      value: `${windowsCreated.length} of ${targets.length}`,
      goal: `0 of ${targets.length} (every one denied)`,
      met: windowsCreated.length === 0,
    });
    recordFigure({
      scenario: SCENARIO,
      figure: 'window.open: non-http(s) or credentialed URLs handed to the OS',
      value: `${unsafeOpened.length} of ${targets.filter((url) => !mayOpenExternally(url)).length}`,
      goal: '0',
      met: unsafeOpened.length === 0,
    });
    const lookAlikes = electron.opened.filter((url) => new URL(url).hostname.startsWith('app.example.com.'));
    recordFigure({
      scenario: SCENARIO,
      figure: 'look-alike host (app.example.com.attacker.com): where it opens',
      value: lookAlikes.length > 0 ? 'system browser only' : 'nowhere',
      goal: 'never in the app (a plain web link goes to the system browser, docs/desktop.md)',
      met: windowsCreated.length === 0,
    });
    expect(windowsCreated).toEqual([]);
    expect(unsafeOpened).toEqual([]);
    // Plain web links still work (the look-alike host is a website like any other: the system browser, never the app).
    expect(electron.opened).toEqual(
      expect.arrayContaining(['https://example.com/docs', 'http://localhost:3002/metrics']),
    );
    expect(electron.opened.every((url) => /^https?:\/\//.test(url))).toBe(true);
  });

  describe('links in agent output', () => {
    const views: TerminalView[] = [];
    let undoIpc: () => void = () => {};
    afterEach(() => {
      for (const view of views.splice(0)) view.dispose();
      undoIpc();
    });

    it('open only http(s) URLs, through the renderer gate and main’s allow-list', async () => {
      // The whole path of a click: xterm's link → TerminalView's gate → the preload's IPC send → main's handler.
      undoIpc = registerIpc(
        () => ({}) as never,
        {
          windowIdOf: () => 7,
          targetOf: () => null,
          openWindow: () => {},
          helloFrom: () => null,
          writeClipboard: () => {},
        },
        [APP],
      );
      const openExternal = electron.listeners.get('falcon:open-external') as Handler;
      const view = new TerminalView({
        scrollback: 1000,
        theme: 'dark',
        openLink: (url) => void openExternal(fromApp, url),
      });
      views.push(view);
      const osc8 = (uri: string, text: string, st = false) =>
        st ? `\x1b]8;id=l;${uri}\x1b\\${text}\x1b]8;;\x1b\\` : `\x1b]8;;${uri}\x07${text}\x1b]8;;\x07`;
      const safeLinks = ['https://example.com/run/1', 'http://localhost:5173/'];
      // A tab, NUL or space would end the escape sequence itself, so those URLs cannot be OSC 8 targets.
      const hyperlinks = [
        ...CRAFTED.filter((url) => !['\t', '\u0000', ' '].some((c) => url.includes(c))),
        ...safeLinks,
      ];
      hyperlinks.forEach((uri, index) => view.write(`${osc8(uri, `open build log ${index}`, index % 2 === 0)}\r\n`));
      // A hyperlink whose text shows one URL and whose target is another: only what the text shows is a web link.
      view.write(`${osc8('file:///etc/passwd', 'https://github.com/falcon/pm')}\r\n`);
      // Plain text: only http(s) is ever linkified.
      view.write('plain: https://ci.example/runs/1 javascript:alert(1) file:///etc/passwd smb://host/share\r\n');
      await view.whenIdle();

      const activated = activateEveryLink(terminalOf(view));
      const unsafe = electron.opened.filter((url) => !mayOpenExternally(url));
      const hyperlinkOpens = electron.opened.filter((url) => hyperlinks.some((uri) => new URL(uri).href === url));
      const expected = hyperlinks.filter(mayOpenExternally).map((uri) => new URL(uri).href);

      recordFigure({
        scenario: SCENARIO,
        figure: 'agent-output links opened that are not http(s) without credentials',
        value: `${unsafe.length} of ${hyperlinks.filter((url) => !mayOpenExternally(url)).length + 4} hostile`,
        goal: '0',
        met: unsafe.length === 0,
      });
      recordFigure({
        scenario: SCENARIO,
        figure: 'agent-output http(s) links opened in the system browser',
        value: `${electron.opened.length} (${activated} links clicked)`,
        goal: `${expected.length + 2} (OSC 8 and plain text)`,
        met: electron.opened.length === expected.length + 2,
      });
      expect(unsafe).toEqual([]);
      expect(hyperlinkOpens.sort()).toEqual(expected.sort());
      expect(electron.opened).toEqual(
        expect.arrayContaining(['https://ci.example/runs/1', 'https://github.com/falcon/pm']),
      );
      expect(electron.opened).toHaveLength(expected.length + 2);
    });
  });

  it('rejects IPC from any sender but our own windows’ app frames', async () => {
    process.env.ELECTRON_RENDERER_URL = APP;
    const calls: string[] = [];
    const spy =
      (name: string) =>
      (..._args: unknown[]) => {
        calls.push(name);
        return name === 'listProjects' ? [] : undefined;
      };
    const core = {
      relay: { subscribe: spy('subscribe'), unsubscribe: spy('unsubscribe'), setUrgent: spy('setUrgent') },
      wake: spy('wake'),
      setViewing: spy('setViewing'),
      hello: spy('hello'),
      getServer: spy('getServer'),
      setServer: spy('setServer'),
      listProjects: spy('listProjects'),
      sendInput: spy('sendInput'),
      readNotificationSettings: spy('readNotificationSettings'),
      setNotificationSettings: spy('setNotificationSettings'),
    };
    const undo = registerIpc(
      () => core as never,
      {
        windowIdOf: (contents) => ((contents as { id: number }).id === OUR_WINDOW.id ? OUR_WINDOW.id : null),
        targetOf: () => null,
        openWindow: spy('openWindow'),
        helloFrom: () => null,
        writeClipboard: spy('writeClipboard'),
      },
      [APP],
    );
    const validArgs: { [C in IpcChannel]: unknown[] } = {
      'falcon:subscribe': ['s1', 'agent:opus-1', { tail: 10 }],
      'falcon:unsubscribe': ['s1'],
      'falcon:set-urgent': ['s1', true],
      'falcon:retry-now': [],
      'falcon:open-external': ['https://example.com/'],
      'falcon:open-window': [{ kind: 'agent', id: 'opus-1' }],
      'falcon:viewing': [null],
      'falcon:copy-text': ['copied'],
      'falcon:hello': [],
      'falcon:get-server': [],
      'falcon:set-server': [{ url: 'wss://hub.example/ws', token: 'abc' }],
      'falcon:list-projects': [],
      'falcon:send-input': ['opus-1', { action: 'interrupt' }],
      'falcon:get-notification-settings': [],
      'falcon:set-notification-settings': [{ enabled: false }],
    };
    const strangers = [
      ...[
        'https://attacker.example/',
        'https://app.example.com.attacker.com/',
        'https://app.example.com@attacker.com/',
      ],
      ...['https://user@app.example.com/', 'http://app.example.com/', 'https://app.example.com:8443/', ''],
      ...[
        'file:///tmp/evil.html',
        'data:text/html,x',
        'about:blank',
        `blob:${APP}/0b7e3f7c-1f1e-4e0a-9a1b-2f1c3d4e5f6a`,
      ],
    ]
      .map((url) => ({ senderFrame: { url }, sender: OUR_WINDOW }))
      .concat([
        { senderFrame: null as unknown as { url: string }, sender: OUR_WINDOW },
        // Our page, but in a webContents that is not one of our windows (a <webview>, devtools, another app window).
        { senderFrame: { url: `${APP}/index.html` }, sender: { id: 99 } },
      ]);

    let attempts = 0;
    let rejected = 0;
    for (const event of strangers) {
      for (const channel of Object.keys(ipcArgSchemas) as IpcChannel[]) {
        attempts++;
        const listener = electron.listeners.get(channel);
        if (listener) {
          const before = calls.length + electron.opened.length;
          listener(event, ...validArgs[channel]);
          if (calls.length + electron.opened.length === before) rejected++;
        } else {
          const outcome = await Promise.resolve()
            .then(() => (electron.handlers.get(channel) as Handler)(event, ...validArgs[channel]))
            .then(
              () => 'answered',
              (error: Error) => (/unexpected sender/.test(error.message) ? 'rejected' : 'other'),
            );
          if (outcome === 'rejected' && calls.length === 0) rejected++;
        }
      }
    }
    const reached = [...calls, ...electron.opened];
    // Control: the same messages from our window's app frame do reach main.
    for (const channel of Object.keys(ipcArgSchemas) as IpcChannel[]) {
      const listener = electron.listeners.get(channel);
      if (listener) listener(fromApp, ...validArgs[channel]);
      else await (electron.handlers.get(channel) as Handler)(fromApp, ...validArgs[channel]);
    }
    undo();

    recordFigure({
      scenario: SCENARIO,
      figure: 'IPC messages from unexpected senders rejected',
      value: `${rejected} of ${attempts}`,
      goal: `${attempts} of ${attempts} (${strangers.length} senders × ${attempts / strangers.length} channels)`,
      met: rejected === attempts && reached.length === 0,
    });
    expect(reached).toEqual([]);
    expect(rejected).toBe(attempts);
    expect(calls.length + electron.opened.length).toBe(Object.keys(ipcArgSchemas).length);
  });

  describe('the settings file', () => {
    let dir: string;
    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'falcon-reliability-settings-'));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('never holds the token in clear, whatever protects it', async () => {
      const TOKEN =
        'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbmEiLCJjaGFubmVscyI6WyIqIl19.Zm9yZ2VkLXNpZ25hdHVyZS1mb3ItdGhlLXRlc3Q';
      // The token itself, its encodings, and its secret parts (the header segment is the same in every HS256 token).
      const needles = [
        TOKEN,
        ...TOKEN.split('.').slice(1),
        Buffer.from(TOKEN).toString('base64'),
        Buffer.from(TOKEN).toString('hex'),
        encodeURIComponent(TOKEN),
      ];
      const backends: Array<[string, AesCodec, 'encrypted' | 'obfuscated' | 'memory']> = [
        ['keyring', new AesCodec('gnome_libsecret'), 'encrypted'],
        ['basic_text (with consent)', new AesCodec('basic_text'), 'obfuscated'],
        ['no encryption (with consent)', new AesCodec('basic_text', false), 'memory'],
      ];
      const leaks: string[] = [];
      const modes: string[] = [];
      for (const [name, codec, protection] of backends) {
        const file = join(dir, name.replace(/\W+/g, '-'), 'settings.json');
        const store = await SettingsStore.open(file, codec);
        await store.update({ serverUrl: 'wss://hub.example/ws', trayEnabled: false });
        expect(await store.setToken(TOKEN, { allowPlaintext: true })).toBe(protection);
        await store.update({ windowBounds: { main: { x: 0, y: 0, width: 800, height: 600, maximized: false } } });
        expect(store.getToken()).toBe(TOKEN);
        // Every file the store left behind (temp files included), read as text both ways.
        for (const entry of await readdir(join(file, '..'))) {
          const bytes = await readFile(join(file, '..', entry));
          for (const text of [bytes.toString('utf8'), bytes.toString('latin1')])
            for (const needle of needles) if (text.includes(needle)) leaks.push(`${name}: ${entry}`);
        }
        modes.push(((await stat(file)).mode & 0o777).toString(8));
        // A reopened store reads the token back (so the check above was on a file that holds it).
        if (protection !== 'memory') expect((await SettingsStore.open(file, codec)).getToken()).toBe(TOKEN);
      }

      recordFigure({
        scenario: SCENARIO,
        figure: 'plaintext token in the settings files (keyring, basic_text, none)',
        value: leaks.length,
        goal: '0',
        met: leaks.length === 0,
      });
      recordFigure({
        scenario: SCENARIO,
        figure: 'settings file mode',
        value: [...new Set(modes)].join(', '),
        goal: '600',
        met: modes.every((mode) => mode === '600'),
      });
      expect(leaks).toEqual([]);
      expect(modes).toEqual(['600', '600', '600']);
    });
  });
});

/** xterm's terminal inside a TerminalView (private: tests only). */
function terminalOf(view: TerminalView): Terminal {
  return (view as unknown as { terminal: Terminal }).terminal;
}

/**
 * Clicks every link xterm finds in the buffer, as a user would: asks each
 * registered link provider (OSC 8 hyperlinks, the web-links addon) for the
 * links on every line and activates them. The providers are xterm internals;
 * without a canvas (happy-dom) nothing renders, so no mouse event can reach them.
 */
function activateEveryLink(terminal: Terminal): number {
  type Range = { start: { x: number; y: number }; end: { x: number; y: number } };
  type Link = { text: string; range: Range; activate(event: MouseEvent, text: string): void };
  type Provider = { provideLinks(y: number, callback: (links: Link[] | undefined) => void): void };
  const core = (terminal as unknown as { _core: { _linkProviderService: { linkProviders: Provider[] } } })._core;
  const providers = core._linkProviderService.linkProviders;
  expect(providers.length).toBeGreaterThanOrEqual(2);
  // A link wrapped over two rows is offered on both: one click each.
  const clicked = new Set<string>();
  for (let y = 1; y <= terminal.buffer.active.length; y++) {
    for (const provider of providers) {
      provider.provideLinks(y, (links) => {
        for (const link of links ?? []) {
          const { start, end } = link.range;
          const key = `${start.x},${start.y}-${end.x},${end.y} ${link.text}`;
          if (clicked.has(key)) continue;
          clicked.add(key);
          link.activate(new MouseEvent('click'), link.text);
        }
      });
    }
  }
  return clicked.size;
}
