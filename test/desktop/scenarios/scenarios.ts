/**
 * The desktop scenarios, written once and run by every available driver
 * (test/desktop/desktop.test.ts). A scenario that needs what a driver cannot
 * do (`needs`) is skipped on that driver with the reason printed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { TOAST_ACTIVATOR_CLSID } from '../../../src/main/app-identity';
import type { Capability, DesktopApp } from '../drivers/driver';
import type { EmulationState, NotificationRecord } from '../emulation/control-types';
import {
  BOARD,
  STEP_MS,
  type Session,
  agentPane,
  boardWindow,
  embeddedHubUrl,
  lastCompleteLine,
  metric,
  openFirstPane,
  paneText,
  setServer,
  settingsFile,
  showProject,
  waitForNewOutput,
} from './helpers';
import { startRendererDevServer } from './dev-server';

export interface Scenario {
  name: string;
  needs?: Capability[];
  run(session: Session): Promise<void>;
}

/** The emulation's records (drivers without them answer null). */
function emulationState(app: DesktopApp): EmulationState | null {
  return (app as { current?: () => EmulationState | null }).current?.() ?? null;
}

/** The built-in demo, fast enough that its agents ask within seconds (FALCON_DEMO_SPEED, unpackaged only). */
const FAST_DEMO = { FALCON_DEMO_SPEED: '25' };

/** A question's notification (after the one at `after`), and the agent it is about. */
async function questionNotification(
  app: DesktopApp,
  after = -1,
  { stillWaiting = false } = {},
): Promise<{ notification: NotificationRecord; agentId: string }> {
  const agentOf = (n: NotificationRecord) => n.title.replace(/ needs your input$/, '');
  // Still waiting: the tray lists its agent under Needs attention (the emulation's records, read as they arrive).
  const waits = (agentId: string) =>
    emulationState(app)?.trays.some(
      (tray) => !tray.destroyed && tray.menu.some((item) => item.id === `attention:${agentId}`),
    ) ?? false;
  const notification = await app.waitForNotification(
    (n) => n.index > after && / needs your input$/.test(n.title) && (!stillWaiting || waits(agentOf(n))),
  );
  return { notification, agentId: agentOf(notification) };
}

/**
 * Only questions notify: the fast demo's issue changes would otherwise coalesce with them into
 * summaries, which offer nothing to answer.
 */
async function notifyOnlyQuestions(page: import('playwright-core').Page): Promise<void> {
  await page.evaluate(() =>
    (
      window as unknown as { falcon: { setNotificationSettings(patch: { statuses: string[] }): Promise<unknown> } }
    ).falcon.setNotificationSettings({ statuses: ['waiting_for_input'] }),
  );
}

async function noUnhandled(app: DesktopApp): Promise<void> {
  const unhandled = (app as { current?: () => { unhandled: string[] } | null }).current?.()?.unhandled ?? [];
  expect(unhandled).toEqual([]);
}

export const scenarios: Scenario[] = [
  {
    name: 'first launch with no settings opens the embedded demo and shows the board',
    async run(session) {
      const app = await session.launch();
      const window = await boardWindow(app);
      expect(window.url).toMatch(/^app:\/\/falcon\//);
      await window.page.getByText('Demo hub (built-in)').first().waitFor({ timeout: STEP_MS });
      expect(await window.page.locator(BOARD).count()).toBeGreaterThan(0);
      if (process.env.FALCON_DESKTOP_SCREENSHOT && session.driver.name === 'emulation') {
        const agentId = await openFirstPane(window.page);
        await waitForNewOutput(window.page, agentId);
        await waitForNewOutput(window.page, agentId);
        await window.page.screenshot({ path: join(import.meta.dirname, '../../../docs/images/desktop-emulated.png') });
      }
      await noUnhandled(app);
    },
  },
  {
    name: 'opens an agent pane and shows its live output',
    async run(session) {
      const app = await session.launch();
      const { page } = await boardWindow(app);
      const agentId = await openFirstPane(page);
      await waitForNewOutput(page, agentId);
      await waitForNewOutput(page, agentId);
    },
  },
  {
    name: 'a pane detached into a second window shares the one hub connection',
    async run(session) {
      const app = await session.launch();
      const main = await boardWindow(app);
      const agentId = await openFirstPane(main.page);
      // Detach lives in the pane's tools menu.
      await main.page.locator(agentPane(agentId)).getByRole('button', { name: 'More pane tools' }).click();
      await main.page.getByRole('menuitem', { name: 'Detach to its own window' }).click();
      const detached = await app.waitForWindow((window) => window.id !== main.id);
      await detached.page.waitForSelector(`${agentPane(agentId)} .xterm-rows`, { timeout: STEP_MS });
      await waitForNewOutput(detached.page, agentId);
      const hub = await embeddedHubUrl(main.page);
      expect(await metric(hub, 'falcon_hub_connections')).toBe(1);
    },
  },
  {
    name: 'View → Reload brings everything back with no stale or colliding subscription',
    needs: ['menu'],
    async run(session) {
      const app = await session.launch();
      const window = await boardWindow(app);
      const agentId = await openFirstPane(window.page);
      await waitForNewOutput(window.page, agentId);
      const hub = await embeddedHubUrl(window.page);
      // The hub's count after the first reload is the baseline: a page that leaked its subscriptions
      // would add to it on every reload after.
      let subscriptions = -1;
      // Three reloads: each must bring back the whole board (its snapshot) and the pane's history (its
      // tail), which a new page gets only if main forgot the old page's subscriptions: the new page's
      // ids start at s1 again and would collide with the old ones.
      for (let i = 0; i < 3; i++) {
        const cards = await window.page.locator(BOARD).count();
        const shown = await lastCompleteLine(window.page, agentId);
        expect(shown).not.toBe('');
        await window.page.evaluate(() => ((window as unknown as { beforeReload: boolean }).beforeReload = true));
        await app.menuClick('reload', window);
        await window.page.waitForFunction(() => !(window as unknown as { beforeReload?: boolean }).beforeReload, null, {
          timeout: STEP_MS,
        });
        await window.page.waitForFunction(
          ([selector, count]) => document.querySelectorAll(selector).length >= count,
          [BOARD, cards] as const,
          { timeout: STEP_MS },
        );
        await window.page.waitForSelector(`${agentPane(agentId)} .xterm-rows`, { timeout: STEP_MS });
        await window.page.waitForFunction(
          ([selector, text]) =>
            (document.querySelector(`${selector} .xterm-rows`)?.textContent ?? '')
              .replace(/\u00a0/g, ' ')
              .includes(text),
          [agentPane(agentId), shown] as const,
          { timeout: STEP_MS },
        );
        await waitForNewOutput(window.page, agentId);
        if (i === 0) subscriptions = await metric(hub, 'falcon_hub_subscriptions');
      }
      expect(await metric(hub, 'falcon_hub_subscriptions')).toBe(subscriptions);
      expect(await metric(hub, 'falcon_hub_connections')).toBe(1);
    },
  },
  {
    name: 'a notification for an agent needing input, clicked with only the tray running, opens its pane',
    needs: ['tray', 'notifications'],
    async run(session) {
      const { hub, token } = await session.hub();
      const app = await session.launch();
      const first = await boardWindow(app);
      await setServer(first.page, hub.wsUrl, token);
      await showProject(first.page, 'web');
      await first.page.getByText('Suite issue 1').first().waitFor({ timeout: STEP_MS });
      for (const open of await app.windows()) await app.closeWindow(open);
      await app.waitForNoWindow();
      expect(app.running()).toBe(true);
      await hub.hub.publish('project:web', 'agent_status', {
        agentId: 'opus-1',
        status: 'waiting_for_input',
        issueId: '1',
        projectId: 'web',
        message: 'Which database should I use?',
      });
      const notification = await app.waitForNotification((n) => `${n.title} ${n.body}`.includes('opus-1'));
      expect(await app.clickNotification(notification.index), 'main let the notification be collected').toEqual({
        delivered: true,
      });
      const opened = await app.firstWindow();
      await opened.page.waitForSelector(`${agentPane('opus-1')}`, { timeout: STEP_MS });
    },
  },
  ...(['darwin', 'win32'] as const).map((platform): Scenario => ({
    name:
      platform === 'darwin'
        ? 'macOS: answering demo agents from their notifications (Yes, then No; buttons without a reply field, as macOS hides buttons beside one) is confirmed without opening a window'
        : 'Windows: answering a demo agent from its notification (a button, then an inline reply) is confirmed without opening a window',
    needs: ['notifications', 'tray', 'emulated-os'],
    async run(session) {
      const app = await session.launch({ platform, env: FAST_DEMO });
      const first = await boardWindow(app);
      await notifyOnlyQuestions(first.page);
      for (const open of await app.windows()) await app.closeWindow(open);
      await app.waitForNoWindow();
      // Windows activates a toast's buttons through the COM class main names, the same on every run.
      expect(emulationState(app)?.toastActivatorCLSID).toBe(platform === 'win32' ? TOAST_ACTIVATOR_CLSID : null);

      const asked = await questionNotification(app);
      expect(asked.notification.actions).toEqual([
        { type: 'button', text: 'Yes' },
        { type: 'button', text: 'No' },
      ]);
      // macOS shows no action buttons on a notification with hasReply (Electron's NotificationAction doc).
      expect(asked.notification.hasReply).toBe(platform === 'win32');
      if (platform === 'win32') expect(asked.notification.replyPlaceholder).not.toBe('');
      await app.waitForTray((tray) => tray.menu.some((item) => item.id === `attention:${asked.agentId}`));
      expect(await app.pressNotificationAction(asked.notification.index, 0)).toEqual({ delivered: true });
      const approved = await app.waitForNotification(
        (n) => n.index > asked.notification.index && n.title === `Answered ${asked.agentId}: Yes`,
      );
      expect(approved.actions).toEqual([]);
      // The demo took it (a refusal would be "Could not answer"): the agent works again.
      await app.waitForTray((tray) => !tray.menu.some((item) => item.id === `attention:${asked.agentId}`));

      // Another question: a new one, or one asked meanwhile that still waits (a waiting demo agent asks
      // nothing more until answered, so with several waiting, a new question can take long).
      const next = await questionNotification(app, asked.notification.index, { stillWaiting: true });
      const reply = 'use the staging database';
      await app.waitForTray((tray) => tray.menu.some((item) => item.id === `attention:${next.agentId}`));
      if (platform === 'win32') {
        expect(await app.replyToNotification(next.notification.index, reply)).toEqual({ delivered: true });
      } else {
        await expect(app.replyToNotification(next.notification.index, reply)).rejects.toThrow();
        expect(await app.pressNotificationAction(next.notification.index, 1)).toEqual({ delivered: true });
      }
      const replied = await app.waitForNotification(
        (n) =>
          n.index > Math.max(next.notification.index, approved.index) && n.title.startsWith(`Answered ${next.agentId}`),
      );
      expect(replied.title).toBe(`Answered ${next.agentId}: ${platform === 'win32' ? reply : 'No'}`);
      await app.waitForTray((tray) => !tray.menu.some((item) => item.id === `attention:${next.agentId}`));
      // Nothing in answering opened or focused a window.
      expect(emulationState(app)?.windows).toEqual([]);
      expect(await app.windows()).toEqual([]);

      // A click on the confirmation (the user's, not the answer's) opens the agent's pane.
      expect(await app.clickNotification(replied.index)).toEqual({ delivered: true });
      const opened = await app.firstWindow();
      opened.page.setDefaultTimeout(STEP_MS);
      await opened.page.waitForSelector(`${agentPane(next.agentId)} .xterm-rows`, { timeout: STEP_MS });
      await noUnhandled(app);
    },
  })),
  {
    name: "on Linux a question's notification has no buttons, and its click opens the pane with the reply box asked for",
    needs: ['notifications', 'emulated-os'],
    async run(session) {
      const app = await session.launch({ platform: 'linux', env: FAST_DEMO });
      const window = await boardWindow(app);
      await notifyOnlyQuestions(window.page);
      await window.page.evaluate(() => {
        const w = window as unknown as {
          focusTargets: unknown[];
          falcon: { onFocusTarget(listener: (target: unknown) => void): () => void };
        };
        w.focusTargets = [];
        w.falcon.onFocusTarget((target) => w.focusTargets.push(target));
      });
      const asked = await questionNotification(app);
      expect(asked.notification.actions).toEqual([]);
      expect(asked.notification.hasReply).toBe(false);
      // Electron shows no buttons on Linux: no user could press one.
      await expect(app.pressNotificationAction(asked.notification.index, 0)).rejects.toThrow(/no notification actions/);
      expect(await app.clickNotification(asked.notification.index)).toEqual({ delivered: true });
      await window.page.waitForFunction(
        (agentId) =>
          (
            window as unknown as { focusTargets: Array<{ kind: string; id: string; reply?: boolean }> }
          ).focusTargets.some((target) => target.kind === 'agent' && target.id === agentId && target.reply === true),
        asked.agentId,
        { timeout: STEP_MS },
      );
      await window.page.waitForSelector(agentPane(asked.agentId), { timeout: STEP_MS });
      // The page took the request: the keyboard is in that pane's reply box, ready to answer.
      await window.page.waitForFunction(
        (agentId) =>
          document.activeElement?.getAttribute('aria-label') === `Reply to agent ${agentId}` &&
          document.activeElement.closest('[data-testid="agent-pane"]')?.getAttribute('data-agent-id') === agentId,
        asked.agentId,
        { timeout: STEP_MS },
      );
      await noUnhandled(app);
    },
  },
  {
    name: 'a token that may not answer agents gets notifications without buttons, and a plain click',
    needs: ['notifications', 'emulated-os'],
    async run(session) {
      const { hub, token } = await session.hub();
      const app = await session.launch({ platform: 'darwin' });
      const window = await boardWindow(app);
      await setServer(window.page, hub.wsUrl, token);
      const board = window;
      await showProject(board.page, 'web');
      await board.page.getByText('Suite issue 1').first().waitFor({ timeout: STEP_MS });
      await board.page.evaluate(() => {
        const w = window as unknown as {
          focusTargets: unknown[];
          falcon: { onFocusTarget(listener: (target: unknown) => void): () => void };
        };
        w.focusTargets = [];
        w.falcon.onFocusTarget((target) => w.focusTargets.push(target));
      });
      await hub.hub.publish('project:web', 'agent_status', {
        agentId: 'opus-1',
        status: 'waiting_for_input',
        issueId: '1',
        projectId: 'web',
        message: 'Ship it?',
        requestId: 'r-1',
        prompt: 'Ship it?',
        choices: [
          { id: 'approve', label: 'Yes' },
          { id: 'deny', label: 'No' },
        ],
      });
      const asked = await questionNotification(app);
      expect(asked.agentId).toBe('opus-1');
      expect(asked.notification.actions).toEqual([]);
      expect(asked.notification.hasReply).toBe(false);
      expect(await app.clickNotification(asked.notification.index)).toEqual({ delivered: true });
      await board.page.waitForFunction(
        () => (window as unknown as { focusTargets: unknown[] }).focusTargets.length > 0,
        null,
        { timeout: STEP_MS },
      );
      expect(await board.page.evaluate(() => (window as unknown as { focusTargets: unknown[] }).focusTargets)).toEqual([
        { kind: 'agent', id: 'opus-1' },
      ]);
    },
  },
  {
    name: 'tray: status, show, pause and resume notifications, left click, quit',
    needs: ['tray'],
    async run(session) {
      const app = await session.launch();
      const window = await boardWindow(app);
      const tray = await app.waitForTray((t) => t.menu.some((item) => item.id === 'quit'));
      expect(tray.tooltip).not.toBe('');
      await app.closeWindow(window);
      await app.waitForNoWindow();
      await app.clickTrayItem('show');
      await boardWindow(app);
      await app.clickTrayItem('pause-hour');
      await app.waitForTray((t) => t.menu.some((item) => item.id === 'resume'));
      await app.clickTrayItem('resume');
      await app.waitForTray((t) => t.menu.some((item) => item.id === 'pause-hour'));
      // Windows: a left click on the tray icon must open the app (no context menu opens on a left click there).
      for (const open of await app.windows()) await app.closeWindow(open);
      await app.waitForNoWindow();
      expect((await app.tray())?.clickListeners, 'no tray click listener').toBeGreaterThan(0);
      await app.clickTray();
      await boardWindow(app);
      await app.clickTrayItem('quit');
      const { exited } = await app.quit();
      expect(exited).toBe(true);
    },
  },
  {
    name: "a pane's Copy puts its output on the clipboard",
    needs: ['clipboard'],
    async run(session) {
      const app = await session.launch();
      const { page } = await boardWindow(app);
      const agentId = await openFirstPane(page);
      await waitForNewOutput(page, agentId);
      // Copy lives in the pane's tools menu.
      await page.locator(agentPane(agentId)).getByRole('button', { name: 'More pane tools' }).click();
      await page.getByRole('menuitem', { name: 'Copy output' }).click();
      await page
        .locator(agentPane(agentId))
        .getByText(/^Cop(ied|y failed)$/)
        .waitFor({ timeout: STEP_MS });
      expect(await page.locator(agentPane(agentId)).locator('.agent-pane-notice').textContent()).toBe('Copied');
      const shown = (await paneText(page, agentId)).trim().split(/\s+/).slice(0, 3).join(' ');
      await expect
        .poll(() => app.clipboardText().then((text) => text.replace(/\s+/g, ' ')), { timeout: STEP_MS })
        .toContain(shown);
    },
  },
  {
    name: 'settings are saved with the token encrypted and restored on the next launch',
    async run(session) {
      const { hub, token } = await session.hub();
      const userData = session.userData();
      const first = await session.launch({ userData });
      const window = await boardWindow(first);
      await setServer(window.page, hub.wsUrl, token);
      await showProject(window.page, 'web');
      await window.page.getByText('Suite issue 1').first().waitFor({ timeout: STEP_MS });
      expect((await first.quit()).exited).toBe(true);
      const saved = readFileSync(settingsFile(userData), 'utf8');
      expect(saved).toContain(hub.wsUrl);
      expect(saved).not.toContain(token);
      expect(saved).not.toContain(token.split('.')[1]);
      const second = await session.launch({ userData });
      const restored = await second.waitForWindow((w) => !w.page.url().startsWith('about:'));
      await showProject(restored.page, 'web');
      await restored.page.getByText('Suite issue 1').first().waitFor({ timeout: STEP_MS });
      const server = await restored.page.evaluate(() =>
        (
          window as unknown as { falcon: { getServer(): Promise<{ url: string; hasToken: boolean }> } }
        ).falcon.getServer(),
      );
      expect(server).toMatchObject({ url: hub.wsUrl, hasToken: true });
    },
  },
  {
    name: 'quit finishes within 3 s and leaves no process behind',
    async run(session) {
      const app = await session.launch();
      const window = await boardWindow(app);
      await openFirstPane(window.page);
      const { ms, exited, leftover } = await app.quit();
      expect(exited).toBe(true);
      expect(leftover).toEqual([]);
      expect(ms).toBeLessThan(3000);
    },
  },
  {
    name: 'a renderer crash is reported and the window recovers on reload',
    needs: ['crash', 'dialogs'],
    async run(session) {
      const app = await session.launch();
      const window = await boardWindow(app);
      const before = (await app.dialogs()).length;
      await app.crashRenderer(window);
      const dialog = await app.waitForDialog((d) => d.index >= before && d.kind === 'messageBox');
      const reload = dialog.buttons.findIndex((label) => /reload/i.test(label));
      expect(reload, `a Reload button in ${JSON.stringify(dialog.buttons)}`).toBeGreaterThanOrEqual(0);
      await app.answerDialog(dialog.index, reload);
      // The same window shows the board and its agents again (both come over IPC from main). Asked
      // through main: Playwright's Page of a crashed renderer stays unusable.
      await app.waitInWindow(window, BOARD);
      await app.waitInWindow(window, '[data-testid="agent-row"]');
    },
  },
  {
    name: '`npm run dev` renders: the board from the renderer dev server (ELECTRON_RENDERER_URL)',
    needs: ['dev-server'],
    async run(session) {
      const dev = await startRendererDevServer();
      session.add(() => dev.close());
      const app = await session.launch({ env: { ELECTRON_RENDERER_URL: dev.url } });
      const window = await boardWindow(app);
      expect(window.url.startsWith(dev.url)).toBe(true);
    },
  },
  {
    name: 'a packaged app ignores ELECTRON_RENDERER_URL and serves its own renderer',
    needs: ['packaged-flag'],
    async run(session) {
      const app = await session.launch({ packaged: true, env: { ELECTRON_RENDERER_URL: 'http://127.0.0.1:9/' } });
      const window = await boardWindow(app);
      expect(window.url).toMatch(/^app:\/\/falcon\//);
    },
  },
  {
    name: 'a second launch hands over to the first instance and exits',
    needs: ['second-instance'],
    async run(session) {
      const userData = session.userData();
      const first = await session.launch({ userData });
      const window = await boardWindow(first);
      await first.closeWindow(window);
      await first.waitForNoWindow();
      const second = await session.launch({ userData });
      await expect.poll(() => second.running(), { timeout: STEP_MS }).toBe(false);
      // The first instance shows its window again.
      await boardWindow(first);
    },
  },
  {
    name: 'the page gets window.falcon only: no Node, no ipcRenderer, a frozen API',
    async run(session) {
      const app = await session.launch();
      const { page } = await boardWindow(app);
      const seen = await page.evaluate(() => {
        const w = window as unknown as Record<string, unknown> & { falcon: Record<string, unknown> };
        return {
          require: typeof w.require,
          process: typeof w.process,
          ipcRenderer: typeof w.ipcRenderer,
          frozen: Object.isFrozen(w.falcon),
          functions: Object.values(w.falcon).every((v) => typeof v === 'function' || typeof v === 'number'),
        };
      });
      expect(seen).toEqual({
        require: 'undefined',
        process: 'undefined',
        ipcRenderer: 'undefined',
        frozen: true,
        functions: true,
      });
    },
  },
];
