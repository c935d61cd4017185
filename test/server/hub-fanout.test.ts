import { afterEach, describe, expect, it } from 'vitest';
import type { RunningHub } from '../../src/server/index';
import { TestClient, startTestHub, token } from '../helpers/hub';
import { metricValue } from '../helpers/probes';

let running: RunningHub;
const clients: TestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await running?.close();
});

async function subscriber(channel: string, ttlSeconds?: number): Promise<TestClient> {
  const client = await TestClient.connect(
    `${running.wsUrl}?token=${await token(ttlSeconds === undefined ? {} : { ttlSeconds })}`,
  );
  clients.push(client);
  client.send({ type: 'subscribe', channel });
  await client.waitFor((m) => m.type === 'subscribed');
  return client;
}

describe('Hub fan-out', () => {
  it('delivers a burst published in one tick to every subscriber once, in order, as JSON events', async () => {
    running = await startTestHub();
    const readers = await Promise.all([1, 2, 3].map(() => subscriber('issue:7')));

    // Started together: the frames to each socket are coalesced within the tick (prebuilt-frame.ts).
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => running.hub.publish('issue:7', 'issue_updated', { issueId: '7', i })),
    );

    for (const reader of readers) {
      await reader.waitForCount((m) => m.type === 'event', 50);
      const events = reader.events('issue:7');
      expect(events.map((m) => m.offset)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
      expect(events.map((m) => (m.data as { i: number }).i).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 50 }, (_, i) => i),
      );
    }
  });

  it('counts every frame it sends in falcon_hub_messages_sent_total', async () => {
    running = await startTestHub();
    const readers = await Promise.all([1, 2].map(() => subscriber('issue:7')));
    for (let i = 0; i < 10; i++) await running.hub.publish('issue:7', 'issue_updated', { issueId: '7', i });
    for (const reader of readers) await reader.waitForCount((m) => m.type === 'event', 10);

    const received = readers.reduce((sum, reader) => sum + reader.messages.length, 0);
    // connected + subscribed + 10 events, per reader
    expect(received).toBe(24);
    expect(await metricValue(running.hub, 'falcon_hub_messages_sent_total')).toBe(received);
  });

  it('closes each connection with 4001 when its own token expires, from one expiry queue', async () => {
    running = await startTestHub();
    const brief = await subscriber('issue:7', 2);
    const lasting = await subscriber('issue:7', 3600);

    expect(await brief.closed).toBe(4001);
    await lasting.roundTrip();
    expect(lasting.closeCode).toBeNull();
    await running.hub.publish('issue:7', 'issue_updated', { issueId: '7' });
    await lasting.waitFor((m) => m.type === 'event');
  });
});
