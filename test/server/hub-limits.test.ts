import { afterEach, describe, expect, it, vi } from 'vitest';
import { CloseCode, ErrorCode } from '../../src/shared/errors';
import type { RunningHub } from '../../src/server/index';
import type { TestClient } from '../helpers/hub';
import { HubFixture } from '../helpers/hub-fixture';
import { eventually, metricValue } from '../helpers/probes';

const fixture = new HubFixture();
afterEach(() => {
  vi.useRealTimers();
  return fixture.dispose();
});

/** Fakes the hub's clock (Date and timeouts; sockets stay real): the rate limiter then refills only when told. */
const fakeClock = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });

const KIB = 1024;
// Malformed-frame tests send two frames per case; keep the rate limit out of their way.
const NO_RATE_LIMIT = { rateLimit: { perSecond: 100_000, burst: 100_000 } };

const subscribe = (channel: unknown, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ type: 'subscribe', channel, ...extra });

/** Frames a client may send that the hub must answer with an error code, staying usable. */
const MALFORMED: Array<{ name: string; frame: string; code: ErrorCode }> = [
  // Not JSON.
  { name: 'truncated JSON', frame: '{"type":"ping"', code: ErrorCode.InvalidJson },
  { name: 'a lone brace', frame: '{', code: ErrorCode.InvalidJson },
  { name: 'an empty frame', frame: '', code: ErrorCode.InvalidJson },
  { name: 'plain text', frame: 'hello hub', code: ErrorCode.InvalidJson },
  { name: 'single-quoted JSON', frame: "{'type':'ping'}", code: ErrorCode.InvalidJson },
  { name: 'a trailing comma', frame: '{"type":"ping",}', code: ErrorCode.InvalidJson },
  { name: 'two objects in one frame', frame: '{"type":"ping"}{"type":"ping"}', code: ErrorCode.InvalidJson },
  { name: 'a byte-order mark', frame: '\uFEFF{"type":"ping"}', code: ErrorCode.InvalidJson },
  // JSON, but not a message.
  { name: 'a JSON string', frame: '"ping"', code: ErrorCode.InvalidMessage },
  { name: 'a JSON number', frame: '42', code: ErrorCode.InvalidMessage },
  { name: 'JSON null', frame: 'null', code: ErrorCode.InvalidMessage },
  { name: 'JSON true', frame: 'true', code: ErrorCode.InvalidMessage },
  { name: 'an empty array', frame: '[]', code: ErrorCode.InvalidMessage },
  { name: 'an array of messages', frame: '[{"type":"ping"}]', code: ErrorCode.InvalidMessage },
  { name: 'an object without type', frame: '{}', code: ErrorCode.InvalidMessage },
  { name: 'a numeric type', frame: '{"type":42}', code: ErrorCode.InvalidMessage },
  { name: 'a null type', frame: '{"type":null}', code: ErrorCode.InvalidMessage },
  // Unknown types.
  { name: 'an unknown type', frame: '{"type":"launch"}', code: ErrorCode.UnknownType },
  { name: 'an upper-case type', frame: '{"type":"PING"}', code: ErrorCode.UnknownType },
  { name: 'an inherited property as type', frame: '{"type":"toString"}', code: ErrorCode.UnknownType },
  { name: 'a server message type', frame: '{"type":"event"}', code: ErrorCode.UnknownType },
  { name: 'a duplicate type key', frame: '{"type":"ping","type":"launch"}', code: ErrorCode.UnknownType },
  // Channels.
  { name: 'a subscribe without channel', frame: subscribe(undefined), code: ErrorCode.InvalidChannel },
  { name: 'a numeric channel', frame: subscribe(42), code: ErrorCode.InvalidChannel },
  { name: 'an array channel', frame: subscribe(['issue:1']), code: ErrorCode.InvalidChannel },
  { name: 'a path-traversal channel', frame: subscribe('issue:../x'), code: ErrorCode.InvalidChannel },
  { name: 'a dot-dot id', frame: subscribe('issue:..'), code: ErrorCode.InvalidChannel },
  { name: 'an unknown channel kind', frame: subscribe('user:1'), code: ErrorCode.InvalidChannel },
  { name: 'an empty id', frame: subscribe('issue:'), code: ErrorCode.InvalidChannel },
  { name: 'a space in the id', frame: subscribe('issue:a b'), code: ErrorCode.InvalidChannel },
  { name: 'a NUL in the id', frame: subscribe('issue:1\u0000'), code: ErrorCode.InvalidChannel },
  { name: 'a 129-character id', frame: subscribe(`issue:${'x'.repeat(129)}`), code: ErrorCode.InvalidChannel },
  { name: 'a 60 KiB channel', frame: subscribe(`issue:${'x'.repeat(60 * KIB)}`), code: ErrorCode.InvalidChannel },
  { name: '"__proto__" as the channel', frame: subscribe('__proto__'), code: ErrorCode.InvalidChannel },
  { name: 'an unsubscribe without channel', frame: '{"type":"unsubscribe"}', code: ErrorCode.InvalidChannel },
  // Fields of the wrong type.
  {
    name: 'a negative since offset',
    frame: subscribe('issue:1', { since: { epoch: 'e', offset: -1 } }),
    code: ErrorCode.InvalidMessage,
  },
  {
    name: 'an empty since epoch',
    frame: subscribe('issue:1', { since: { epoch: '', offset: 0 } }),
    code: ErrorCode.InvalidMessage,
  },
  { name: 'since as a string', frame: subscribe('issue:1', { since: 'yesterday' }), code: ErrorCode.InvalidMessage },
  {
    name: 'an extra field in since',
    frame: subscribe('issue:1', { since: { epoch: 'e', offset: 1, x: 1 } }),
    code: ErrorCode.InvalidMessage,
  },
  { name: 'a tail over 10 000', frame: subscribe('agent:a', { tail: 10_001 }), code: ErrorCode.InvalidMessage },
  { name: 'a fractional tail', frame: subscribe('agent:a', { tail: 1.5 }), code: ErrorCode.InvalidMessage },
  { name: 'snapshot as a string', frame: subscribe('issue:1', { snapshot: 'yes' }), code: ErrorCode.InvalidMessage },
  { name: 'an object ping id', frame: '{"type":"ping","id":{}}', code: ErrorCode.InvalidMessage },
  { name: 'a boolean ping id', frame: '{"type":"ping","id":true}', code: ErrorCode.InvalidMessage },
  {
    name: 'a 65-character ping id',
    frame: JSON.stringify({ type: 'ping', id: 'x'.repeat(65) }),
    code: ErrorCode.InvalidMessage,
  },
  { name: 'an infinite ping id', frame: '{"type":"ping","id":1e400}', code: ErrorCode.InvalidMessage },
  // Prototype keys and nesting.
  { name: 'a __proto__ key', frame: '{"__proto__":{"type":"ping"}}', code: ErrorCode.ForbiddenKey },
  { name: 'an escaped __proto__ key', frame: '{"type":"ping","\\u005f_proto__":1}', code: ErrorCode.ForbiddenKey },
  {
    name: 'a nested constructor key',
    frame: '{"type":"ping","x":{"constructor":{"prototype":{}}}}',
    code: ErrorCode.ForbiddenKey,
  },
  {
    name: 'a prototype key',
    frame: '{"type":"subscribe","channel":"issue:1","prototype":1}',
    code: ErrorCode.ForbiddenKey,
  },
  { name: 'nesting 17 deep', frame: `{"type":"ping","x":${'['.repeat(16)}${']'.repeat(16)}}`, code: ErrorCode.TooDeep },
  { name: 'nesting 30 000 deep', frame: '['.repeat(30_000), code: ErrorCode.TooDeep },
];

/** Sends `frame` then a ping with `id`; resolves with what the hub answered in between. */
async function answerTo(client: TestClient, frame: string, id: number): Promise<Record<string, unknown>[]> {
  const from = client.messages.length;
  client.send(frame);
  client.send({ type: 'ping', id });
  await client.waitFor((m) => m.type === 'pong' && m.id === id, 5000, from);
  return client.messages.slice(from);
}

describe('Hub', () => {
  describe('malformed frames', () => {
    it.each(MALFORMED)('answers $name with $code and stays usable', async ({ frame, code }) => {
      const running = await fixture.startHub(NO_RATE_LIMIT);
      const client = await fixture.connect(running);

      const answer = await answerTo(client, frame, 1);

      expect(answer).toEqual([
        { type: 'error', code, message: expect.any(String) },
        { type: 'pong', id: 1 },
      ]);
      await client.close();
      await eventually(() => running.hub.connectionCount === 0, 'the connection to be dropped');
    });

    it('answers all of them back to back on one connection, then lets it go', async () => {
      const running = await fixture.startHub(NO_RATE_LIMIT);
      const client = await fixture.connect(running);
      const bystander = await fixture.connect(running);

      for (const [id, { frame, code }] of MALFORMED.entries()) {
        expect(await answerTo(client, frame, id)).toEqual([
          { type: 'error', code, message: expect.any(String) },
          { type: 'pong', id },
        ]);
      }
      expect(await metricValue(running.hub, 'falcon_hub_protocol_errors_total')).toBe(MALFORMED.length);

      await Promise.all([client.close(), bystander.close()]);
      await eventually(() => running.hub.connectionCount === 0, 'every connection to be dropped');
      expect(await metricValue(running.hub, 'falcon_hub_connections')).toBe(0);
    });

    it('answers nesting 16 deep, the limit, with a pong', async () => {
      const running = await fixture.startHub();
      const client = await fixture.connect(running);

      const answer = await answerTo(client, `{"type":"ping","id":0,"x":${'['.repeat(15)}${']'.repeat(15)}}`, 1);

      expect(answer).toEqual([
        { type: 'pong', id: 0 },
        { type: 'pong', id: 1 },
      ]);
    });

    it('answers a frame of exactly maxPayload bytes', async () => {
      const running = await fixture.startHub();
      const client = await fixture.connect(running);
      const skeleton = JSON.stringify({ type: 'ping', id: 0, pad: '' });
      const frame = JSON.stringify({ type: 'ping', id: 0, pad: 'x'.repeat(64 * KIB - skeleton.length) });

      expect(frame.length).toBe(64 * KIB);
      expect(await answerTo(client, frame, 1)).toEqual([
        { type: 'pong', id: 0 },
        { type: 'pong', id: 1 },
      ]);
    });

    it('answers message_too_large when maxPayload is raised past the parser\u2019s 64 KiB', async () => {
      const running = await fixture.startHub({ maxPayload: 128 * KIB });
      const client = await fixture.connect(running);

      const answer = await answerTo(client, JSON.stringify({ type: 'ping', pad: 'x'.repeat(70 * KIB) }), 1);

      expect(answer).toEqual([
        { type: 'error', code: ErrorCode.MessageTooLarge, message: expect.any(String) },
        { type: 'pong', id: 1 },
      ]);
    });
  });

  describe('frame limits', () => {
    it('closes a client that sends a binary frame with 1003', async () => {
      const running = await fixture.startHub();
      const client = await fixture.connect(running);

      client.ws.send(Buffer.from('{"type":"ping"}'), { binary: true });

      expect(await client.closed).toBe(CloseCode.UnsupportedData);
      await eventually(() => running.hub.connectionCount === 0, 'the connection to be dropped');
    });

    it('closes a client whose frame is one byte over maxPayload with 1009', async () => {
      const running = await fixture.startHub();
      const client = await fixture.connect(running);

      client.send('x'.repeat(64 * KIB + 1));

      expect(await client.closed).toBe(CloseCode.MessageTooBig);
      await eventually(() => running.hub.connectionCount === 0, 'the connection to be dropped');
    });

    it('closes a client that sends a 1 MB channel name with 1009 while others carry on', async () => {
      const running = await fixture.startHub();
      const client = await fixture.connect(running);
      const other = await fixture.connect(running);

      client.send(subscribe(`issue:${'x'.repeat(1024 * 1024)}`));

      expect(await client.closed).toBe(CloseCode.MessageTooBig);
      other.send({ type: 'ping', id: 'still-here' });
      await other.waitFor((m) => m.type === 'pong' && m.id === 'still-here');
      await eventually(() => running.hub.connectionCount === 1, 'the big sender to be dropped');
    });
  });

  describe('subscription cap', () => {
    it('refuses a subscription past maxSubscriptions with too_many_subscriptions', async () => {
      const running = await fixture.startHub({ maxSubscriptions: 3 });
      const client = await fixture.connect(running);
      for (const id of [1, 2, 3]) client.send({ type: 'subscribe', channel: `issue:${id}` });
      await client.waitForCount((m) => m.type === 'subscribed', 3);

      client.send({ type: 'subscribe', channel: 'issue:4' });

      expect(await client.waitFor((m) => m.type === 'error')).toMatchObject({
        code: ErrorCode.TooManySubscriptions,
        channel: 'issue:4',
      });
      expect(await metricValue(running.hub, 'falcon_hub_subscriptions')).toBe(3);
    });

    it('still acknowledges a channel it already has, and makes room after an unsubscribe', async () => {
      const running = await fixture.startHub({ maxSubscriptions: 3 });
      const client = await fixture.connect(running);
      for (const id of [1, 2, 3]) client.send({ type: 'subscribe', channel: `issue:${id}` });
      await client.waitForCount((m) => m.type === 'subscribed', 3);

      client.send({ type: 'subscribe', channel: 'issue:1' });
      await client.waitForCount((m) => m.type === 'subscribed', 4);
      client.send({ type: 'unsubscribe', channel: 'issue:2' });
      client.send({ type: 'subscribe', channel: 'issue:4' });

      await client.waitFor((m) => m.type === 'subscribed' && m.channel === 'issue:4');
      expect(client.messages.filter((m) => m.type === 'error')).toEqual([]);
    });

    it('refuses the 257th subscription at the default cap', async () => {
      const running = await fixture.startHub(NO_RATE_LIMIT);
      const client = await fixture.connect(running);
      for (let id = 1; id <= 256; id++) client.send({ type: 'subscribe', channel: `issue:${id}` });
      await client.waitForCount((m) => m.type === 'subscribed', 256);

      client.send({ type: 'subscribe', channel: 'issue:257' });

      expect(await client.waitFor((m) => m.type === 'error')).toMatchObject({
        code: ErrorCode.TooManySubscriptions,
        channel: 'issue:257',
      });
      expect(await metricValue(running.hub, 'falcon_hub_subscriptions')).toBe(256);
    });
  });

  describe('rate limit', () => {
    const rateLimit = { perSecond: 5, burst: 5, abuseMs: 500 };

    it('answers a burst with some pongs and a single rate_limited error', async () => {
      const running = await fixture.startHub({ rateLimit });
      const client = await fixture.connect(running);
      fakeClock();

      for (let id = 0; id < 20; id++) client.send({ type: 'ping', id });

      // Every ping read and answered (or refused) at once…
      await client.roundTrip();
      // …and none answered later: whatever the hub could still send for the burst (a reply held back, a
      // second error once its second is over) is due within this time and is in before the next round trip.
      vi.advanceTimersByTime(5 * 1000);
      await client.roundTrip();
      const pongs = client.messages.filter((m) => m.type === 'pong');
      const errors = client.messages.filter((m) => m.type === 'error');
      expect(pongs.length).toBeGreaterThanOrEqual(rateLimit.burst);
      expect(pongs.length).toBeLessThan(20);
      expect(errors).toEqual([{ type: 'error', code: ErrorCode.RateLimited, message: expect.any(String) }]);
      expect(client.closeCode).toBeNull();
    });

    it('repeats rate_limited at most once a second', async () => {
      const running = await fixture.startHub({ rateLimit: { ...rateLimit, abuseMs: 10_000 } });
      const client = await fixture.connect(running);
      fakeClock();
      const errors = () => client.messages.filter((m) => m.type === 'error').length;
      /** Ten pings, more than a tenth of a second refills: most are refused. */
      const flood = async () => {
        for (let i = 0; i < 10; i++) client.send({ type: 'ping' });
        await client.roundTrip();
      };

      await flood();
      expect(errors()).toBe(1);
      // Refused every 100 ms for the rest of that second: no second error…
      for (let elapsed = 100; elapsed < 1000; elapsed += 100) {
        vi.advanceTimersByTime(100);
        await flood();
        expect(errors(), `${elapsed} ms after the first`).toBe(1);
      }
      // …and one as soon as the second is over.
      vi.advanceTimersByTime(100);
      await flood();
      expect(errors()).toBe(2);
      expect(client.closeCode).toBeNull();
    });

    it('closes a client that floods for longer than abuseMs with 1008 while a calm client keeps its events', async () => {
      const running = await fixture.startHub({ rateLimit });
      const flooder = await fixture.connect(running);
      const calm = await fixture.connect(running);
      calm.send({ type: 'subscribe', channel: 'issue:1' });
      await calm.waitFor((m) => m.type === 'subscribed');

      let published = 0;
      const flood = setInterval(() => {
        if (flooder.closeCode === null) flooder.send({ type: 'ping' });
      }, 5);
      const publisher = setInterval(() => {
        void running.hub.publish('issue:1', 'issue_updated', { issueId: '1', title: `update ${++published}` });
      }, 20);
      let code: number;
      try {
        code = await flooder.closed;
      } finally {
        clearInterval(flood);
        clearInterval(publisher);
      }

      expect(code).toBe(CloseCode.PolicyViolation);
      const events = await calm.waitForCount((m) => m.type === 'event', published);
      expect(events.map((m) => m.offset)).toEqual(Array.from({ length: published }, (_, i) => i + 1));
      expect(calm.closeCode).toBeNull();
      await eventually(() => running.hub.connectionCount === 1, 'the flooder to be dropped');
      expect(await metricValue(running.hub, 'falcon_hub_rate_limit_closes_total')).toBe(1);
    });
  });

  describe('heartbeat', () => {
    it('terminates a client that does not answer pings and keeps one that does', async () => {
      const heartbeatMs = 100;
      const running = await fixture.startHub({ heartbeatMs, pongTimeoutMs: 50 });
      const healthy = await fixture.connect(running);
      const silent = await fixture.connect(running, undefined, { autoPong: false });
      const connectedAt = Date.now();

      const code = await silent.closed;

      expect(code).toBe(1006);
      expect(Date.now() - connectedAt).toBeLessThan(4 * heartbeatMs);
      await eventually(() => running.hub.connectionCount === 1, 'the silent client to be dropped');
      // Three more heartbeats reach the healthy client, and it answers each: it is kept through them.
      await new Promise<void>((resolve, reject) => {
        let heartbeats = 0;
        const onPing = () => {
          if (++heartbeats < 3) return;
          healthy.ws.off('ping', onPing);
          resolve();
        };
        healthy.ws.on('ping', onPing);
        void healthy.closed.then((closeCode) => reject(new Error(`the healthy client was closed (${closeCode})`)));
      });
      healthy.send({ type: 'ping', id: 'alive' });
      await healthy.waitFor((m) => m.type === 'pong' && m.id === 'alive');
      expect(running.hub.connectionCount).toBe(1);
    });
  });

  describe('backpressure', () => {
    const maxBufferedBytes = 64 * KIB;
    const EVENT_BYTES = 10 * KIB;
    const TOTAL_BYTES = 5 * 1024 * KIB;

    /** Publishes ~TOTAL_BYTES to `issue:big`, a few events at a time, each round once `reader` has them all. */
    async function publishPaced(running: RunningHub, reader: TestClient): Promise<number> {
      const perRound = Math.floor(maxBufferedBytes / EVENT_BYTES / 2);
      const total = Math.ceil(TOTAL_BYTES / EVENT_BYTES);
      let sent = 0;
      while (sent < total) {
        for (let i = 0; i < perRound && sent < total; i++) {
          sent++;
          await running.hub.publish('issue:big', 'blob', { n: sent, pad: 'x'.repeat(EVENT_BYTES) });
        }
        await reader.waitForCount((m) => m.type === 'event', sent);
      }
      return sent;
    }

    it('closes a client that stops reading and keeps the others whole', async () => {
      const running = await fixture.startHub({ maxBufferedBytes });
      const reader = await fixture.connect(running);
      const stalled = await fixture.connect(running);
      for (const client of [reader, stalled]) {
        client.send({ type: 'subscribe', channel: 'issue:big' });
        await client.waitFor((m) => m.type === 'subscribed');
      }
      stalled.ws.pause();

      const sent = await publishPaced(running, reader);

      await eventually(() => running.hub.connectionCount === 1, 'the stalled client to be dropped');
      expect(await metricValue(running.hub, 'falcon_hub_slow_consumer_closes_total')).toBe(1);
      const received = reader.events('issue:big').map((m) => (m.data as { n: number }).n);
      expect(received).toEqual(Array.from({ length: sent }, (_, i) => i + 1));
      expect(reader.closeCode).toBeNull();
      stalled.ws.resume();
      expect([CloseCode.SlowConsumer, 1006]).toContain(await stalled.closed);
    });
  });
});
