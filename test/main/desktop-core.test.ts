import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DesktopCore, type DesktopHost } from '../../src/main/desktop-core';
import type { DesktopNotification } from '../../src/shared/notification-policy';
import type { NotificationAnswer, NotificationOffer } from '../../src/main/notification-actions';
import { SettingsStore } from '../../src/main/settings-store';
import type { TrayState } from '../../src/main/tray-model';
import type { ConnectionState } from '../../src/shared/connection-state';
import type { RelayDelivery } from '../../src/shared/relay-delivery';
import { AesCodec } from '../helpers/aes-codec';
import { createNodeWebSocket } from '../helpers/client';
import { startTestHub, token } from '../helpers/hub';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

function host(): DesktopHost & {
  notifications: DesktopNotification[];
  offers: NotificationOffer[];
  trays: TrayState[];
  states: ConnectionState[];
  reloads: number;
} {
  const record = {
    notifications: [] as DesktopNotification[],
    offers: [] as NotificationOffer[],
    trays: [] as TrayState[],
    states: [] as ConnectionState[],
    reloads: 0,
    createWebSocket: createNodeWebSocket,
    showNotification: (notification: DesktopNotification, offer: NotificationOffer) => {
      record.notifications.push(notification);
      record.offers.push(offer);
    },
    updateTray: (state: TrayState) => void record.trays.push(state),
    broadcastConnectionState: (state: ConnectionState) => void record.states.push(state),
    reloadWindows: () => void record.reloads++,
  };
  return record;
}

async function core(
  platform = 'linux',
): Promise<{ core: DesktopCore; host: ReturnType<typeof host>; settings: SettingsStore }> {
  const dir = await mkdtemp(join(tmpdir(), 'falcon-core-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  const settings = await SettingsStore.open(join(dir, 'settings.json'), new AesCodec());
  const h = host();
  const desktop = new DesktopCore(settings, h, { demoSpeed: 20, platform });
  cleanup.push(() => desktop.dispose());
  return { core: desktop, host: h, settings };
}

describe('DesktopCore', () => {
  it('starts the built-in demo hub when no server is set, and relays it to windows', async () => {
    const { core: desktop, host: h } = await core();
    await desktop.start();
    expect(desktop.hubInfo()).toMatchObject({ label: 'Demo hub (built-in)', builtIn: true });
    expect(desktop.hubInfo().url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/ws$/);
    await expect.poll(() => h.states.at(-1)?.status).toBe('open');
    expect(await desktop.listProjects()).toEqual(['billing', 'falcon-api', 'falcon-web']);
    const batches: RelayDelivery[][] = [];
    desktop.relay.addWindow({
      id: 1,
      isDestroyed: () => false,
      isVisible: () => true,
      send: (b) => void batches.push(b),
    });
    desktop.relay.subscribe(1, 's', 'project:falcon-web', { snapshot: true });
    // Main already holds every project, so the window gets the snapshot from the cache.
    await expect.poll(() => batches.flat().some((d) => d.kind === 'snapshot' && d.data.issues.length > 0)).toBe(true);
    expect(h.trays.at(-1)?.icon).toBe('connected');
  });

  it('switches to a configured server, stores the token encrypted and reloads the windows', async () => {
    const running = await startTestHub();
    cleanup.push(() => running.close());
    const { core: desktop, host: h, settings } = await core();
    await desktop.start();
    await desktop.setServer({ url: running.wsUrl, token: await token() });
    expect(h.reloads).toBe(1);
    expect(desktop.hubInfo()).toMatchObject({ builtIn: false, label: `127.0.0.1:${running.port}` });
    expect(await desktop.getServer()).toMatchObject({ url: running.wsUrl, hasToken: true, secureTokenStorage: true });
    await expect.poll(() => running.hub.connectionCount).toBe(1);
    expect(settings.getToken()).toBeTruthy();
  });

  it('notifies when an agent starts waiting for input, and not for what is in view', async () => {
    const running = await startTestHub();
    cleanup.push(() => running.close());
    const { core: desktop, host: h } = await core();
    await desktop.setServer({ url: running.wsUrl, token: await token() });
    await running.hub.publish('project:web', 'issue_created', { issueId: '1', projectId: 'web', title: 'Fix login' });
    await running.hub.publish('project:web', 'agent_status', {
      agentId: 'a',
      status: 'working',
      issueId: '1',
      projectId: 'web',
    });
    // Main subscribes to the projects it finds; refresh now rather than in 60 s.
    await (desktop as unknown as { refreshProjects(): Promise<void> }).refreshProjects();
    await expect.poll(() => h.trays.length).toBeGreaterThan(0);
    // Main's subscription to project:web is in place: what is published from now on reaches it, after the snapshot.
    await expect.poll(async () => (await running.hub.metrics.subscriptions.get()).values[0]?.value).toBe(1);
    desktop.setViewing(1, { kind: 'agent', id: 'b' });
    desktop.setFocused(1, true);
    await running.hub.publish('project:web', 'agent_status', { agentId: 'b', status: 'failed', projectId: 'web' });
    await running.hub.publish('project:web', 'agent_status', {
      agentId: 'a',
      status: 'waiting_for_input',
      issueId: '1',
      projectId: 'web',
      message: 'Proceed?',
    });
    await expect.poll(() => h.notifications.length, { timeout: 5000 }).toBe(1);
    expect(h.notifications[0]).toMatchObject({
      kind: 'waiting_for_input',
      urgency: 'critical',
      target: { kind: 'agent', id: 'a' },
    });
    await expect.poll(() => h.trays.at(-1)?.attention).toBe(2);
  });

  it('answers from a notification with its requestId: a stale one gets request_not_pending, never the newer question', async () => {
    const running = await startTestHub();
    cleanup.push(() => running.close());
    const taken: unknown[] = [];
    cleanup.push(running.hub.onAgentInput((input) => void taken.push(input)));
    const { core: desktop, host: h } = await core('win32');
    await desktop.setServer({ url: running.wsUrl, token: await token({ actOn: ['agent:opus-*'] }) });
    await running.hub.publish('project:web', 'agent_status', {
      agentId: 'opus-1',
      status: 'working',
      projectId: 'web',
    });
    await (desktop as unknown as { refreshProjects(): Promise<void> }).refreshProjects();
    await expect.poll(async () => (await running.hub.metrics.subscriptions.get()).values[0]?.value).toBe(1);
    const ask = (requestId: string) =>
      running.hub.publish('project:web', 'agent_status', {
        agentId: 'opus-1',
        status: 'waiting_for_input',
        projectId: 'web',
        requestId,
        prompt: `Question ${requestId}?`,
        choices: [
          { id: 'approve', label: 'Yes' },
          { id: 'deny', label: 'No' },
        ],
      });
    await ask('r-1');
    await expect.poll(() => h.offers.length, { timeout: 5000 }).toBe(1);
    const first = h.offers[0].answer as NotificationAnswer;
    expect(first).toMatchObject({ agentId: 'opus-1', requestId: 'r-1', reply: { placeholder: 'Question r-1?' } });
    expect(h.offers[0].click).toEqual({ kind: 'agent', id: 'opus-1', reply: true });
    // The agent moves on to a newer question before the first notification is answered.
    await running.hub.publish('project:web', 'agent_status', {
      agentId: 'opus-1',
      status: 'working',
      projectId: 'web',
    });
    await ask('r-2');
    await expect.poll(() => h.offers.length, { timeout: 5000 }).toBe(2);
    const second = h.offers[1].answer as NotificationAnswer;
    // A window shows the agent: main sees its channel, input_sent events included.
    const batches: RelayDelivery[][] = [];
    desktop.relay.addWindow({
      id: 1,
      isDestroyed: () => false,
      isVisible: () => true,
      send: (b) => void batches.push(b),
    });
    desktop.relay.subscribe(1, 's1', 'agent:opus-1', {});
    await expect.poll(async () => (await running.hub.metrics.subscriptions.get()).values[0]?.value).toBe(2);

    expect(await desktop.answerFromNotification(first, { kind: 'action', index: 0 })).toMatchObject({
      ok: false,
      code: 'request_not_pending',
    });
    expect(h.notifications.at(-1)).toMatchObject({ title: 'Could not answer opus-1', kind: 'answer' });
    expect(h.offers.at(-1)).toEqual({ answer: null, click: { kind: 'agent', id: 'opus-1' } });
    expect(taken).toEqual([]);

    expect(await desktop.answerFromNotification(second, { kind: 'reply', text: 'yes, on staging' })).toMatchObject({
      ok: true,
    });
    expect(taken).toEqual([{ action: 'reply', text: 'yes, on staging', requestId: 'r-2' }]);
    expect(h.notifications.at(-1)).toMatchObject({ title: 'Answered opus-1: yes, on staging', silent: true });

    // The same question answered again (another notification of it, another viewer first): already_answered,
    // and who answered, from the input_sent main saw (a window holds the agent's channel).
    await expect
      .poll(() => batches.flat().some((d) => d.kind === 'event' && d.event === 'input_sent'), { timeout: 5000 })
      .toBe(true);
    const again = { ...second };
    expect(await desktop.answerFromNotification(again, { kind: 'action', index: 1 })).toMatchObject({
      ok: false,
      code: 'already_answered',
    });
    expect(h.notifications.at(-1)?.body).toBe('someone already answered (by tester)');
    expect(taken).toHaveLength(1);
  });

  it('offers no answer when the token may not act on the agent', async () => {
    const running = await startTestHub();
    cleanup.push(() => running.close());
    const { core: desktop, host: h } = await core('win32');
    await desktop.setServer({ url: running.wsUrl, token: await token() });
    await running.hub.publish('project:web', 'agent_status', { agentId: 'a', status: 'working', projectId: 'web' });
    await (desktop as unknown as { refreshProjects(): Promise<void> }).refreshProjects();
    await expect.poll(async () => (await running.hub.metrics.subscriptions.get()).values[0]?.value).toBe(1);
    await running.hub.publish('project:web', 'agent_status', {
      agentId: 'a',
      status: 'waiting_for_input',
      projectId: 'web',
      requestId: 'r-1',
      choices: [{ id: 'approve', label: 'Yes' }],
    });
    await expect.poll(() => h.offers.length, { timeout: 5000 }).toBe(1);
    expect(h.offers[0]).toEqual({ answer: null, click: { kind: 'agent', id: 'a' } });
  });

  it('keeps one board in main, the connection’s: activity, agent_started and channel-inferred projects included', async () => {
    const running = await startTestHub();
    cleanup.push(() => running.close());
    const { core: desktop, host: h } = await core();
    await desktop.setServer({ url: running.wsUrl, token: await token() });
    // Seed-style: no projectId in the payload, published on the project's channel.
    await running.hub.publish('project:alpha', 'issue_created', { issueId: '42', title: 'Seed-style' });
    await (desktop as unknown as { refreshProjects(): Promise<void> }).refreshProjects();
    await expect.poll(() => desktop.board.issues.get('42')?.projectId).toBe('alpha');
    expect(desktop.board).toBe(desktop.connection.store.board);

    // agent_started alone (no agent_status): the tray's agents come from the same reducer.
    await running.hub.publish('project:alpha', 'agent_started', { agentId: 'a1', issueId: '42' });
    await expect.poll(() => desktop.board.agents.get('a1')?.status).toBe('working');
    await running.hub.publish('project:alpha', 'agent_status', { agentId: 'a1', status: 'waiting_for_input' });
    await expect.poll(() => h.trays.at(-1)?.attention).toBe(1);

    // Output on the agent's channel (a window's pane) moves the agent's activity in main's board too.
    const first: RelayDelivery[] = [];
    desktop.relay.addWindow({ id: 1, isDestroyed: () => false, isVisible: () => true, send: (b) => first.push(...b) });
    desktop.relay.subscribe(1, 'pane', 'agent:a1', { tail: 100 });
    await expect.poll(() => first.some((d) => d.kind === 'subscribed')).toBe(true);
    const before = desktop.board.agents.get('a1')?.lastActivityAt ?? 0;
    await running.hub.publish('agent:a1', 'output', { timestamp: Date.now(), content: 'compiling…\n' });
    // Output reaches the window as one UTF-8 buffer per channel per flush.
    const text = (d: RelayDelivery) => (d.kind === 'output' ? new TextDecoder().decode(d.data) : null);
    await expect.poll(() => first.some((d) => text(d) === 'compiling…\n')).toBe(true);
    expect(desktop.board.agents.get('a1')?.lastActivityAt).toBeGreaterThanOrEqual(before);
    expect(first.find((d) => d.kind === 'output')).toMatchObject({
      change: { agent: { agentId: 'a1', status: 'waiting_for_input' } },
    });

    // A window opened later gets the same board and the output so far, from the store.
    const late: RelayDelivery[] = [];
    desktop.relay.addWindow({ id: 2, isDestroyed: () => false, isVisible: () => true, send: (b) => late.push(...b) });
    desktop.relay.subscribe(2, 'board', 'project:alpha', { snapshot: true });
    desktop.relay.subscribe(2, 'pane', 'agent:a1', { tail: 100 });
    await expect.poll(() => late.filter((d) => d.kind === 'subscribed').length).toBe(2);
    const snapshot = late.find((d) => d.kind === 'snapshot');
    expect(snapshot?.kind === 'snapshot' && snapshot.data.issues.map((i) => [i.issueId, i.projectId])).toEqual([
      ['42', 'alpha'],
    ]);
    expect(late.find((d) => d.kind === 'tail')).toMatchObject({ text: 'compiling…\n' });
  });
});
