import { afterEach, describe, expect, inject, it } from 'vitest';
import type { Delivery } from '../../src/shared/delivery';
import type { RunningHub } from '../../src/server/index';
import { RecordingConnection } from '../helpers/client';
import { TestClient, startTestHub, token } from '../helpers/hub';
import { RedisServer, redisServerPath } from '../helpers/redis';
import { TcpProxy } from '../helpers/tcp-proxy';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

const sharedRedis = inject('redisUrl');
let deployment = 0;

/** Hubs of one deployment: one Redis, one key prefix. */
async function hubs(count: number, redisUrl = sharedRedis): Promise<RunningHub[]> {
  const prefix = `falcon-scale:${process.pid}:${++deployment}:`;
  const started: RunningHub[] = [];
  for (let i = 0; i < count; i++) {
    const running = await startTestHub({ redisPrefix: prefix, ...(redisUrl !== sharedRedis ? { redisUrl } : {}) });
    cleanup.push(() => running.close());
    started.push(running);
  }
  return started;
}

/** Output as the client core decodes it; these streams count every event, so nothing is joined. */
type Event = Extract<Delivery, { kind: 'output' }>;
const eventsOf = (client: RecordingConnection, channel: string): Event[] => client.outputs(channel);
const oneDeliveryPerEvent = { joinOutput: false } as const;

function expectExactlyOnceInOrder(events: Event[], count: number): void {
  expect(events.map((e) => e.offset)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
}

describe.skipIf(!sharedRedis)('Scale-out on Redis', () => {
  it('delivers to a client on hub A what is published on hub B, in order', async () => {
    const [a, b] = await hubs(2);
    const client = new RecordingConnection({ urls: a.wsUrl, token: await token(), batch: oneDeliveryPerEvent });
    cleanup.push(() => client.connection.close());
    client.connection.subscribe('agent:x');
    client.connection.start();
    await client.waitFor((d) => d.kind === 'subscribed');
    for (let i = 1; i <= 300; i++) await b.hub.publish('agent:x', 'output', { timestamp: i, content: `${i}\n` });
    await client.waitFor((d) => d.kind === 'output', 300);
    expect(client.text('agent:x')).toBe(Array.from({ length: 300 }, (_, i) => `${i + 1}\n`).join(''));
    expectExactlyOnceInOrder(eventsOf(client, 'agent:x'), 300);
  });

  it('loses, duplicates and reorders nothing when hub A dies mid-stream and the client moves to hub B', async () => {
    const [a, b] = await hubs(2);
    const proxyA = await new TcpProxy(a.port).listen();
    cleanup.push(() => proxyA.close());
    const client = new RecordingConnection({
      urls: [proxyA.url(), b.wsUrl],
      token: await token(),
      backoff: { initialDelayMs: 20, maxDelayMs: 50 },
      batch: oneDeliveryPerEvent,
    });
    cleanup.push(() => client.connection.close());
    client.connection.subscribe('agent:stream');
    client.connection.start();
    await client.waitFor((d) => d.kind === 'subscribed');
    let published = 0;
    const started = Date.now();
    let killed = false;
    while (Date.now() - started < 2000) {
      // 1 000 events/s, alternating the publishing hub.
      const due = Math.floor(Date.now() - started);
      for (; published < due; published++) {
        const via = published % 2 ? a : b;
        await via.hub.publish('agent:stream', 'output', { timestamp: published, content: `${published + 1}\n` });
      }
      if (!killed && Date.now() - started > 700) {
        // Hub A vanishes: its connections reset, and it is unreachable from now on.
        proxyA.blackhole();
        proxyA.dropAll();
        killed = true;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await client.waitFor((d) => d.kind === 'output', published, 15_000);
    expect(client.connection.state.url).toBe(b.wsUrl);
    expectExactlyOnceInOrder(eventsOf(client, 'agent:stream'), published);
    expect(client.notices('resync')).toEqual([]);
    expect(client.notices('gap')).toEqual([]);
  });

  it('gives every client exactly the events of its channels: 3 hubs × 100 clients × 10 channels', async () => {
    const three = await hubs(3);
    const channels = Array.from({ length: 10 }, (_, i) => `issue:${i}`);
    const jwt = await token();
    const clients: Array<{ client: TestClient; channels: string[] }> = [];
    for (let i = 0; i < 100; i++) {
      const hub = three[i % 3];
      const mine = channels.filter((_, c) => (i + c) % 3 === 0);
      const client = await TestClient.connect(`${hub.wsUrl}?token=${jwt}`);
      cleanup.push(() => client.close());
      for (const channel of mine) client.send({ type: 'subscribe', channel });
      clients.push({ client, channels: mine });
    }
    await Promise.all(
      clients.map(({ client, channels: mine }) => client.waitForCount((m) => m.type === 'subscribed', mine.length)),
    );
    const perChannel = 20;
    for (let n = 1; n <= perChannel; n++) {
      for (const [c, channel] of channels.entries()) {
        await three[(n + c) % 3].hub.publish(channel, 'issue_updated', {
          issueId: String(c),
          title: `${channel} #${n}`,
        });
      }
    }
    for (const { client, channels: mine } of clients) {
      const events = await client.waitForCount((m) => m.type === 'event', mine.length * perChannel);
      await new Promise((resolve) => setImmediate(resolve));
      expect(client.events().length).toBe(mine.length * perChannel);
      expect(new Set(events.map((m) => m.channel))).toEqual(new Set(mine));
      for (const channel of mine) {
        expect(client.events(channel).map((m) => m.offset)).toEqual(
          Array.from({ length: perChannel }, (_, i) => i + 1),
        );
      }
    }
  });
});

describe.skipIf(!redisServerPath())('Scale-out when Redis restarts', () => {
  it('keeps serving, fails publishes fast, recovers by itself, and never leaves a silent gap', async () => {
    const redis = await RedisServer.start(redisServerPath() as string);
    cleanup.push(() => redis.stop());
    const [a, b] = await hubs(2, redis.url);
    const client = new RecordingConnection({
      urls: a.wsUrl,
      token: await token(),
      backoff: { initialDelayMs: 20, maxDelayMs: 200 },
      batch: oneDeliveryPerEvent,
    });
    cleanup.push(() => client.connection.close());
    client.connection.subscribe('agent:stream');
    client.connection.start();
    await client.waitFor((d) => d.kind === 'subscribed');

    const succeeded: Array<{ offset: number; epoch: string }> = [];
    let failedFast = 0;
    let restarted = false;
    const started = Date.now();
    let n = 0;
    while (Date.now() - started < 3000) {
      const due = Math.floor(Date.now() - started);
      for (; n < due; n++) {
        try {
          succeeded.push(await b.hub.publish('agent:stream', 'output', { timestamp: n, content: `${n}\n` }));
        } catch (error) {
          expect((error as { code?: string }).code).toBe('unavailable');
          failedFast++;
        }
      }
      if (!restarted && Date.now() - started > 800) {
        restarted = true;
        await redis.stop();
        // While Redis is down the hubs keep their connections and report it.
        await expect.poll(async () => (await fetch(`${a.url}/healthz`)).status).toBe(503);
        expect(a.hub.connectionCount).toBe(1);
        // The publishing hub knows too, and refuses a publish at once rather than holding it for later.
        await expect.poll(async () => (await fetch(`${b.url}/healthz`)).status).toBe(503);
        await expect(
          b.hub.publish('agent:stream', 'output', { timestamp: 0, content: 'while Redis is down\n' }),
        ).rejects.toMatchObject({ code: 'unavailable' });
        failedFast++;
        await redis.restart();
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(failedFast).toBeGreaterThan(0);
    const lastEpoch = succeeded.at(-1)?.epoch;
    const afterRestart = succeeded.filter((s) => s.epoch === lastEpoch);
    expect(afterRestart.length).toBeGreaterThan(100);
    expect(lastEpoch).not.toBe(succeeded[0].epoch);
    // Every event published after the restart arrives, once, in order…
    await expect
      .poll(() => eventsOf(client, 'agent:stream').filter((e) => e.epoch === lastEpoch).length, { timeout: 15_000 })
      .toBe(afterRestart.length);
    const events = client.deliveries.filter((d) => d.kind === 'output' || d.kind === 'resync' || d.kind === 'gap');
    const fresh = events.filter((d): d is Event => d.kind === 'output' && d.epoch === lastEpoch);
    expect(fresh.map((e) => e.offset)).toEqual(afterRestart.map((s) => s.offset));
    // …and the lost history is announced before the new epoch's first event: never a silent gap.
    const firstNew = events.findIndex((d) => d.kind === 'output' && d.epoch === lastEpoch);
    expect(events.slice(0, firstNew).some((d) => d.kind === 'resync')).toBe(true);
    await expect.poll(async () => (await fetch(`${a.url}/healthz`)).status).toBe(200);
  });
});
