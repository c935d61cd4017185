import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, inject, it } from 'vitest';
import {
  type AgentInput,
  type AgentInputMeta,
  INPUT_ID_HEADER,
  type RunningHub,
  inputWebhookHandler,
} from '../../src/server/index';
import type { InputRouteLimits } from '../../src/server/redis/input-route';
import { RedisEngine } from '../../src/server/redis/redis-engine';
import { TestClient, startTestHub, token } from '../helpers/hub';
import { eventually, metricValue } from '../helpers/probes';
import { TcpProxy } from '../helpers/tcp-proxy';
import { publishWaitingA1 } from '../helpers/agent-request';

/**
 * Answering agents across hubs on one real redis-server: an input sent to a
 * hub without a handler reaches the hub that has one (a library handler or
 * the falcon-pm webhook), its word comes back with the same codes, first
 * answer wins across hubs, and `input_sent` is published once for every
 * viewer on every hub.
 */
const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

const sharedRedis = inject('redisUrl');
let deployment = 0;

interface TestHub {
  running: RunningHub;
  engine: RedisEngine;
}

/** Hubs of one deployment (one Redis, one key prefix); `via` gives a hub its own Redis address (a proxy). */
async function hubs(count: number, inputs: Partial<InputRouteLimits> = {}, via: string[] = []): Promise<TestHub[]> {
  const prefix = `falcon-inputs:${process.pid}:${++deployment}:`;
  const started: TestHub[] = [];
  for (let i = 0; i < count; i++) {
    const engine = await RedisEngine.connect({ url: via[i] ?? sharedRedis, prefix, inputs });
    const running = await startTestHub({ engine });
    cleanup.push(async () => {
      await running.close();
      await engine.close();
    });
    started.push({ running, engine });
  }
  await publishWaitingA1(started[0].running.hub);
  return started;
}

/** Registers `handler` on the hub and waits until the hub's advertisement is live in Redis. */
async function handlerOn(
  target: TestHub,
  handler: Parameters<RunningHub['hub']['onAgentInput']>[0],
  seenBy: TestHub,
): Promise<() => void> {
  const undo = target.running.hub.onAgentInput(handler);
  cleanup.push(undo);
  await eventually(
    async () => (await seenBy.engine.inputRoute.liveHubs()).includes(target.engine.inputRoute.hubId),
    'the advertisement',
  );
  return undo;
}

const actor = () => token({ user: 'ana', channels: ['*'], actOn: ['agent:*'] });

async function send(target: TestHub, body: AgentInput): Promise<{ status: number; code?: string; message?: string }> {
  const response = await fetch(`${target.running.url}/api/agents/a1/input`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${await actor()}` },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as { inputId?: string; error?: { code?: string; message?: string } };
  return { status: response.status, code: json.error?.code ?? json.inputId, message: json.error?.message };
}

async function viewer(target: TestHub): Promise<TestClient> {
  const client = await TestClient.connect(`${target.running.wsUrl}?token=${await token()}`);
  cleanup.push(() => client.close());
  client.send({ type: 'subscribe', channel: 'agent:a1' });
  await client.waitFor((m) => m.type === 'subscribed');
  return client;
}

/** input_sent events a viewer got, once a marker published after them has reached it (so none is still on its way). */
async function auditsSeen(client: TestClient, publisher: TestHub, marker: string) {
  await publisher.running.hub.publish('agent:a1', 'output', { timestamp: 1, content: marker });
  await client.waitFor((m) => m.type === 'event' && (m.data as { content?: string }).content === marker);
  return client.events('agent:a1').filter((m) => m.event === 'input_sent');
}

describe.skipIf(!sharedRedis)('Answering agents across hubs on Redis', () => {
  it('delivers an input sent to hub B to hub A’s handler, acks B’s sender, and publishes input_sent once', async () => {
    const [a, b] = await hubs(2);
    const received: Array<{ input: AgentInput; meta: AgentInputMeta }> = [];
    await handlerOn(a, (input, meta) => void received.push({ input, meta }), b);
    const onA = await viewer(a);
    const onB = await viewer(b);

    const ws = await TestClient.connect(`${b.running.wsUrl}?token=${await actor()}`);
    cleanup.push(() => ws.close());
    ws.send({ type: 'input', id: 'q1', agentId: 'a1', action: 'approve', requestId: 'r1', choice: 'approve' });
    const ack = await ws.waitFor((m) => m.id === 'q1');
    expect(ack).toMatchObject({ type: 'input_ack', inputId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(received).toEqual([
      {
        input: { action: 'approve', requestId: 'r1', choice: 'approve' },
        meta: { inputId: ack.inputId, agentId: 'a1', by: 'ana', at: expect.any(Number) },
      },
    ]);
    for (const client of [onA, onB]) {
      const audits = await auditsSeen(client, b, 'after-the-answer');
      expect(audits).toHaveLength(1);
      expect(audits[0].data).toMatchObject({ inputId: ack.inputId, by: 'ana', requestId: 'r1', choice: 'approve' });
    }
    expect(await metricValue(b.running.hub, 'falcon_hub_inputs_forwarded_total', { outcome: 'accepted' })).toBe(1);
    expect(await metricValue(a.running.hub, 'falcon_hub_inputs_forwarded_total')).toBe(0);
    // The request is answered for every hub now.
    expect(await send(a, { action: 'deny', requestId: 'r1' })).toMatchObject({ status: 409, code: 'already_answered' });
    expect(await send(b, { action: 'deny', requestId: 'r1' })).toMatchObject({ status: 409, code: 'already_answered' });
    expect(received).toHaveLength(1);
  });

  it('passes hub A’s refusal on to B’s sender with its reason, and gives the request back', async () => {
    const [a, b] = await hubs(2);
    let refuse = true;
    await handlerOn(a, () => (refuse ? { reject: 'the agent has stopped' } : undefined), b);
    expect(await send(b, { action: 'deny', requestId: 'r1' })).toEqual({
      status: 422,
      code: 'input_rejected',
      message: 'the agent has stopped',
    });
    refuse = false;
    expect((await send(b, { action: 'deny', requestId: 'r1' })).status).toBe(202);
    expect(await metricValue(b.running.hub, 'falcon_hub_inputs_forwarded_total', { outcome: 'input_rejected' })).toBe(
      1,
    );
  });

  it('answers input_unavailable when no hub has a handler, and again once the handler is undone', async () => {
    const [a, b] = await hubs(2);
    expect(await send(b, { action: 'interrupt' })).toMatchObject({ status: 503, code: 'input_unavailable' });
    expect(await send(a, { action: 'interrupt' })).toMatchObject({ status: 503, code: 'input_unavailable' });
    const undo = await handlerOn(a, () => undefined, b);
    expect((await send(b, { action: 'interrupt' })).status).toBe(202);
    undo();
    await eventually(async () => (await b.engine.inputRoute.liveHubs()).length === 0, 'the withdrawal');
    expect(await send(b, { action: 'deny', requestId: 'r1' })).toMatchObject({
      status: 503,
      code: 'input_unavailable',
    });
    // Not delivered: the request is still open.
    await handlerOn(a, () => undefined, b);
    expect((await send(b, { action: 'deny', requestId: 'r1' })).status).toBe(202);
  });

  it('tells B’s sender input_unavailable by the deadline when hub A dies mid-delivery, and forgets A', async () => {
    const redisPort = Number(new URL(sharedRedis).port);
    const proxy = await new TcpProxy(redisPort).listen();
    cleanup.push(() => proxy.close());
    const [a, b] = await hubs(2, { timeoutMs: 800, advertiseTtlMs: 600 }, [`redis://127.0.0.1:${proxy.port}`]);
    let reached: () => void = () => {};
    const handlerCalled = new Promise<void>((resolve) => (reached = resolve));
    let finish: () => void = () => {};
    await handlerOn(
      a,
      () => {
        reached();
        return new Promise<void>((resolve) => (finish = resolve));
      },
      b,
    );
    const answer = send(b, { action: 'deny', requestId: 'r1' });
    await handlerCalled;
    // Hub A vanishes from Redis: its connections are cut and it cannot reconnect.
    await proxy.close();
    expect(await answer).toMatchObject({ status: 503, code: 'input_unavailable' });
    finish();
    // Its advertisement expires: no hub takes inputs any more, and the request was given back.
    await eventually(async () => (await b.engine.inputRoute.liveHubs()).length === 0, 'the stale advertisement');
    expect(await send(b, { action: 'deny', requestId: 'r1' })).toMatchObject({
      status: 503,
      code: 'input_unavailable',
    });
    await handlerOn(b, () => undefined, b);
    expect((await send(b, { action: 'deny', requestId: 'r1' })).status).toBe(202);
  });

  it('lets exactly one of several answers sent at once via different hubs win', async () => {
    const [a, b, c] = await hubs(3);
    const received: AgentInput[] = [];
    await handlerOn(a, (input) => void received.push(input), b);
    const answers = await Promise.all(
      [a, b, c, b, c, a].map((target, i) => send(target, { action: i % 2 ? 'approve' : 'deny', requestId: 'r1' })),
    );
    expect(answers.filter((answer) => answer.status === 202)).toHaveLength(1);
    expect(answers.filter((answer) => answer.status === 409 && answer.code === 'already_answered')).toHaveLength(5);
    expect(received).toHaveLength(1);
  });

  it('lets one answer win when every hub has its own handler (a fleet sharing one webhook)', async () => {
    const [a, b, c] = await hubs(3);
    const received: string[] = [];
    for (const target of [a, b, c]) {
      const name = target === a ? 'a' : target === b ? 'b' : 'c';
      await handlerOn(target, () => void received.push(name), target);
    }
    const answers = await Promise.all(
      [a, b, c, a, b, c].map((target) => send(target, { action: 'deny', requestId: 'r1' })),
    );
    expect(answers.filter((answer) => answer.status === 202)).toHaveLength(1);
    expect(answers.filter((answer) => answer.code === 'already_answered')).toHaveLength(5);
    expect(received).toHaveLength(1);
    // Each hub prefers its own handler, and each knows the request is answered.
    for (const target of [a, b, c])
      expect(await send(target, { action: 'approve', requestId: 'r1' })).toMatchObject({ code: 'already_answered' });
    expect(await send(b, { action: 'interrupt' })).toMatchObject({ status: 202 });
    expect(received.at(-1)).toBe('b');
    expect(await metricValue(b.running.hub, 'falcon_hub_inputs_forwarded_total')).toBe(0);
  });

  it('reaches falcon-pm’s webhook registered on hub A only from hub B', async () => {
    const calls: Array<{ inputId: string | undefined; body: Record<string, unknown> }> = [];
    const server = createServer((request: IncomingMessage, response: ServerResponse) => {
      let body = '';
      request.setEncoding('utf8');
      request.on('data', (chunk: string) => (body += chunk));
      request.on('end', () => {
        calls.push({ inputId: request.headers[INPUT_ID_HEADER.toLowerCase()] as string, body: JSON.parse(body) });
        const refused = calls.length === 1;
        response
          .writeHead(refused ? 409 : 200, { 'Content-Type': 'application/json' })
          .end(refused ? '{"error":{"message":"agent busy"}}' : '{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/falcon/inputs`;
    const [a, b] = await hubs(2);
    await handlerOn(a, inputWebhookHandler({ url, secret: 'falcon-pm-webhook-secret-at-least-32-chars' }), b);
    expect(await send(b, { action: 'reply', text: 'use main', requestId: 'r1' })).toEqual({
      status: 422,
      code: 'input_rejected',
      message: 'falcon-pm refused the input (409: agent busy)',
    });
    const accepted = await send(b, { action: 'reply', text: 'use main', requestId: 'r1' });
    expect(accepted.status).toBe(202);
    expect(calls).toHaveLength(2);
    expect(calls[1]).toEqual({
      inputId: accepted.code,
      body: expect.objectContaining({ inputId: accepted.code, agentId: 'a1', by: 'ana', text: 'use main' }),
    });
  });

  it('drops foreign and malformed messages on a hub’s input channel, counts them, and keeps serving', async () => {
    const [a, b] = await hubs(2);
    await handlerOn(a, () => undefined, b);
    const raw = new Redis(sharedRedis);
    cleanup.push(() => raw.quit());
    const channel = a.engine.inputRoute.channel;
    const hostile = [
      'not json',
      '{"v":2,"kind":"input"}',
      JSON.stringify({ v: 1, kind: 'reply', id: '00000000-0000-0000-0000-000000000000' }),
      JSON.stringify({
        v: 1,
        kind: 'input',
        id: '00000000-0000-0000-0000-000000000000',
        from: '00000000-0000-0000-0000-000000000000',
        input: { action: 'shout' },
        meta: { inputId: 'x', agentId: 'a1', by: 'mallory', at: 1 },
      }),
      '{"__proto__":{"admin":true},"v":1,"kind":"reply","id":"00000000-0000-0000-0000-000000000000"}',
      'x'.repeat(300 * 1024),
    ];
    for (const message of hostile) expect(await raw.publish(channel, message)).toBe(1);
    await eventually(
      async () => (await metricValue(a.running.hub, 'falcon_hub_input_route_dropped_total')) === hostile.length,
      'every drop counted',
    );
    expect(await metricValue(a.running.hub, 'falcon_hub_input_route_dropped_total', { reason: 'not_json' })).toBe(1);
    expect(await metricValue(a.running.hub, 'falcon_hub_input_route_dropped_total', { reason: 'too_large' })).toBe(1);
    expect((await send(b, { action: 'deny', requestId: 'r1' })).status).toBe(202);
  });

  it('settles a claim only for the input that holds it, and keeps an answered request for 24 h', async () => {
    const [a] = await hubs(1);
    const route = a.engine.inputRoute;
    const raw = new Redis(sharedRedis);
    cleanup.push(() => raw.quit());
    const key = `falcon-inputs:${process.pid}:${deployment}:input-claim:a1:r9`;
    expect(await route.claim('a1', 'r9', 'first')).toBe(true);
    expect(await route.claim('a1', 'r9', 'second')).toBe(false);
    expect(await raw.pttl(key)).toBeLessThanOrEqual(60_000);
    // Another input's release or answer leaves the claim alone.
    await route.release('a1', 'r9', 'second');
    await route.answered('a1', 'r9', 'second');
    expect(await raw.get(key)).toBe('pending:first');
    await route.release('a1', 'r9', 'first');
    expect(await route.isTaken('a1', 'r9')).toBe(false);
    expect(await route.claim('a1', 'r9', 'third')).toBe(true);
    await route.answered('a1', 'r9', 'third');
    expect(await raw.get(key)).toBe('answered:third');
    expect(await raw.pttl(key)).toBeGreaterThan(23 * 3600_000);
    await route.release('a1', 'r9', 'third');
    expect(await route.isTaken('a1', 'r9')).toBe(true);
  });
});
