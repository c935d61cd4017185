import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import type { Principal } from '../../src/server/auth';
import { eventFrame } from '../../src/server/engine';
import type { RunningHub } from '../../src/server/index';
import { HubError } from '../../src/server/hub-error';
import { RedisEngine } from '../../src/server/redis/index';
import { type FeedMessage, parseFeedMessage } from '../../src/server/redis/feed-message';
import { DEFAULT_PUBLISH_BATCH_LIMITS } from '../../src/server/redis/publish-batch';
import { ErrorCode } from '../../src/shared/errors';
import { TestClient, startTestHub, token } from '../helpers/hub';

/**
 * The Redis engine sends a tick's publishes as one script call, and one
 * fan-out message per call: these tests publish many events in one tick
 * (no await between the calls) and check what each caller, each hub's
 * clients and the Redis feed itself see.
 */
const sharedRedis = inject('redisUrl');
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

let deployment = 0;
const newPrefix = () => `falcon-batch:${process.pid}:${++deployment}:`;

async function hubs(count: number, prefix: string): Promise<RunningHub[]> {
  const started: RunningHub[] = [];
  for (let i = 0; i < count; i++) {
    const running = await startTestHub({ redisPrefix: prefix });
    cleanup.push(() => running.close());
    started.push(running);
  }
  return started;
}

async function raw(): Promise<Redis> {
  const client = new Redis(sharedRedis);
  cleanup.push(() => client.quit());
  return client;
}

/** Every message on the deployment's fan-out channel, parsed as the hubs parse it. */
async function feed(prefix: string): Promise<{ messages: FeedMessage[] }> {
  const subscriber = await raw();
  const seen = { messages: [] as FeedMessage[] };
  subscriber.on('message', (_name: string, message: string) => {
    const parsed = parseFeedMessage(message);
    if ('dropped' in parsed) throw new Error(`unparsable feed message: ${parsed.dropped}`);
    seen.messages.push(parsed);
  });
  await subscriber.subscribe(`${prefix}events`);
  return seen;
}

async function watcher(hub: RunningHub, channels: string[]): Promise<TestClient> {
  const client = await TestClient.connect(`${hub.wsUrl}?token=${await token()}`);
  cleanup.push(() => client.close());
  for (const channel of channels) client.send({ type: 'subscribe', channel });
  await client.waitForCount((m) => m.type === 'subscribed', channels.length);
  return client;
}

const issue = (issueId: string, seq: number) => ({ issueId, projectId: 'p', title: `issue ${issueId}`, seq });

describe.skipIf(!sharedRedis)('Redis engine: one script call per tick', () => {
  it('publishes many events of one tick across channels in order, with gap-free offsets, to clients of both hubs', async () => {
    const prefix = newPrefix();
    const [a, b] = await hubs(2, prefix);
    const channels = ['project:p', 'issue:one', 'agent:x'];
    const [onA, onB] = [await watcher(a, channels), await watcher(b, channels)];
    const seen = await feed(prefix);
    const total = DEFAULT_PUBLISH_BATCH_LIMITS.maxPublishes + 44;
    // All in one tick (no await between them), interleaving the channels.
    const replies = await Promise.all(
      Array.from({ length: total }, (_, i) =>
        b.hub.publish(channels[i % 3]!, 'issue_updated', issue(`i${i % 7}`, i)).then((reply) => ({ i, reply })),
      ),
    );
    for (const [index, channel] of channels.entries()) {
      const mine = replies.filter(({ i }) => i % 3 === index);
      // Per channel, offsets follow the order of the calls, from 1 without a gap.
      expect(
        mine.map(({ reply }) => reply.offset),
        channel,
      ).toEqual(mine.map((_, n) => n + 1));
      for (const client of [onA, onB]) {
        const events = await client.waitForCount((m) => m.type === 'event' && m.channel === channel, mine.length);
        expect(events.map((m) => m.offset)).toEqual(mine.map((_, n) => n + 1));
        expect(events.map((m) => (m.data as { seq: number }).seq)).toEqual(mine.map(({ i }) => i));
      }
    }
    // One fan-out message per script call: the tick's publishes filled one call and began a second.
    expect(seen.messages).toHaveLength(2);
    const counted = seen.messages.map((m) => m.groups.reduce((sum, group) => sum + group.frames.length, 0));
    expect(counted).toEqual([DEFAULT_PUBLISH_BATCH_LIMITS.maxPublishes, 44]);
    // Each channel's events of one call are one group of consecutive offsets.
    expect(seen.messages[0]!.groups.map((g) => g.channel).sort()).toEqual([...channels].sort());
    // The board saw every write of the tick: the last of each issue's updates wins.
    const board = await a.hub.engine.snapshot('project:p');
    expect(board.issues.map((i) => i.issueId).sort()).toEqual(['i0', 'i1', 'i2', 'i3', 'i4', 'i5', 'i6']);
  });

  it('answers a failing publish with unavailable while the others of its call succeed, and takes no offset for it', async () => {
    const prefix = newPrefix();
    const [a, b] = await hubs(2, prefix);
    const onA = await watcher(a, ['project:p', 'project:q']);
    const redis = await raw();
    // Keys of the wrong type: the issue's hash, then (below) a channel's stream.
    await redis.set(`${prefix}issue:bad`, 'not a hash');
    const outcomes = await Promise.allSettled([
      b.hub.publish('project:p', 'issue_updated', issue('ok1', 1)),
      b.hub.publish('project:p', 'issue_updated', issue('bad', 2)),
      b.hub.publish('project:p', 'issue_updated', issue('ok2', 3)),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const failure = (outcomes[1] as PromiseRejectedResult).reason as HubError;
    expect(failure).toBeInstanceOf(HubError);
    expect(failure.code).toBe(ErrorCode.Unavailable);
    expect(failure.message).toMatch(/WRONGTYPE/);
    const fine = outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value.offset);
    expect(fine).toEqual([1, 2]);

    const { epoch } = (outcomes[0] as PromiseFulfilledResult<{ epoch: string }>).value;
    await redis.set(`${prefix}s:${epoch}:project:q`, 'not a stream');
    const second = await Promise.allSettled([
      b.hub.publish('project:q', 'issue_updated', issue('q1', 4)),
      b.hub.publish('project:p', 'issue_updated', issue('ok3', 5)),
    ]);
    expect(second.map((o) => o.status)).toEqual(['rejected', 'fulfilled']);
    expect(((second[0] as PromiseRejectedResult).reason as HubError).code).toBe(ErrorCode.Unavailable);
    await redis.del(`${prefix}s:${epoch}:project:q`);
    // The stream that could not be written took no offset: the channel still starts at 1.
    expect((await b.hub.publish('project:q', 'issue_updated', issue('q1', 6))).offset).toBe(1);

    const p = await onA.waitForCount((m) => m.type === 'event' && m.channel === 'project:p', 3);
    expect(p.map((m) => [m.offset, (m.data as { issueId: string }).issueId])).toEqual([
      [1, 'ok1'],
      [2, 'ok2'],
      [3, 'ok3'],
    ]);
    const q = await onA.waitForCount((m) => m.type === 'event' && m.channel === 'project:q', 1);
    expect(q.map((m) => [m.offset, (m.data as { seq: number }).seq])).toEqual([[1, 6]]);
    const board = await a.hub.engine.snapshot('project:p');
    expect(board.issues.map((i) => i.issueId).sort()).toEqual(['ok1', 'ok2', 'ok3', 'q1']);
  });

  it('decides a guarded publish again when an earlier publish of its call moved the issue', async () => {
    const prefix = newPrefix();
    const [hub] = await hubs(1, prefix);
    const both: Principal = {
      user: 'mover',
      channels: ['issue:m1', 'project:a', 'project:b'],
      publish: true,
      expiresAt: null,
    };
    const onlyA: Principal = { user: 'a-only', channels: ['project:a'], publish: true, expiresAt: null };
    await hub.hub.publish('project:a', 'issue_created', { issueId: 'm1', projectId: 'a', title: 'moves' });
    // Both read the issue in project a, then (as a rule) ride in one call: the move goes first.
    const [moved, edited] = await Promise.allSettled([
      hub.hub.publish('issue:m1', 'issue_updated', { issueId: 'm1', projectId: 'b' }, { principal: both }),
      hub.hub.publish('project:a', 'issue_updated', { issueId: 'm1', title: 'edited' }, { principal: onlyA }),
    ]);
    expect(moved.status, String((moved as PromiseRejectedResult).reason)).toBe('fulfilled');
    expect(edited.status).toBe('rejected');
    expect(((edited as PromiseRejectedResult).reason as HubError).code).toBe(ErrorCode.Forbidden);
    const [issueNow] = (await hub.hub.engine.snapshot('issue:m1')).issues;
    expect(issueNow).toMatchObject({ projectId: 'b', title: 'moves' });
  });

  it('keeps history bounds exact when one call appends past them, and serves it to resumes', async () => {
    const engine = await RedisEngine.connect({
      url: sharedRedis,
      prefix: newPrefix(),
      history: { size: 10, maxBytes: 1 << 20 },
    });
    cleanup.push(() => engine.close());
    const published = await Promise.all(
      Array.from({ length: 25 }, (_, i) => engine.publish('project:h', 'issue_updated', issue('h', i))),
    );
    expect(published.map((e) => e.offset)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    const kept = await engine.history('project:h', 100);
    expect(kept.events.map((e) => e.offset)).toEqual(Array.from({ length: 10 }, (_, i) => i + 16));
    // Within the bound: every event after 18 comes back; 14 is no longer kept.
    const resumed = await engine.recover('project:h', { epoch: published[0]!.epoch, offset: 18 });
    expect(resumed).toMatchObject({ recovered: true, offset: 25 });
    expect(resumed.events.map((e) => e.offset)).toEqual([19, 20, 21, 22, 23, 24, 25]);
    expect(await engine.recover('project:h', { epoch: published[0]!.epoch, offset: 14 })).toMatchObject({
      recovered: false,
    });
    // By bytes too: frames are ~100 bytes, 300 bytes keep the newest two or three.
    const small = await RedisEngine.connect({ url: sharedRedis, prefix: newPrefix(), history: { maxBytes: 300 } });
    cleanup.push(() => small.close());
    await Promise.all(Array.from({ length: 12 }, (_, i) => small.publish('project:b', 'issue_updated', issue('b', i))));
    const bounded = await small.history('project:b', 100);
    const bytes = bounded.events.reduce((sum, e) => sum + Buffer.byteLength(e.frame), 0);
    expect(bytes).toBeLessThanOrEqual(300);
    expect(bounded.events.at(-1)?.offset).toBe(12);
    // Exactly: the next older event (its frame as the script wrote it) would not have fitted.
    const oldest = bounded.events[0]!.offset;
    expect(oldest).toBeGreaterThan(1);
    const older = eventFrame('project:b', 'issue_updated', issue('b', oldest - 2), oldest - 1, bounded.epoch);
    expect(bytes + Buffer.byteLength(older)).toBeGreaterThan(300);
  });

  it('splits a tick into calls at the publish and byte bounds, keeping the order', async () => {
    const prefix = newPrefix();
    const byCount = await RedisEngine.connect({ url: sharedRedis, prefix, publishBatch: { maxPublishes: 3 } });
    cleanup.push(() => byCount.close());
    const seen = await feed(prefix);
    const seven = await Promise.all(
      Array.from({ length: 7 }, (_, i) => byCount.publish('project:s', 'issue_updated', issue('s', i))),
    );
    expect(seven.map((e) => e.offset)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    await expect.poll(() => seen.messages.length).toBe(3);
    expect(seen.messages.map((m) => m.groups.map((g) => [g.firstOffset, g.frames.length]))).toEqual([
      [[1, 3]],
      [[4, 3]],
      [[7, 1]],
    ]);

    // Each payload is ~50 bytes: with 120 bytes a call, two fit in one call.
    const bytesPrefix = newPrefix();
    const byBytes = await RedisEngine.connect({
      url: sharedRedis,
      prefix: bytesPrefix,
      publishBatch: { maxBytes: 120 },
    });
    cleanup.push(() => byBytes.close());
    const seenBytes = await feed(bytesPrefix);
    const five = await Promise.all(
      Array.from({ length: 5 }, (_, i) => byBytes.publish('agent:t', 'custom', { n: i, text: 'x'.repeat(40) })),
    );
    expect(five.map((e) => e.offset)).toEqual([1, 2, 3, 4, 5]);
    await expect.poll(() => seenBytes.messages.length).toBe(3);
    expect(seenBytes.messages.map((m) => m.groups[0]!.frames.length)).toEqual([2, 2, 1]);
  });

  it('starts a new epoch within a call when the channel bound is reached, each event under its own epoch', async () => {
    const prefix = newPrefix();
    const engine = await RedisEngine.connect({ url: sharedRedis, prefix, maxChannels: 2 });
    cleanup.push(() => engine.close());
    const seen = await feed(prefix);
    const got: Array<{ channel: string; offset: number; epoch: string }> = [];
    engine.onEvent((e) => got.push({ channel: e.channel, offset: e.offset, epoch: e.epoch }));
    const published = await Promise.all(
      ['project:c1', 'project:c2', 'project:c3', 'project:c4', 'project:c5', 'project:c5'].map((channel, i) =>
        engine.publish(channel as 'project:c1', 'issue_updated', issue(`c${i}`, i)),
      ),
    );
    expect(published.map((e) => e.offset)).toEqual([1, 1, 1, 1, 1, 2]);
    const epochs = published.map((e) => e.epoch);
    expect(new Set(epochs).size).toBe(3);
    expect(epochs[0]).toBe(epochs[1]);
    expect(epochs[2]).toBe(epochs[3]);
    expect(epochs[4]).toBe(epochs[5]);
    // Every event is stored under the epoch it was published in.
    const c5 = await engine.history('project:c5', 10);
    expect(c5).toMatchObject({ epoch: epochs[4], offset: 2 });
    expect(c5.events.map((e) => e.epoch)).toEqual([epochs[4], epochs[4]]);
    // A client of the first epoch is told it lost its history.
    expect(await engine.recover('project:c1', { epoch: epochs[0]!, offset: 1 })).toMatchObject({ recovered: false });
    await expect.poll(() => got.length).toBe(6);
    expect(got).toEqual(published.map((e) => ({ channel: e.channel, offset: e.offset, epoch: e.epoch })));
    expect(seen.messages.length).toBeGreaterThan(0);
  });

  it('drops feed messages of another format without touching clients, and keeps delivering', async () => {
    const prefix = newPrefix();
    const [a] = await hubs(1, prefix);
    const onA = await watcher(a, ['project:p']);
    const redis = await raw();
    // What a hub of the previous release would send: channel, offset, epoch, time, frame.
    const old = JSON.stringify({ type: 'event', channel: 'project:p', event: 'x', data: null, offset: 1, epoch: 'e' });
    expect(await redis.publish(`${prefix}events`, `project:p\n1\ne\n${Date.now()}\n${old}`)).toBe(1);
    await redis.publish(`${prefix}events`, 'falcon-events/2\nnot a time');
    const reply = await a.hub.publish('project:p', 'issue_updated', issue('n', 1));
    const [event] = await onA.waitForCount((m) => m.type === 'event', 1);
    expect(event).toMatchObject({ channel: 'project:p', offset: reply.offset, epoch: reply.epoch });
    await onA.roundTrip();
    expect(onA.events()).toHaveLength(1);
  });
});
