import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DesktopCore, type DesktopHost } from '../../src/main/desktop-core';
import { SettingsStore } from '../../src/main/settings-store';
import type { TrayState } from '../../src/main/tray-model';
import type { RunningHub } from '../../src/server/index';
import { AesCodec } from '../helpers/aes-codec';
import { createNodeWebSocket } from '../helpers/client';
import { startTestHub, token } from '../helpers/hub';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

async function hub(port = 0): Promise<RunningHub> {
  const running = await startTestHub({ port });
  cleanup.push(() => running.close());
  return running;
}

async function waiting(running: RunningHub, project: string, agentId: string): Promise<void> {
  await running.hub.publish(`project:${project}`, 'issue_created', { issueId: `${agentId}-1`, projectId: project });
  await running.hub.publish(`project:${project}`, 'agent_status', {
    agentId,
    status: 'waiting_for_input',
    issueId: `${agentId}-1`,
    projectId: project,
  });
}

describe('DesktopCore after a hub restart (issue 16, finding 6)', () => {
  it('drops the projects and agents the new hub does not know, and the tray counts follow', async () => {
    let running = await hub();
    const port = running.port;
    await waiting(running, 'web', 'a');
    await waiting(running, 'zeta', 'z');
    const dir = await mkdtemp(join(tmpdir(), 'falcon-honest-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const settings = await SettingsStore.open(join(dir, 'settings.json'), new AesCodec());
    const trays: TrayState[] = [];
    const host: DesktopHost = {
      createWebSocket: createNodeWebSocket,
      showNotification: () => undefined,
      updateTray: (state) => void trays.push(state),
      broadcastConnectionState: () => undefined,
      reloadWindows: () => undefined,
    };
    const desktop = new DesktopCore(settings, host, { demoSpeed: 20 });
    cleanup.push(() => desktop.dispose());
    await desktop.setServer({ url: running.wsUrl, token: await token() });
    await expect.poll(() => desktop.listProjects(), { timeout: 20_000 }).toEqual(['web', 'zeta']);
    await expect.poll(() => trays.at(-1)?.attention, { timeout: 20_000 }).toBe(2);

    await running.close();
    await expect.poll(() => desktop.connection.state.status, { timeout: 20_000 }).not.toBe('open');
    running = await hub(port);
    await waiting(running, 'web', 'a');
    desktop.connection.wake();

    await expect.poll(() => desktop.listProjects(), { timeout: 30_000 }).toEqual(['web']);
    await expect.poll(() => [...desktop.board.agents.keys()], { timeout: 30_000 }).toEqual(['a']);
    await expect.poll(() => trays.at(-1)?.attention, { timeout: 30_000 }).toBe(1);
    expect([...desktop.board.issues.keys()]).toEqual(['a-1']);
  }, 120_000);

  it('tells the windows when the token expires', async () => {
    const running = await hub();
    const dir = await mkdtemp(join(tmpdir(), 'falcon-honest-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    const settings = await SettingsStore.open(join(dir, 'settings.json'), new AesCodec());
    const host: DesktopHost = {
      createWebSocket: createNodeWebSocket,
      showNotification: () => undefined,
      updateTray: () => undefined,
      broadcastConnectionState: () => undefined,
      reloadWindows: () => undefined,
    };
    const desktop = new DesktopCore(settings, host, { demoSpeed: 20 });
    cleanup.push(() => desktop.dispose());
    const before = Date.now();
    await desktop.setServer({ url: running.wsUrl, token: await token({ ttlSeconds: 600 }) });
    const { tokenExpiresAt } = await desktop.getServer();
    expect(tokenExpiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 600_000);
    expect(tokenExpiresAt).toBeLessThanOrEqual(Date.now() + 600_000);
  });
});
