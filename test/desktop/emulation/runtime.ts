/**
 * The emulation's process-wide state in the child that runs the built main
 * process: the Chromium it drives (through playwright-core), the control
 * channel to the test process (Node IPC, `process.send`), and the records
 * tests assert on. Test-only, never shipped.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, type Route, chromium } from 'playwright-core';
import { CHROMIUM_FLAGS } from '../../helpers/browser';
import type { ControlRequest, EmulationState, ToChild, ToParent } from './control-types';

const FLAGS = [...CHROMIUM_FLAGS, '--remote-debugging-port=0'];

/** What the launcher (test/desktop/drivers/emulated.ts) passes in the environment. */
export const launch = {
  userData: process.env.FALCON_EMU_USER_DATA ?? mkdtempSync(join(tmpdir(), 'falcon-emu-user-data-')),
  chromium: process.env.FALCON_EMU_CHROMIUM ?? '/usr/bin/chromium',
  packaged: process.env.FALCON_EMU_PACKAGED === '1',
  appPath: process.env.FALCON_EMU_APP_PATH ?? process.cwd(),
};

type ControlHandler = (request: ControlRequest) => unknown;
const controls = new Map<string, ControlHandler>();
const stateProviders = new Map<string, () => unknown>();

/** Registers a control operation the test process can call (`DesktopDriver` methods). */
export function onControl(op: string, handler: ControlHandler): void {
  controls.set(op, handler);
}

/** Registers a part of the state the test process sees (windows, trays, notifications, …). */
export function provideState(key: keyof EmulationState, provider: () => unknown): void {
  stateProviders.set(key, provider);
}

export function send(message: ToParent): void {
  // No parent (run by hand): the records are still kept in memory.
  if (process.connected) process.send?.(message);
}

let statePending = false;
/** Pushes the state to the test process after the current turn (many changes, one message). */
export function stateChanged(): void {
  if (statePending) return;
  statePending = true;
  setImmediate(() => {
    statePending = false;
    send({ type: 'state', state: snapshot() });
  });
}

export function snapshot(): EmulationState {
  const state: Record<string, unknown> = {};
  for (const [key, provider] of stateProviders) state[key] = provider();
  return state as unknown as EmulationState;
}

process.on('message', (raw: ToChild) => {
  if (raw.type !== 'control') return;
  const handler = controls.get(raw.request.op);
  void (async () => {
    try {
      if (!handler) throw new Error(`unknown control operation ${raw.request.op}`);
      const result = await handler(raw.request);
      send({ type: 'control-result', id: raw.id, ok: true, result: result ?? null });
    } catch (error) {
      send({ type: 'control-result', id: raw.id, ok: false, error: String((error as Error)?.stack ?? error) });
    }
  })();
});

// ------------------------------------------------------------------ Chromium

let context: BrowserContext | null = null;
let profile = '';
let routeHandler: ((route: Route) => Promise<void>) | null = null;

/** The one browser context (Electron's default session); throws before ready. */
export function browserContext(): BrowserContext {
  if (!context) throw new Error('the emulated browser is not running (before app ready or after exit)');
  return context;
}

export function setRouteHandler(handler: (route: Route) => Promise<void>): void {
  routeHandler = handler;
}

/**
 * Launches Chromium with a remote debugging port, so the test process can
 * `connectOverCDP` to the same default context and drive the windows.
 */
export async function launchBrowser(profileDir: string): Promise<{ cdpUrl: string }> {
  profile = profileDir;
  context = await chromium.launchPersistentContext(profile, {
    executablePath: launch.chromium,
    headless: true,
    args: FLAGS,
    viewport: null,
    timeout: 60_000,
  });
  // Every request of every window passes here: app:// (protocol.handle), webRequest, will-navigate.
  await context.route('**/*', (route) => (routeHandler ? routeHandler(route) : route.continue()));
  // The page Chromium opens at start is the emulation's, not a window: it stays blank and unlisted.
  const [port, path] = readFileSync(join(profile, 'DevToolsActivePort'), 'utf8').split('\n');
  return { cdpUrl: `ws://127.0.0.1:${port}${path}` };
}

/** Closes Chromium (all its processes). */
export async function closeBrowser(): Promise<void> {
  const closing = context;
  context = null;
  await closing?.close().catch(() => {});
}

/** Chromium's profile directory (empty before launch). */
export function profileDir(): string {
  return profile;
}
