import { afterEach, describe, expect, it } from 'vitest';
import type { RunningHub } from '../../src/server/index';
import { TestClient, startTestHub, token } from '../helpers/hub';

const SEED_SERVER_TYPES = new Set(['connected', 'subscribed', 'unsubscribed', 'pong', 'event', 'error']);

let running: RunningHub;
afterEach(async () => {
  await running?.close();
});

describe('Hub with a client written exactly to the seed', () => {
  it('connects, subscribes, receives every seed event shape, pings and unsubscribes', async () => {
    running = await startTestHub();
    // The seed's URL shape: ws://host:port/ws?token=…
    const client = await TestClient.connect(`${running.wsUrl}?token=${await token()}`);
    const connected = client.messages[0];
    expect(connected.type).toBe('connected');
    expect(typeof connected.clientId).toBe('string');

    client.send({ type: 'subscribe', channel: 'issue:123' });
    client.send({ type: 'subscribe', channel: 'agent:opus-1' });
    client.send({ type: 'subscribe', channel: 'project:my-project' });
    await client.waitForCount((m) => m.type === 'subscribed', 3);

    const { hub } = running;
    await hub.publish('project:my-project', 'issue_created', { issueId: '123', title: 'Fix login', status: 'todo' });
    await hub.publish('issue:123', 'issue_updated', { issueId: '123', title: 'Fix login flow' });
    await hub.publish('issue:123', 'status_changed', { issueId: '123', oldStatus: 'in_progress', newStatus: 'done' });
    await hub.publish('issue:123', 'stage_changed', { issueId: '123', oldStage: 'test', newStage: 'review' });
    await hub.publish('issue:123', 'agent_assigned', { issueId: '123', agentId: 'opus-1' });
    await hub.publish('agent:opus-1', 'agent_started', { agentId: 'opus-1', issueId: '123', stage: 'implement' });
    await hub.emitAgentOutput('opus-1', 'npm test\n');
    hub.streamAgentOutput('opus-1', 'line 1\n');
    hub.streamAgentOutput('opus-1', 'line 2\n');

    const events = await client.waitForCount((m) => m.type === 'event', 8);
    expect(events.map((m) => m.event)).toEqual([
      'issue_created',
      'issue_updated',
      'status_changed',
      'stage_changed',
      'agent_assigned',
      'agent_started',
      'output',
      'output_batch',
    ]);
    expect(events[2]).toMatchObject({
      type: 'event',
      channel: 'issue:123',
      event: 'status_changed',
      data: { issueId: '123', oldStatus: 'in_progress', newStatus: 'done' },
    });
    expect(events[6].data).toMatchObject({ content: 'npm test\n' });
    expect(typeof (events[6].data as { timestamp: unknown }).timestamp).toBe('number');
    expect(events[7].data).toMatchObject({ lines: ['line 1\n', 'line 2\n'] });

    client.send({ type: 'ping' });
    await client.waitFor((m) => m.type === 'pong');
    client.send({ type: 'unsubscribe', channel: 'issue:123' });
    await client.waitFor((m) => m.type === 'unsubscribed' && m.channel === 'issue:123');

    // Nothing the seed does not know was sent without being asked for.
    expect(client.messages.every((m) => SEED_SERVER_TYPES.has(m.type))).toBe(true);
    const subscribed = client.messages.find((m) => m.type === 'subscribed');
    expect(subscribed).not.toHaveProperty('recovered');
    await client.close();
  });

  it('answers a malformed frame with an error and keeps the connection', async () => {
    running = await startTestHub();
    const client = await TestClient.connect(`${running.wsUrl}?token=${await token()}`);
    client.send('{not json');
    const error = await client.waitFor((m) => m.type === 'error');
    expect(typeof error.message).toBe('string');
    client.send({ type: 'ping' });
    await client.waitFor((m) => m.type === 'pong');
    await client.close();
  });

  it('stops delivering a channel after unsubscribe', async () => {
    running = await startTestHub();
    const client = await TestClient.connect(`${running.wsUrl}?token=${await token()}`);
    client.send({ type: 'subscribe', channel: 'issue:1' });
    client.send({ type: 'subscribe', channel: 'issue:2' });
    await client.waitForCount((m) => m.type === 'subscribed', 2);
    client.send({ type: 'unsubscribe', channel: 'issue:1' });
    await client.waitFor((m) => m.type === 'unsubscribed');
    await running.hub.publish('issue:1', 'issue_updated', { issueId: '1', title: 'hidden' });
    await running.hub.publish('issue:2', 'issue_updated', { issueId: '2', title: 'shown' });
    await client.waitFor((m) => m.type === 'event' && m.channel === 'issue:2');
    expect(client.events('issue:1')).toEqual([]);
    await client.close();
  });
});
