import { afterEach, describe, expect, it } from 'vitest';
import { ReconnectingConnection } from '../../src/client/index';
import { RELAYED_CONNECTION, type RelayWindow, WindowRelay } from '../../src/main/window-relay';
import type { RelayDelivery } from '../../src/shared/relay-delivery';
import type { RunningHub } from '../../src/server/index';
import { createNodeWebSocket } from '../helpers/client';
import { startTestHub, token } from '../helpers/hub';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

function fakeWindow(id: number): RelayWindow & { batches: RelayDelivery[][] } {
  const batches: RelayDelivery[][] = [];
  return { id, batches, isDestroyed: () => false, isVisible: () => true, send: (batch) => void batches.push(batch) };
}

const eventsOf = (w: { batches: RelayDelivery[][] }) =>
  w.batches.flat().filter((d): d is Extract<RelayDelivery, { kind: 'event' }> => d.kind === 'event');

describe('main-process relay against a real hub', () => {
  it('gives two windows with overlapping channels exactly their events, batched', async () => {
    const running: RunningHub = await startTestHub();
    cleanup.push(() => running.close());
    const connection = new ReconnectingConnection({
      urls: running.wsUrl,
      token: await token(),
      createWebSocket: createNodeWebSocket,
      // As the app's DesktopCore makes it: the relay batches.
      ...RELAYED_CONNECTION,
    });
    cleanup.push(() => connection.close());
    const relay = new WindowRelay(connection);
    cleanup.push(() => relay.dispose());
    connection.onDeliveries((batch) => relay.route(batch));
    const a = fakeWindow(1);
    const b = fakeWindow(2);
    relay.addWindow(a);
    relay.addWindow(b);
    relay.subscribe(1, 'x', 'agent:shared');
    relay.subscribe(1, 'y', 'issue:only-a');
    relay.subscribe(2, 'x', 'agent:shared');
    relay.subscribe(2, 'y', 'issue:only-b');
    connection.start();
    const subscribed = (w: { batches: RelayDelivery[][] }) =>
      w.batches.flat().filter((d) => d.kind === 'subscribed').length;
    await expect.poll(() => subscribed(a) + subscribed(b)).toBeGreaterThanOrEqual(3);
    // One server subscription per channel, whatever the number of windows.
    expect((await running.hub.metrics.subscriptions.get()).values[0]?.value).toBe(3);

    for (let i = 1; i <= 200; i++) {
      await running.hub.publish('agent:shared', 'agent_status', {
        agentId: 'shared',
        status: 'working',
        message: `s${i}`,
      });
      await running.hub.publish(i % 2 ? 'issue:only-a' : 'issue:only-b', 'issue_updated', {
        issueId: 'x',
        title: `t${i}`,
      });
    }
    await expect.poll(() => eventsOf(a).length, { timeout: 10_000 }).toBe(300);
    await expect.poll(() => eventsOf(b).length, { timeout: 10_000 }).toBe(300);
    for (const [w, own] of [
      [a, 'issue:only-a'],
      [b, 'issue:only-b'],
    ] as const) {
      const events = eventsOf(w);
      expect(new Set(events.map((e) => e.channel))).toEqual(new Set(['agent:shared', own]));
      const shared = events.filter((e) => e.channel === 'agent:shared').map((e) => e.offset);
      expect(shared).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      // 300 events reached each window in far fewer IPC messages.
      expect(w.batches.length).toBeLessThan(100);
    }
  });
});
