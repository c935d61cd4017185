/**
 * Fuzzing: adversarial input against every untrusted boundary — client
 * frames against the hub, hostile server frames against the client core,
 * bodies against `POST /api/publish`, query strings and Last-Event-IDs
 * against the SSE endpoints. Inputs come from fast-check arbitraries with a
 * logged seed (FUZZ_SEED=<n> replays a run).
 */
import { once } from 'node:events';
import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { parseServerMessage, validateEvent } from '../../src/shared/protocol';
import { signToken, secretKey } from '../../src/server/index';
import type { RunningHub } from '../../src/server/index';
import { RecordingConnection } from '../helpers/client';
import { LOAD_TEST_LIMITS, TestClient, startTestHub, token } from '../helpers/hub';
import { eventually, metricValue } from '../helpers/probes';
import { mapConcurrent, openConnections, rawExchange } from './attack-raw-http';
import { FUZZ_CHANNELS } from './fuzz-client-frames';
import { addressesSse, publishBody, sseRequest, sseRequestText } from './fuzz-http-inputs';
import { fuzzRound, settledHub } from './fuzz-hub-driver';
import { channelOf, checkPublishAnswer, post } from './fuzz-publish-driver';
import { settledHeap, watchProcessErrors } from './fuzz-process-errors';
import { type ServerFrame, hugeServerFrame, serverFrame } from './fuzz-server-frames';
import { sampleOf } from './fuzz-values';
import { heapAfterGc, recordFigure } from './record';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const SCENARIO = 'fuzzing';

let processErrors: ReturnType<typeof watchProcessErrors>;
const cleanup: Array<() => unknown> = [];

beforeEach(() => {
  console.info(`[fuzz] seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
  processErrors = watchProcessErrors();
});

afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
  processErrors.dispose();
});

async function startHub(options: Parameters<typeof startTestHub>[0] = {}): Promise<RunningHub> {
  const running = await startTestHub({ ...LOAD_TEST_LIMITS, ...options });
  cleanup.push(() => running.close());
  return running;
}

async function healthStatus(running: RunningHub): Promise<number> {
  const { status } = await rawExchange(
    running.port,
    'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n',
  );
  return status ?? 0;
}

// The reliability config allows 180 s per test; so does this file, if a plain `vitest run` picks it up.
describe('Fuzzing', { timeout: 180_000 }, () => {
  it('the hub survives 100 000 adversarial client frames, and its connections and memory return to baseline', async () => {
    const running = await startHub({ rateLimit: { perSecond: 1e6, burst: 1e6, abuseMs: 1e9 } });
    const urls = [
      `${running.wsUrl}?token=${await token()}`,
      `${running.wsUrl}?token=${await token({ channels: ['issue:*', 'agent:opus-1'] })}`,
    ];
    const CLOSING = 400;
    const CONNECTIONS = 8;
    const BATCH = 249;
    const BATCHES = 50; // 8 × 50 × 249 + 400 = 100 000

    // Warm-up in the same shape (as many connections at once, closing frames too): JIT, caches and pools
    // sized by concurrency (HTTP parsers, buffers) do not count as growth.
    await fuzzRound(urls, {
      connections: CONNECTIONS,
      batches: 3,
      batchSize: BATCH,
      closing: 100,
      seed: SEED + 5_000_000,
    });
    await settledHub(running.hub);
    const baseline = await settledHeap(heapAfterGc);

    const startedAt = Date.now();
    const round = await fuzzRound(urls, {
      connections: CONNECTIONS,
      batches: BATCHES,
      batchSize: BATCH,
      closing: CLOSING,
      seed: SEED,
    });
    const seconds = (Date.now() - startedAt) / 1000;
    console.info(`[fuzz] hub replies by type or error code: ${JSON.stringify(Object.fromEntries(round.replies))}`);
    const health = await healthStatus(running);
    const after = await settledHub(running.hub);
    const heap = await settledHeap(heapAfterGc);
    const deltaPercent = ((heap - baseline) / baseline) * 100;
    const wrongCloses = [...round.closeCodes].flatMap(([kind, codes]) =>
      codes.filter((code) => code !== { binary: 1003, 'invalid-utf8': 1007, oversize: 1009 }[kind] && code !== 1006),
    );
    const crashes = round.internalErrors + round.unexpectedCloses + (health === 200 ? 0 : 1);
    const polluted = Object.keys(Object.prototype).length + Object.keys(Array.prototype).length;

    const hubScenario = `${SCENARIO} · hub frames`;
    recordFigure({
      scenario: hubScenario,
      figure: 'frames sent',
      value: round.framesSent,
      goal: '100 000',
      met: round.framesSent >= 100_000,
    });
    recordFigure({
      scenario: hubScenario,
      figure: 'frames per second',
      value: Math.round(round.framesSent / seconds),
      unit: '/s',
      goal: 'informational',
      met: true,
    });
    recordFigure({
      scenario: hubScenario,
      figure: 'crashes (internal errors, unexpected closes, hub down)',
      value: crashes,
      goal: '0',
      met: crashes === 0,
    });
    recordFigure({
      scenario: hubScenario,
      figure: 'uncaught exceptions and rejections',
      value: processErrors.errors.length,
      goal: '0',
      met: processErrors.errors.length === 0,
    });
    recordFigure({
      scenario: hubScenario,
      figure: 'closing frames answered with the wrong close code',
      value: wrongCloses.length,
      goal: `0 of ${CLOSING} (1003 binary, 1007 invalid UTF-8, 1009 too big)`,
      met: wrongCloses.length === 0,
    });
    recordFigure({
      scenario: hubScenario,
      figure: 'prototype pollution (keys added to Object/Array.prototype)',
      value: polluted,
      goal: '0',
      met: polluted === 0,
    });
    recordFigure({
      scenario: hubScenario,
      figure: 'connections after',
      value: after.connections,
      goal: '0',
      met: after.connections === 0,
    });
    recordFigure({
      scenario: hubScenario,
      figure: 'subscriptions after',
      value: after.subscriptions,
      goal: '0',
      met: after.subscriptions === 0,
    });
    recordFigure({
      scenario: hubScenario,
      figure: 'heap baseline (after warm-up)',
      value: +(baseline / 2 ** 20).toFixed(1),
      unit: 'MiB',
      goal: 'informational',
      met: true,
    });
    recordFigure({
      scenario: hubScenario,
      figure: 'heap after',
      value: +(heap / 2 ** 20).toFixed(1),
      unit: 'MiB',
      goal: 'informational',
      met: true,
    });
    recordFigure({
      scenario: hubScenario,
      figure: 'heap delta',
      value: +deltaPercent.toFixed(2),
      unit: '%',
      goal: '±5 %',
      met: Math.abs(deltaPercent) <= 5,
    });

    expect(round.framesSent).toBe(100_000);
    expect(crashes, `seed ${SEED}`).toBe(0);
    expect(processErrors.errors, `seed ${SEED}`).toEqual([]);
    expect(wrongCloses, `seed ${SEED}`).toEqual([]);
    expect(polluted).toBe(0);
    expect(after).toEqual({ connections: 0, subscriptions: 0 });
    expect(Math.abs(deltaPercent)).toBeLessThanOrEqual(5);
  });

  it('the client core survives 100 000 hostile server frames, stays open and still delivers', async () => {
    const CHANNELS = ['issue:1', 'agent:opus-1', 'project:falcon'] as const;
    const FINAL = 'issue:final-check';
    const TOTAL = 100_000;
    const HUGE_EVERY = 10_000;
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    cleanup.push(() => new Promise((resolve) => server.close(resolve)));
    await once(server, 'listening');
    const subscribed = new Set<string>();
    let notifySubscribed: () => void = () => {};
    const peer = new Promise<WebSocket>((resolve) =>
      server.on('connection', (ws) => {
        ws.on('message', (data: Buffer) => {
          const message = JSON.parse(data.toString()) as { type: string; channel?: string; id?: unknown };
          // Answers like a hub, so the client gets its positions (and any re-sent subscribe is answered).
          if (message.type === 'subscribe' && message.channel) {
            subscribed.add(message.channel);
            ws.send(JSON.stringify({ type: 'subscribed', channel: message.channel, epoch: 'e1', offset: 0 }));
            notifySubscribed();
          } else if (message.type === 'ping') ws.send(JSON.stringify({ type: 'pong', id: message.id }));
        });
        ws.send(JSON.stringify({ type: 'connected', clientId: 'fuzz-server' }));
        resolve(ws);
      }),
    );
    const port = (server.address() as AddressInfo).port;
    const client = new RecordingConnection({ urls: `ws://127.0.0.1:${port}`, token: 'fuzz' });
    cleanup.push(() => client.connection.close());
    for (const channel of [...CHANNELS, FINAL]) client.connection.subscribe(channel as `issue:${string}`);
    client.connection.start();
    const ws = await peer;
    await new Promise<void>((resolve) => {
      notifySubscribed = () => subscribed.size === CHANNELS.length + 1 && resolve();
      notifySubscribed();
    });
    await client.waitFor((delivery) => delivery.kind === 'subscribed', CHANNELS.length + 1);

    let sent = 0;
    let expectedInvalid = 0;
    let validEvents = 0;
    const send = (frame: ServerFrame): Promise<void> =>
      new Promise((resolve, reject) => {
        if (typeof frame === 'string') {
          // What the client receives: the UTF-8 round trip replaces lone surrogates.
          const parsed = parseServerMessage(Buffer.from(frame).toString());
          if (!parsed.ok) expectedInvalid++;
          else if (parsed.message.type === 'event') validEvents++;
        } else expectedInvalid++;
        sent++;
        ws.send(frame, { binary: typeof frame !== 'string' }, (error) => (error ? reject(error) : resolve()));
      });
    // Boundaries: nesting at and past the client's limit of 64, text past its 16 MiB.
    const boundaries = [
      `{"type":"event","channel":"issue:1","event":"x","data":${'['.repeat(63)}${']'.repeat(63)}}`,
      `{"type":"event","channel":"issue:1","event":"x","data":${'['.repeat(64)}${']'.repeat(64)}}`,
      `{"type":"event","channel":"issue:1","event":"x","data":"${'z'.repeat(16 * 1024 * 1024)}"}`,
    ];
    for (const frame of boundaries) await send(frame);
    const huge = sampleOf(hugeServerFrame(CHANNELS, 4 * 1024 * 1024), TOTAL / HUGE_EVERY, SEED + 7);
    const generated = TOTAL - boundaries.length - huge.length;
    const startedAt = Date.now();
    for (let chunk = 0; chunk * 1000 < generated; chunk++) {
      const frames = sampleOf(serverFrame(CHANNELS), Math.min(1000, generated - chunk * 1000), SEED + chunk);
      let last: Promise<void> = Promise.resolve();
      for (const frame of frames) last = send(frame);
      // A huge frame between chunks now and then.
      if (chunk % (HUGE_EVERY / 1000) === 0 && huge.length > 0) last = send(huge.pop() as string);
      // Backpressure: the next chunk waits until this one is on the wire.
      await last;
    }
    for (const frame of huge.splice(0)) await send(frame);
    const seconds = (Date.now() - startedAt) / 1000;
    ws.send(
      JSON.stringify({ type: 'event', channel: FINAL, event: 'fuzz_done', data: { ok: true }, offset: 1, epoch: 'e1' }),
    );
    const final = await client
      .waitFor((delivery) => delivery.kind === 'event' && delivery.channel === FINAL, 1, 60_000)
      .then(() => true)
      .catch(() => false);
    const opened = client.states.findIndex((state) => state.status === 'open');
    const leftOpen = client.states.slice(opened).filter((state) => state.status !== 'open').length;
    const { invalidFrames } = client.connection.stats;

    const clientScenario = `${SCENARIO} · client core`;
    recordFigure({
      scenario: clientScenario,
      figure: 'hostile frames sent',
      value: sent,
      goal: '100 000',
      met: sent >= TOTAL,
    });
    recordFigure({
      scenario: clientScenario,
      figure: 'frames per second',
      value: Math.round(sent / seconds),
      unit: '/s',
      goal: 'informational',
      met: true,
    });
    recordFigure({
      scenario: clientScenario,
      figure: 'uncaught exceptions and rejections',
      value: processErrors.errors.length,
      goal: '0',
      met: processErrors.errors.length === 0,
    });
    recordFigure({
      scenario: clientScenario,
      figure: 'state changes away from open',
      value: leftOpen,
      goal: '0 (stays open)',
      met: opened !== -1 && leftOpen === 0,
    });
    recordFigure({
      scenario: clientScenario,
      figure: 'invalid frames counted',
      value: invalidFrames,
      goal: `${expectedInvalid} (every invalid frame, once)`,
      met: invalidFrames === expectedInvalid,
    });
    recordFigure({
      scenario: clientScenario,
      figure: 'final valid event delivered',
      value: final ? 'yes' : 'no',
      goal: 'yes',
      met: final,
    });

    expect(sent).toBe(TOTAL);
    expect(processErrors.errors, `seed ${SEED}`).toEqual([]);
    expect(opened).toBeGreaterThanOrEqual(0);
    expect(leftOpen, `seed ${SEED}`).toBe(0);
    expect(client.connection.state.status).toBe('open');
    expect(invalidFrames, `seed ${SEED}`).toBe(expectedInvalid);
    expect(validEvents).toBeGreaterThan(10_000);
    expect(final, `seed ${SEED}`).toBe(true);
  });

  it('POST /api/publish answers 20 000 hostile bodies with 202, 400, 403 forbidden or 413, and publishes nothing invalid', async () => {
    const BODIES = 20_000;
    // The subscriber reads everything published, including bodies near 256 KiB: it must not be cut as slow.
    const running = await startHub({ maxBufferedBytes: 512 * 1024 * 1024 });
    const subscriber = await TestClient.connect(`${running.wsUrl}?token=${await token()}`);
    cleanup.push(() => subscriber.close());
    for (const channel of FUZZ_CHANNELS) subscriber.send({ type: 'subscribe', channel });
    await subscriber.waitForCount((message) => message.type === 'subscribed', FUZZ_CHANNELS.length);
    const publishToken = await token({ publish: true });
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    cleanup.push(() => agent.destroy());

    const statuses = new Map<number, number>();
    const codes = new Map<string, number>();
    const malformed: string[] = [];
    let accepted = 0;
    /** Accepted on a channel the subscriber watches (a valid channel outside them is accepted too). */
    let acceptedOnWatched = 0;
    let dropped = 0;
    const startedAt = Date.now();
    for (let batch = 0; batch * 500 < BODIES; batch++) {
      const inputs = sampleOf(publishBody, Math.min(500, BODIES - batch * 500), SEED + batch);
      await mapConcurrent(inputs, 8, async (input) => {
        const answer = await post(agent, running, input, publishToken);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (answer.status === 0) {
          dropped++;
          return;
        }
        const verdict = checkPublishAnswer(answer);
        if (verdict.problem) malformed.push(`${answer.status} ${verdict.problem}: ${answer.body.slice(0, 120)}`);
        if (verdict.code) codes.set(verdict.code, (codes.get(verdict.code) ?? 0) + 1);
        // An event whose payload names another record than its channel's is refused, even with `*` grants.
        if (answer.status === 403 && verdict.code !== 'forbidden') malformed.push(`403 with code ${verdict.code}`);
        if (answer.status === 202) {
          accepted++;
          if ((FUZZ_CHANNELS as readonly string[]).includes(channelOf(input.body))) acceptedOnWatched++;
        }
      });
    }
    const seconds = (Date.now() - startedAt) / 1000;
    const answered = BODIES - dropped;
    const delivered = await subscriber
      .waitForCount((message) => message.type === 'event', acceptedOnWatched, 30_000)
      .catch(() => subscriber.events());
    const invalidPublished = delivered.filter((message) => validateEvent(message.event, message.data) !== null);
    const health = await healthStatus(running);
    const unexpected = [...statuses.keys()].filter((status) => ![202, 400, 403, 413].includes(status));
    console.info(
      `[fuzz] publish statuses ${JSON.stringify(Object.fromEntries(statuses))}, codes ${JSON.stringify(Object.fromEntries(codes))}`,
    );

    const httpScenario = `${SCENARIO} · HTTP publish`;
    recordFigure({
      scenario: httpScenario,
      figure: 'bodies sent',
      value: BODIES,
      goal: '≥ 10 000, every one answered',
      met: answered === BODIES,
    });
    recordFigure({
      scenario: httpScenario,
      figure: 'bodies per second',
      value: Math.round(BODIES / seconds),
      unit: '/s',
      goal: 'informational',
      met: true,
    });
    recordFigure({
      scenario: httpScenario,
      figure: 'answers other than 202/400/403/413 with a JSON body and error code',
      value: unexpected.reduce((sum, status) => sum + (statuses.get(status) ?? 0), 0) + malformed.length,
      goal: '0',
      met: unexpected.length === 0 && malformed.length === 0,
    });
    recordFigure({
      scenario: httpScenario,
      figure: 'dropped connections',
      value: dropped,
      goal: '0',
      met: dropped === 0,
    });
    recordFigure({
      scenario: httpScenario,
      figure: 'accepted (202) / refused (400, 413) / forbidden (403: payload names another record)',
      value: `${accepted} / ${(statuses.get(400) ?? 0) + (statuses.get(413) ?? 0)} / ${statuses.get(403) ?? 0}`,
      goal: 'informational',
      met: true,
    });
    recordFigure({
      scenario: httpScenario,
      figure: 'invalid events published',
      value: invalidPublished.length,
      goal: `0 (of ${delivered.length} delivered for ${acceptedOnWatched} accepted on watched channels)`,
      met: invalidPublished.length === 0 && delivered.length === acceptedOnWatched,
    });
    recordFigure({
      scenario: httpScenario,
      figure: 'uncaught exceptions and rejections',
      value: processErrors.errors.length,
      goal: '0',
      met: processErrors.errors.length === 0,
    });
    recordFigure({
      scenario: httpScenario,
      figure: 'hub health after',
      value: health,
      goal: '200',
      met: health === 200,
    });

    expect(unexpected, `seed ${SEED}`).toEqual([]);
    expect(malformed, `seed ${SEED}`).toEqual([]);
    expect(dropped).toBe(0);
    expect(accepted).toBeGreaterThan(0);
    expect(statuses.get(400)).toBeGreaterThan(0);
    expect(statuses.get(413)).toBeGreaterThan(0);
    expect(delivered).toHaveLength(acceptedOnWatched);
    expect(invalidPublished).toEqual([]);
    expect(processErrors.errors).toEqual([]);
    expect(health).toBe(200);
  });

  it('GET /events answers 3 000 hostile queries and Last-Event-IDs with 200, 400, 401 or 403, and closes every stream', async () => {
    const REQUESTS = 3000;
    const running = await startHub();
    const { hub } = running;
    const tokens = {
      all: await token(),
      issuesOnly: await token({ channels: ['issue:*'] }),
      expired: await token({ ttlSeconds: -60 }),
      forged: await signToken({ user: 'mallory', channels: ['*'] }, secretKey('another-secret-that-is-32-bytes-long!')),
    };
    const { epoch } = await hub.engine.recover('issue:1');
    const inputs = sampleOf(sseRequest(tokens, epoch), REQUESTS, SEED);
    const startedAt = Date.now();
    const exchanges = await mapConcurrent(inputs, 50, (input) =>
      // A stream stays open: cut it once it started, as a closing tab would.
      rawExchange(running.port, sseRequestText(input), { cutWhen: (status) => status === 200, timeoutMs: 30_000 }),
    );
    const seconds = (Date.now() - startedAt) / 1000;
    const statuses = new Map<number | null, number>();
    for (const exchange of exchanges) statuses.set(exchange.status, (statuses.get(exchange.status) ?? 0) + 1);
    // A target the URL parser normalizes away from /events (`/events/..`) is not an SSE request: 404 —
    // unless Node's HTTP parser refused the request's headers first (its bare 400, with no JSON body).
    const refusedByParser = (exchange: (typeof exchanges)[number]) =>
      exchange.status === 400 && !exchange.received.includes('{"error"');
    const unexpected = exchanges.filter((exchange, index) =>
      addressesSse(inputs[index].target)
        ? ![200, 400, 401, 403].includes(exchange.status ?? 0)
        : exchange.status !== 404 && !refusedByParser(exchange),
    );
    // A refusal must end its connection; a stream is cut by this side.
    const leftOpen = exchanges.filter((exchange) => exchange.status !== 200 && !exchange.closedByServer);
    await eventually(
      async () =>
        (await metricValue(hub, 'falcon_hub_sse_streams')) === 0 &&
        (await metricValue(hub, 'falcon_hub_subscriptions')) === 0 &&
        (await openConnections(running.server)) === 0,
      'SSE streams, subscriptions and sockets back to 0',
      15_000,
    ).catch(() => {});
    const streams = await metricValue(hub, 'falcon_hub_sse_streams');
    const subscriptions = await metricValue(hub, 'falcon_hub_subscriptions');
    const sockets = await openConnections(running.server);
    console.info(`[fuzz] SSE statuses ${JSON.stringify(Object.fromEntries(statuses))}`);

    const sseScenario = `${SCENARIO} · SSE`;
    recordFigure({
      scenario: sseScenario,
      figure: 'hostile requests',
      value: REQUESTS,
      goal: 'a few thousand',
      met: true,
    });
    recordFigure({
      scenario: sseScenario,
      figure: 'requests per second',
      value: Math.round(REQUESTS / seconds),
      unit: '/s',
      goal: 'informational',
      met: true,
    });
    recordFigure({
      scenario: sseScenario,
      figure: 'answers other than 200/400/401/403 (404 for paths normalized away from /events)',
      value: unexpected.length,
      goal: '0',
      met: unexpected.length === 0,
    });
    recordFigure({
      scenario: sseScenario,
      figure: 'streams opened (200) / refused (400, 401, 403)',
      value: `${statuses.get(200) ?? 0} / ${REQUESTS - (statuses.get(200) ?? 0)}`,
      goal: 'informational',
      met: true,
    });
    recordFigure({
      scenario: sseScenario,
      figure: 'refusals left open by the hub',
      value: leftOpen.length,
      goal: '0',
      met: leftOpen.length === 0,
    });
    recordFigure({ scenario: sseScenario, figure: 'SSE streams after', value: streams, goal: '0', met: streams === 0 });
    recordFigure({
      scenario: sseScenario,
      figure: 'subscriptions after',
      value: subscriptions,
      goal: '0',
      met: subscriptions === 0,
    });
    recordFigure({
      scenario: sseScenario,
      figure: 'open sockets after',
      value: sockets,
      goal: '0',
      met: sockets === 0,
    });
    recordFigure({
      scenario: sseScenario,
      figure: 'uncaught exceptions and rejections',
      value: processErrors.errors.length,
      goal: '0',
      met: processErrors.errors.length === 0,
    });

    expect(
      unexpected.map(
        (exchange) =>
          `${exchange.received.split('\r\n')[0]} for ${inputs[exchanges.indexOf(exchange)].target.slice(0, 200)}`,
      ),
      `seed ${SEED}`,
    ).toEqual([]);
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect(leftOpen).toEqual([]);
    expect({ streams, subscriptions, sockets }).toEqual({ streams: 0, subscriptions: 0, sockets: 0 });
    expect(processErrors.errors).toEqual([]);
  });
});
