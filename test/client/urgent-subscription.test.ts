import { afterEach, describe, expect, it } from 'vitest';
import type { RunningHub } from '../../src/server/index';
import { RecordingConnection } from '../helpers/client';
import { startTestHub, token } from '../helpers/hub';
import { ScriptedServer } from '../helpers/scripted-server';
import { TcpProxy } from '../helpers/tcp-proxy';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

/** A normal batch waits ten minutes: output that arrives during a test went out on the urgent cadence. */
async function hub(): Promise<RunningHub> {
  const running = await startTestHub({ outputBatch: { intervalMs: 10 * 60_000 } });
  cleanup.push(() => running.close());
  return running;
}

function record(options: ConstructorParameters<typeof RecordingConnection>[0]): RecordingConnection {
  const client = new RecordingConnection(options);
  cleanup.push(() => client.connection.close());
  return client;
}

describe('Urgent subscriptions of the client core', () => {
  it('subscribe with urgent: the hub flushes that agent at once and the output is delivered', async () => {
    const running = await hub();
    const client = record({ urls: running.wsUrl, token: await token() });
    client.connection.subscribe('agent:a', { urgent: true });
    client.connection.start();
    await client.waitFor((d) => d.kind === 'subscribed');
    expect(running.hub.urgentAgents.isUrgent('a')).toBe(true);
    running.hub.streamAgentOutput('a', 'hello\n');
    await client.waitFor((d) => d.kind === 'output');
    expect(client.text('agent:a')).toBe('hello\n');
  });

  it('setUrgent tells the hub with focus, without subscribing again', async () => {
    const running = await hub();
    const client = record({ urls: running.wsUrl, token: await token() });
    const handle = client.connection.subscribe('agent:a');
    client.connection.start();
    await client.waitFor((d) => d.kind === 'subscribed');
    expect(running.hub.urgentAgents.isUrgent('a')).toBe(false);
    handle.setUrgent(true);
    await expect.poll(() => running.hub.urgentAgents.isUrgent('a')).toBe(true);
    handle.setUrgent(false);
    await expect.poll(() => running.hub.urgentAgents.isUrgent('a')).toBe(false);
    expect(client.notices('subscribed')).toHaveLength(1);
    expect(client.notices('error')).toEqual([]);
  });

  it('keeps a channel urgent while any of its interests is, and drops it with the last urgent one', async () => {
    const running = await hub();
    const client = record({ urls: running.wsUrl, token: await token() });
    const plain = client.connection.subscribe('agent:a');
    client.connection.start();
    await client.waitFor((d) => d.kind === 'subscribed');
    const focused = client.connection.subscribe('agent:a', { urgent: true });
    await expect.poll(() => running.hub.urgentAgents.isUrgent('a')).toBe(true);
    focused();
    await expect.poll(() => running.hub.urgentAgents.isUrgent('a')).toBe(false);
    // Still subscribed through the other interest: output keeps coming (once the hub is told to hurry again).
    plain.setUrgent(true);
    await expect.poll(() => running.hub.urgentAgents.isUrgent('a')).toBe(true);
    running.hub.streamAgentOutput('a', 'still here\n');
    await client.waitFor((d) => d.kind === 'output');
  });

  it('re-sends urgency after a reconnect, including a change made while disconnected', async () => {
    const running = await hub();
    const proxy = await new TcpProxy(running.port).listen();
    cleanup.push(() => proxy.close());
    const client = record({
      urls: proxy.url(),
      token: await token(),
      backoff: { initialDelayMs: 10, maxDelayMs: 20 },
    });
    const handle = client.connection.subscribe('agent:a');
    client.connection.start();
    await client.waitFor((d) => d.kind === 'subscribed');
    // Focus moves while the connection is down: no focus can be sent, the resubscribe must carry it.
    const undo = client.connection.onState((state) => {
      if (state.status === 'reconnecting') handle.setUrgent(true);
    });
    proxy.dropAll();
    await client.waitFor((d) => d.kind === 'subscribed', 2);
    undo();
    expect(client.connection.stats.connects).toBe(2);
    await expect.poll(() => running.hub.urgentAgents.isUrgent('a')).toBe(true);
    running.hub.streamAgentOutput('a', 'after\n');
    await client.waitFor((d) => d.kind === 'output');
  });

  it('sends no focus to a hub that does not announce the urgent feature', async () => {
    const server = await ScriptedServer.start();
    cleanup.push(() => server.close());
    const client = record({ urls: server.url, token: null });
    const handle = client.connection.subscribe('agent:a', { urgent: true });
    client.connection.start();
    await client.waitFor((d) => d.kind === 'subscribed');
    handle.setUrgent(false);
    handle.setUrgent(true);
    // A ping is answered after every frame sent before it: the barrier that shows nothing else went out.
    client.connection.wake();
    await server.until(() => server.received.some((m) => m.type === 'ping'), 'a ping');
    expect(server.received.map((m) => m.type)).toEqual(['subscribe', 'ping']);
    expect(server.received[0]).toMatchObject({ urgent: true });
  });
});
