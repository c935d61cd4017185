import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/shared/errors';
import { MAX_URGENT_CHANNELS } from '../../src/shared/protocol';
import type { RunningHub } from '../../src/server/index';
import type { TestClient } from '../helpers/hub';
import { HubFixture } from '../helpers/hub-fixture';
import { metricValue } from '../helpers/probes';

const fixture = new HubFixture();
afterEach(() => fixture.dispose());

/**
 * A normal batch waits ten minutes here: output that arrives within a test
 * was flushed by the urgent cadence, and output that must wait never arrives
 * by chance. No assertion reads a clock.
 */
const SLOW_BATCHES = { outputBatch: { intervalMs: 10 * 60_000 }, rateLimit: { perSecond: 1000, burst: 1000 } };

async function hubAndClient(): Promise<{ running: RunningHub; client: TestClient }> {
  const running = await fixture.startHub(SLOW_BATCHES);
  return { running, client: await fixture.connect(running) };
}

async function subscribed(client: TestClient, channel: string, extra: Record<string, unknown> = {}): Promise<void> {
  const from = client.messages.length;
  client.send({ type: 'subscribe', channel, ...extra });
  await client.waitFor((m) => m.type === 'subscribed' && m.channel === channel, 5000, from);
}

const errorsOf = (client: TestClient, code: ErrorCode) =>
  client.messages.filter((m) => m.type === 'error' && m.code === code);

describe('Hub urgent channels', () => {
  it('announces the urgent feature in connected', async () => {
    const { client } = await hubAndClient();
    const connected = client.messages.find((m) => m.type === 'connected');
    expect(connected?.features).toContain('urgent');
  });

  it("flushes an urgent subscriber's agent output at once while a normal channel waits for its batch", async () => {
    const { running, client } = await hubAndClient();
    await subscribed(client, 'agent:focused', { urgent: true });
    await subscribed(client, 'agent:other');
    running.hub.streamAgentOutput('other', 'later\n');
    running.hub.streamAgentOutput('focused', 'now\n');
    const event = await client.waitFor((m) => m.type === 'event' && m.channel === 'agent:focused');
    expect(event).toMatchObject({ event: 'output_batch', data: { lines: ['now\n'] } });
    await client.roundTrip();
    expect(client.events('agent:other')).toEqual([]);
    expect(running.hub.pendingOutputAgents).toBe(1);
  });

  it('changes urgency with focus, without subscribing again', async () => {
    const { running, client } = await hubAndClient();
    await subscribed(client, 'agent:a');
    running.hub.streamAgentOutput('a', 'waiting\n');
    client.send({ type: 'focus', channel: 'agent:a', urgent: true });
    // The output already waiting is brought forward.
    await client.waitFor((m) => m.type === 'event' && m.channel === 'agent:a');
    expect(running.hub.urgentAgents.isUrgent('a')).toBe(true);
    client.send({ type: 'focus', channel: 'agent:a', urgent: false });
    await client.roundTrip();
    expect(running.hub.urgentAgents.isUrgent('a')).toBe(false);
    expect(client.messages.filter((m) => m.type === 'subscribed')).toHaveLength(1);
    expect(client.messages.filter((m) => m.type === 'error')).toEqual([]);
  });

  it('keeps an agent urgent while any connection wants it, and drops a closed connection’s urgency', async () => {
    const { running, client } = await hubAndClient();
    const second = await fixture.connect(running);
    await subscribed(client, 'agent:shared', { urgent: true });
    await subscribed(second, 'agent:shared', { urgent: true });
    client.send({ type: 'focus', channel: 'agent:shared', urgent: false });
    await client.roundTrip();
    expect(running.hub.urgentAgents.isUrgent('shared')).toBe(true);
    expect(await metricValue(running.hub, 'falcon_hub_urgent_agents')).toBe(1);
    await second.close();
    await expect.poll(() => running.hub.urgentAgents.isUrgent('shared')).toBe(false);
    expect(await metricValue(running.hub, 'falcon_hub_urgent_agents')).toBe(0);
  });

  it('drops urgency with the subscription', async () => {
    const { running, client } = await hubAndClient();
    await subscribed(client, 'agent:a', { urgent: true });
    expect(running.hub.urgentAgents.isUrgent('a')).toBe(true);
    client.send({ type: 'unsubscribe', channel: 'agent:a' });
    await client.waitFor((m) => m.type === 'unsubscribed');
    expect(running.hub.urgentAgents.isUrgent('a')).toBe(false);
    expect(running.hub.urgentAgents.size).toBe(0);
  });

  it('answers focus on a channel it is not subscribed to with not_subscribed', async () => {
    const { running, client } = await hubAndClient();
    client.send({ type: 'focus', channel: 'agent:stranger', urgent: true });
    const error = await client.waitFor((m) => m.type === 'error');
    expect(error).toMatchObject({ code: ErrorCode.NotSubscribed, channel: 'agent:stranger' });
    expect(running.hub.urgentAgents.isUrgent('stranger')).toBe(false);
    expect(client.closeCode).toBeNull();
  });

  it(`refuses a ${MAX_URGENT_CHANNELS + 1}th urgent channel with too_many_urgent, keeping the subscription`, async () => {
    const { running, client } = await hubAndClient();
    for (let i = 0; i < MAX_URGENT_CHANNELS; i++) await subscribed(client, `agent:a${i}`, { urgent: true });
    expect(errorsOf(client, ErrorCode.TooManyUrgent)).toEqual([]);
    await subscribed(client, 'agent:extra', { urgent: true });
    expect(errorsOf(client, ErrorCode.TooManyUrgent)).toMatchObject([{ channel: 'agent:extra' }]);
    expect(running.hub.urgentAgents.isUrgent('extra')).toBe(false);
    client.send({ type: 'focus', channel: 'agent:extra', urgent: true });
    await client.waitForCount((m) => m.type === 'error' && m.code === ErrorCode.TooManyUrgent, 2);
    // One given back makes room.
    client.send({ type: 'focus', channel: 'agent:a0', urgent: false });
    client.send({ type: 'focus', channel: 'agent:extra', urgent: true });
    await client.roundTrip();
    expect(running.hub.urgentAgents.isUrgent('extra')).toBe(true);
    expect(running.hub.urgentAgents.size).toBe(MAX_URGENT_CHANNELS);
    expect(errorsOf(client, ErrorCode.TooManyUrgent)).toHaveLength(2);
  });

  it('accepts urgency on board channels without counting it (only agent output is batched)', async () => {
    const { running, client } = await hubAndClient();
    for (let i = 0; i <= MAX_URGENT_CHANNELS; i++) await subscribed(client, `project:p${i}`, { urgent: true });
    client.send({ type: 'focus', channel: 'project:p0', urgent: false });
    await client.roundTrip();
    expect(client.messages.filter((m) => m.type === 'error')).toEqual([]);
    expect(running.hub.urgentAgents.size).toBe(0);
  });

  it.each([
    ['focus without urgent', { type: 'focus', channel: 'agent:a' }, ErrorCode.InvalidMessage],
    ['focus with a string urgent', { type: 'focus', channel: 'agent:a', urgent: 'yes' }, ErrorCode.InvalidMessage],
    ['focus on an invalid channel', { type: 'focus', channel: 'agent:../a', urgent: true }, ErrorCode.InvalidChannel],
    ['subscribe with a numeric urgent', { type: 'subscribe', channel: 'agent:a', urgent: 1 }, ErrorCode.InvalidMessage],
  ])('answers %s with its code and stays usable', async (_name, frame, code) => {
    const { running, client } = await hubAndClient();
    client.send(frame);
    expect(await client.waitFor((m) => m.type === 'error')).toMatchObject({ code });
    expect(running.hub.urgentAgents.size).toBe(0);
    await subscribed(client, 'agent:a', { urgent: true });
    expect(running.hub.urgentAgents.isUrgent('a')).toBe(true);
  });
});
