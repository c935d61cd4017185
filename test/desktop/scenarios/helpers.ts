/**
 * What the desktop scenarios share: a fresh userData per launch, a real hub
 * with seeded data for the scenarios that need a configured server, the
 * board's selectors and the embedded hub's /metrics.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { type RunningHub, startHub } from '../../../src/server/index';
import type { DesktopApp, DesktopDriver, DesktopWindow, LaunchOptions } from '../drivers/driver';

export const STEP_MS = 60_000;
export const BOARD = '[data-testid="issue-card"]';
export const SECRET = 'desktop-suite-secret-that-is-at-least-32-bytes';

export const agentRow = (agentId?: string) =>
  agentId ? `[data-testid="agent-row"][data-agent-id="${agentId}"]` : '[data-testid="agent-row"]';
export const agentPane = (agentId?: string) =>
  agentId ? `[data-testid="agent-pane"][data-agent-id="${agentId}"]` : '[data-testid="agent-pane"]';

/** Launches and undoes: kills the app and removes its userData when the test ends. */
export class Session {
  private readonly undo: Array<() => unknown> = [];
  readonly apps: DesktopApp[] = [];

  constructor(readonly driver: DesktopDriver) {}

  userData(): string {
    const dir = mkdtempSync(join(tmpdir(), 'falcon-desktop-'));
    this.undo.push(() => rmSync(dir, { recursive: true, force: true }));
    // An unpackaged app moves its userData to "<dir> (dev)", apart from an installed app's.
    this.undo.push(() => rmSync(`${dir} (dev)`, { recursive: true, force: true }));
    return dir;
  }

  async launch(options: Partial<LaunchOptions> = {}): Promise<DesktopApp> {
    const app = await this.driver.launch({ userData: options.userData ?? this.userData(), ...options });
    this.apps.push(app);
    this.undo.push(() => app.kill());
    return app;
  }

  async hub(): Promise<{ hub: RunningHub; token: string }> {
    const hub = await startHub({ secret: SECRET, port: 0, host: '127.0.0.1', outputBatch: { intervalMs: 20 } });
    this.undo.push(() => hub.close());
    for (const id of ['1', '2']) {
      await hub.hub.publish('project:web', 'issue_created', {
        issueId: id,
        projectId: 'web',
        title: `Suite issue ${id}`,
        status: 'todo',
        stage: 'plan',
      });
    }
    await hub.hub.publish('project:web', 'agent_status', {
      agentId: 'opus-1',
      status: 'working',
      issueId: '1',
      projectId: 'web',
    });
    const token = await hub.hub.signToken({ user: 'suite', channels: ['*'], ttlSeconds: 3600 });
    return { hub, token };
  }

  add(undo: () => unknown): void {
    this.undo.push(undo);
  }

  async dispose(): Promise<void> {
    for (const undo of this.undo.splice(0).reverse()) await undo();
  }

  /** What every app printed, for a failure's message. */
  output(): string {
    return this.apps.map((app) => app.output()).join('\n---\n');
  }
}

/** The settings file the app wrote under this userData (an unpackaged app uses "<userData> (dev)"). */
export function settingsFile(userData: string): string {
  const dev = join(`${userData} (dev)`, 'settings.json');
  return existsSync(dev) ? dev : join(userData, 'settings.json');
}

/** The main window once it shows the board. */
export async function boardWindow(app: DesktopApp): Promise<DesktopWindow> {
  const window = await app.waitForWindow((candidate) => !candidate.page.url().startsWith('about:'));
  window.page.setDefaultTimeout(STEP_MS);
  await window.page.waitForSelector(BOARD, { timeout: STEP_MS });
  // The record as of now (its URL is the one main saw last).
  return (await app.windows()).find((candidate) => candidate.id === window.id) ?? window;
}

/** The text of a pane's rendered rows (xterm's DOM renderer). */
export function paneText(page: Page, agentId?: string): Promise<string> {
  return page.evaluate(
    (selector) => (document.querySelector(`${selector} .xterm-rows`)?.textContent ?? '').replace(/\u00a0/g, ' '),
    agentPane(agentId),
  );
}

/** Opens the pane of the first agent in the list; returns its id. */
export async function openFirstPane(page: Page): Promise<string> {
  const row = await page.waitForSelector(agentRow(), { timeout: STEP_MS });
  const agentId = (await row.getAttribute('data-agent-id')) ?? '';
  await row.click();
  await page.waitForSelector(`${agentPane(agentId)} .xterm-rows`, { timeout: STEP_MS });
  return agentId;
}

/** Waits until the pane shows output it did not show before (the demo streams continuously). */
export async function waitForNewOutput(page: Page, agentId: string, timeout = STEP_MS): Promise<void> {
  const before = await paneText(page, agentId);
  await page.waitForFunction(
    ([selector, previous]) => {
      const text = (document.querySelector(`${selector} .xterm-rows`)?.textContent ?? '').replace(/\u00a0/g, ' ');
      return text.trim().length > 0 && text !== previous;
    },
    [agentPane(agentId), before] as const,
    { timeout },
  );
}

/** The embedded hub's address, as main tells the renderer (`hello().hub.url`, ws://127.0.0.1:port/ws). */
export async function embeddedHubUrl(page: Page): Promise<string> {
  const url = await page.evaluate(async () => {
    const api = (window as unknown as { falcon: { hello(): Promise<{ hub: { url: string } }> } }).falcon;
    return (await api.hello()).hub.url;
  });
  const parsed = new URL(url);
  return `http://${parsed.host}`;
}

/** One gauge of the embedded hub's Prometheus /metrics (open on loopback without a metrics token). */
export async function metric(hubHttpUrl: string, name: string): Promise<number> {
  const response = await fetch(`${hubHttpUrl}/metrics`);
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  const text = await response.text();
  const match = new RegExp(`^${name}(?:\\{[^}]*\\})?\\s+([0-9.e+-]+)$`, 'm').exec(text);
  if (!match) throw new Error(`no ${name} in /metrics`);
  return Number(match[1]);
}

/** Shows a project's board (the Project switcher), once the hub lists it. */
export async function showProject(page: Page, projectId: string): Promise<void> {
  await page.waitForSelector(`.project-switcher option[value="${projectId}"]`, { state: 'attached', timeout: STEP_MS });
  await page.getByLabel('Project').selectOption(projectId);
}

/**
 * The last complete line a pane shows (not the one being written), a piece of it long enough to be
 * unique. Waits until the pane has such a line: right after output arrives a pane may show only short
 * rows or its own notices.
 */
export async function lastCompleteLine(page: Page, agentId: string, timeout = STEP_MS): Promise<string> {
  const handle = await page.waitForFunction(
    (selector) => {
      const rows = [...(document.querySelector(`${selector} .xterm-rows`)?.children ?? [])]
        .map((row) => (row.textContent ?? '').replace(/\u00a0/g, ' ').trim())
        .filter((row) => row.length > 8 && !row.includes('live output'));
      // Two rows: the last may still be being written.
      return rows.length >= 2 ? rows.at(-2)!.slice(0, 40) : false;
    },
    agentPane(agentId),
    { timeout },
  );
  return (await handle.jsonValue()) as string;
}

/**
 * Points the app at a hub through the Settings bridge call (the one the Settings dialog makes). Not
 * awaited in the page: the call reloads every window, this one included. Wait for the new hub's board.
 */
export async function setServer(page: Page, url: string, token: string): Promise<void> {
  await page.evaluate(
    ([serverUrl, tokenValue]) => {
      const api = (window as unknown as { falcon: { setServer(s: { url: string; token: string }): Promise<void> } })
        .falcon;
      void api.setServer({ url: serverUrl, token: tokenValue });
    },
    [url, token] as const,
  );
}
