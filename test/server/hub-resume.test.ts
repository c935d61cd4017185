import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningHub } from '../../src/server/index';
import { TEST_ENGINE, TestClient, startTestHub, token } from '../helpers/hub';
import { eventually, metricValue } from '../helpers/probes';

let running: RunningHub;
const clients: TestClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await running?.close();
});

async function connect(): Promise<TestClient> {
  const client = await TestClient.connect(`${running.wsUrl}?token=${await token()}`);
  clients.push(client);
  return client;
}

async function publishMany(channel: string, count: number, from = 0): Promise<void> {
  for (let i = 0; i < count; i++) {
    await running.hub.publish(channel, 'issue_updated', { issueId: '7', title: `update ${from + i}` });
  }
}

function offsetsOf(client: TestClient, channel: string): number[] {
  return client.events(channel).map((m) => m.offset as number);
}

function expectContiguous(offsets: number[], first: number, last: number): void {
  expect(offsets.length).toBe(last - first + 1);
  offsets.forEach((offset, index) => expect(offset).toBe(first + index));
}

describe('Hub resume', () => {
  it('replays every event missed while away, in order, none twice', async () => {
    running = await startTestHub();
    const first = await connect();
    first.send({ type: 'subscribe', channel: 'issue:7' });
    const subscribed = await first.waitFor((m) => m.type === 'subscribed');
    await publishMany('issue:7', 5);
    const seen = await first.waitForCount((m) => m.type === 'event', 5);
    const last = seen[seen.length - 1];
    await first.close();

    await publishMany('issue:7', 500, 5);
    const again = await connect();
    again.send({ type: 'subscribe', channel: 'issue:7', since: { epoch: last.epoch, offset: last.offset } });
    const resumed = await again.waitFor((m) => m.type === 'subscribed');
    expect(resumed).toMatchObject({ recovered: true, offset: 5, epoch: subscribed.epoch, replayed: 500 });
    await again.waitForCount((m) => m.type === 'event', 500);
    expectContiguous(offsetsOf(again, 'issue:7'), 6, 505);
    expect((again.events()[0].data as { title: string }).title).toBe('update 5');
  });

  it('keeps order and drops nothing when events are published while the replay runs', async () => {
    // A small send buffer makes the replay pace itself, so live events are held meanwhile.
    running = await startTestHub({ maxBufferedBytes: 48 * 1024 });
    await publishMany('issue:7', 300);
    const client = await connect();
    const epoch = (running.hub.engine as { epoch?: string }).epoch;
    client.send({ type: 'subscribe', channel: 'issue:7', since: { epoch, offset: 10 } });
    const subscribed = client.waitFor((m) => m.type === 'subscribed');
    // Publish on later turns of the event loop, so the replay and the live stream interleave.
    for (let i = 0; i < 700; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      await running.hub.publish('issue:7', 'issue_updated', { issueId: '7', title: `live ${i}` });
    }
    const answer = await subscribed;
    expect(answer.recovered).toBe(true);
    expect(answer.replayed).toBeGreaterThanOrEqual(290);
    await client.waitForCount((m) => m.type === 'event', 990);
    expectContiguous(offsetsOf(client, 'issue:7'), 11, 1000);
  });

  it('paces a long replay to a client that stops reading, and finishes it once the client reads again', async () => {
    // 16 KiB is below twice the socket's own high-water mark (16 KiB on Node 20, 64 KiB from Node 22):
    // the replay waits while the socket holds less than that mark, when the socket emits no 'drain'.
    const maxBufferedBytes = 16 * 1024;
    const count = 4000;
    running = await startTestHub({ maxBufferedBytes, history: { size: count, maxBytes: 64 * 1024 * 1024 } });
    for (let i = 0; i < count; i++) {
      await running.hub.publish('issue:7', 'note', { issueId: '7', i, text: 'x'.repeat(1024) });
    }
    // The hub's end of the connection, seen through the server's own 'upgrade' event.
    let serverSocket: Duplex | undefined;
    const onUpgrade = (_request: IncomingMessage, socket: Duplex): void => void (serverSocket ??= socket);
    running.server.on('upgrade', onUpgrade);
    const client = await connect();
    running.server.off('upgrade', onUpgrade);
    const socket = serverSocket!;
    const listeners = (): number[] => ['drain', 'close', 'error'].map((name) => socket.listenerCount(name));
    const baseline = listeners();
    const epoch = (running.hub.engine as { epoch?: string }).epoch;

    client.ws.pause();
    client.send({ type: 'subscribe', channel: 'issue:7', since: { epoch, offset: 0 } });
    // The kernel's buffers are full and the hub holds back the rest of the replay.
    await eventually(() => socket.writableLength > maxBufferedBytes / 4, 'the socket to back up');
    expect(await metricValue(running.hub, 'falcon_hub_messages_sent_total')).toBeLessThan(count);
    client.ws.resume();

    await client.waitForCount((m) => m.type === 'event', count, 20_000);
    expectContiguous(offsetsOf(client, 'issue:7'), 1, count);
    expect(client.closeCode).toBeNull();
    expect(await metricValue(running.hub, 'falcon_hub_slow_consumer_closes_total')).toBe(0);
    // Live again after the replay, and nothing left listening on the socket.
    await running.hub.publish('issue:7', 'note', { issueId: '7', i: count });
    await client.waitForCount((m) => m.type === 'event', count + 1);
    expect(listeners()).toEqual(baseline);
  });

  it('answers recovered:false when history overflowed', async () => {
    running = await startTestHub({ history: { size: 100 } });
    await publishMany('issue:7', 10);
    const epoch = (running.hub.engine as { epoch?: string }).epoch;
    await publishMany('issue:7', 200, 10);
    const client = await connect();
    client.send({ type: 'subscribe', channel: 'issue:7', since: { epoch, offset: 10 } });
    const subscribed = await client.waitFor((m) => m.type === 'subscribed');
    expect(subscribed).toMatchObject({ recovered: false, offset: 210, replayed: 0 });
    await publishMany('issue:7', 1, 210);
    await client.waitFor((m) => m.type === 'event');
    expect(offsetsOf(client, 'issue:7')).toEqual([211]);
  });

  it('answers recovered:false when history overflowed its byte bound, and replays what it kept', async () => {
    running = await startTestHub({ history: { maxBytes: 64 * 1024 } });
    const note = (i: number) => running.hub.publish('issue:7', 'note', { i, text: 'x'.repeat(10 * 1024) });
    await note(0);
    const epoch = (running.hub.engine as { epoch?: string }).epoch;
    for (let i = 1; i < 20; i++) await note(i);
    const client = await connect();
    client.send({ type: 'subscribe', channel: 'issue:7', since: { epoch, offset: 1 } });
    expect(await client.waitFor((m) => m.type === 'subscribed')).toMatchObject({ recovered: false, offset: 20 });
    // The newest events, within 64 KiB, are still replayed to a client that saw offset 15.
    const recent = await connect();
    recent.send({ type: 'subscribe', channel: 'issue:7', since: { epoch, offset: 15 } });
    expect(await recent.waitFor((m) => m.type === 'subscribed')).toMatchObject({ recovered: true, replayed: 5 });
  });

  it.skipIf(TEST_ENGINE === 'redis')(
    'answers recovered:false for a channel the in-memory hub forgot, whose events go on under a new epoch',
    async () => {
      running = await startTestHub({ memory: { maxChannels: 2 } });
      const live = await connect();
      live.send({ type: 'subscribe', channel: 'issue:a' });
      await live.waitFor((m) => m.type === 'subscribed');
      const first = await running.hub.publish('issue:a', 'note', { n: 1 });
      await running.hub.publish('issue:b', 'note', {});
      await running.hub.publish('issue:c', 'note', {});
      const again = await running.hub.publish('issue:a', 'note', { n: 2 });
      expect(again.offset).toBe(1);
      expect(again.epoch).not.toBe(first.epoch);
      // The live subscriber sees the epoch change, so its client resyncs rather than take offset 1 for a duplicate.
      const events = await live.waitForCount((m) => m.type === 'event', 2);
      expect(events.map((m) => [m.epoch, m.offset])).toEqual([
        [first.epoch, 1],
        [again.epoch, 1],
      ]);
      const resumed = await connect();
      resumed.send({ type: 'subscribe', channel: 'issue:a', since: { epoch: first.epoch, offset: 1 } });
      expect(await resumed.waitFor((m) => m.type === 'subscribed')).toMatchObject({
        recovered: false,
        epoch: again.epoch,
      });
    },
  );

  it('answers recovered:false when the history is older than its TTL', async () => {
    running = await startTestHub({ history: { ttlMs: 50 } });
    await publishMany('issue:7', 3);
    const epoch = (running.hub.engine as { epoch?: string }).epoch;
    await new Promise((resolve) => setTimeout(resolve, 120));
    await publishMany('issue:7', 2, 3);
    const client = await connect();
    client.send({ type: 'subscribe', channel: 'issue:7', since: { epoch, offset: 1 } });
    expect(await client.waitFor((m) => m.type === 'subscribed')).toMatchObject({ recovered: false });
  });

  it('answers recovered:false after a restart lost the history (new epoch)', async () => {
    running = await startTestHub();
    await publishMany('issue:7', 3);
    const oldEpoch = (running.hub.engine as { epoch?: string }).epoch;
    await running.close();
    running = await startTestHub();
    await publishMany('issue:7', 3);
    const client = await connect();
    client.send({ type: 'subscribe', channel: 'issue:7', since: { epoch: oldEpoch, offset: 3 }, snapshot: true });
    const subscribed = await client.waitFor((m) => m.type === 'subscribed');
    expect(subscribed.recovered).toBe(false);
    expect(subscribed.epoch).not.toBe(oldEpoch);
    // Not resumed, so the snapshot it asked for comes first, then the new epoch from its start.
    const snapshot = client.messages.find((m) => m.type === 'snapshot');
    expect(snapshot?.data).toMatchObject({ issues: [{ issueId: '7', title: 'update 2' }] });
    expect(subscribed).toMatchObject({ offset: 0, replayed: 3 });
    await client.waitForCount((m) => m.type === 'event', 3);
    expect(offsetsOf(client, 'issue:7')).toEqual([1, 2, 3]);
  });

  it('sends no snapshot or tail when the resume succeeds', async () => {
    running = await startTestHub();
    running.hub.streamAgentOutput('a1', 'hello\n');
    await running.hub.publish('agent:a1', 'agent_status', { agentId: 'a1', status: 'working' });
    const epoch = (running.hub.engine as { epoch?: string }).epoch;
    const client = await connect();
    client.send({ type: 'subscribe', channel: 'agent:a1', since: { epoch, offset: 1 }, snapshot: true, tail: 100 });
    await client.waitFor((m) => m.type === 'subscribed' && m.recovered === true);
    expect(client.messages.some((m) => m.type === 'snapshot' || m.type === 'tail')).toBe(false);
  });

  it('gives a new pane the output tail, then continues live after it', async () => {
    running = await startTestHub({ outputBatch: { intervalMs: 10 } });
    const watcher = await connect();
    watcher.send({ type: 'subscribe', channel: 'agent:a1' });
    await watcher.waitFor((m) => m.type === 'subscribed');
    running.hub.streamAgentOutput('a1', 'one\ntwo\nthr');
    running.hub.streamAgentOutput('a1', 'ee\nfour\n');
    // The batch is published (and stored) once a subscriber has it.
    await watcher.waitFor((m) => m.type === 'event' && m.event === 'output_batch');
    await running.hub.publish('agent:a1', 'agent_status', { agentId: 'a1', status: 'waiting_for_input' });
    const client = await connect();
    client.send({ type: 'subscribe', channel: 'agent:a1', tail: 3 });
    const tail = await client.waitFor((m) => m.type === 'tail');
    expect(tail.lines).toEqual(['two\n', 'three\n', 'four\n']);
    const subscribed = await client.waitFor((m) => m.type === 'subscribed');
    expect(subscribed.offset).toBe(tail.offset);
    // The status event after the last output is replayed, not lost.
    const status = await client.waitFor((m) => m.type === 'event');
    expect(status).toMatchObject({ event: 'agent_status', offset: 2 });
    running.hub.streamAgentOutput('a1', 'five\n');
    const live = await client.waitFor((m) => m.type === 'event' && m.event === 'output_batch');
    expect(live).toMatchObject({ offset: 3, data: { lines: ['five\n'] } });
  });

  it('gives a project subscriber the board snapshot first', async () => {
    running = await startTestHub();
    const { hub } = running;
    await hub.publish('project:p', 'issue_created', { issueId: '1', projectId: 'p', title: 'A', status: 'todo' });
    await hub.publish('project:p', 'issue_created', { issueId: '2', projectId: 'p', title: 'B', status: 'todo' });
    await hub.publish('project:q', 'issue_created', { issueId: '3', projectId: 'q', title: 'C', status: 'todo' });
    await hub.publish('project:p', 'status_changed', {
      issueId: '2',
      projectId: 'p',
      oldStatus: 'todo',
      newStatus: 'in_progress',
    });
    await hub.publish('agent:a', 'agent_status', { agentId: 'a', status: 'failed', issueId: '2', projectId: 'p' });
    const client = await connect();
    client.send({ type: 'subscribe', channel: 'project:p', snapshot: true });
    const snapshot = await client.waitFor((m) => m.type === 'snapshot');
    const data = snapshot.data as {
      issues: Array<{ issueId: string; status: string }>;
      agents: Array<{ agentId: string; status: string }>;
    };
    expect(data.issues.map((issue) => [issue.issueId, issue.status]).sort()).toEqual([
      ['1', 'todo'],
      ['2', 'in_progress'],
    ]);
    expect(data.agents).toMatchObject([{ agentId: 'a', status: 'failed', issueId: '2' }]);
    await client.waitFor((m) => m.type === 'subscribed');
    expect(client.messages.findIndex((m) => m.type === 'snapshot')).toBeLessThan(
      client.messages.findIndex((m) => m.type === 'subscribed'),
    );
  });

  it('keeps an issue published on its project channel without a projectId in that project snapshot (it used to vanish on reload)', async () => {
    running = await startTestHub();
    const { hub } = running;
    // Seed-style publishers name no projectId on their project's channel.
    await hub.publish('project:alpha', 'issue_created', { issueId: '42', title: 'No project in the payload' });
    await hub.publish('project:alpha', 'status_changed', { issueId: '42', newStatus: 'in_progress' });
    await hub.publish('project:beta', 'issue_created', { issueId: '43', projectId: 'beta', title: 'Elsewhere' });
    const client = await connect();
    client.send({ type: 'subscribe', channel: 'project:alpha', snapshot: true });
    const snapshot = await client.waitFor((m) => m.type === 'snapshot');
    const issues = (snapshot.data as { issues: Array<Record<string, unknown>> }).issues;
    expect(issues).toMatchObject([{ issueId: '42', projectId: 'alpha', status: 'in_progress' }]);
    expect(issues).toHaveLength(1);
  });
});
