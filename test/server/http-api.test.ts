import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode, ErrorCode } from '../../src/shared/errors';
import type { RunningHub } from '../../src/server/index';
import { TEST_ENGINE, token } from '../helpers/hub';
import { HubFixture } from '../helpers/hub-fixture';
import { eventually, metricValue } from '../helpers/probes';

const fixture = new HubFixture();
afterEach(() => fixture.dispose());

const MAX_BODY_BYTES = 4 * 1024;

async function publishToken(channels = ['*']): Promise<string> {
  return token({ channels, publish: true });
}

function post(running: RunningHub, path: string, body: BodyInit, authToken?: string): Promise<Response> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (authToken) headers.Authorization = `Bearer ${authToken}`;
  return fetch(`${running.url}${path}`, { method: 'POST', headers, body });
}

async function errorCode(response: Response): Promise<string> {
  const body = (await response.json()) as { error?: { code?: string } };
  return body.error?.code ?? '(no code)';
}

describe('HTTP API', () => {
  describe('POST /api/publish', () => {
    it('answers 202 with the offset and epoch, and subscribers receive the event', async () => {
      const running = await fixture.startHub();
      const client = await fixture.connect(running);
      client.send({ type: 'subscribe', channel: 'issue:1' });
      await client.waitFor((m) => m.type === 'subscribed');
      const data = { issueId: '1', newStatus: 'done' };

      const response = await post(
        running,
        '/api/publish',
        JSON.stringify({ channel: 'issue:1', event: 'status_changed', data }),
        await publishToken(),
      );

      expect(response.status).toBe(202);
      const result = (await response.json()) as { offset: number; epoch: string };
      expect(result).toEqual({ offset: 1, epoch: expect.any(String) });
      expect(await client.waitFor((m) => m.type === 'event')).toEqual({
        type: 'event',
        channel: 'issue:1',
        event: 'status_changed',
        data,
        offset: 1,
        epoch: result.epoch,
      });
    });

    it('answers 401 unauthorized without a token', async () => {
      const running = await fixture.startHub();

      const response = await post(running, '/api/publish', JSON.stringify({ channel: 'issue:1', event: 'x', data: 1 }));

      expect(response.status).toBe(401);
      expect(await errorCode(response)).toBe(ErrorCode.Unauthorized);
    });

    it('answers 401 unauthorized for a token that does not verify', async () => {
      const running = await fixture.startHub();

      const response = await post(
        running,
        '/api/publish',
        JSON.stringify({ channel: 'issue:1', event: 'x', data: 1 }),
        'garbage',
      );

      expect(response.status).toBe(401);
      expect(await errorCode(response)).toBe(ErrorCode.Unauthorized);
    });

    it('answers 403 forbidden for a token without publish', async () => {
      const running = await fixture.startHub();

      const response = await post(
        running,
        '/api/publish',
        JSON.stringify({ channel: 'issue:1', event: 'x', data: 1 }),
        await token({ channels: ['*'] }),
      );

      expect(response.status).toBe(403);
      expect(await errorCode(response)).toBe(ErrorCode.Forbidden);
    });

    it('answers 403 forbidden for a channel the token does not cover', async () => {
      const running = await fixture.startHub();

      const response = await post(
        running,
        '/api/publish',
        JSON.stringify({ channel: 'agent:x', event: 'x', data: 1 }),
        await publishToken(['project:*']),
      );

      expect(response.status).toBe(403);
      expect(await errorCode(response)).toBe(ErrorCode.Forbidden);
    });

    const channel = 'issue:fresh';
    const body = (value: unknown): string => JSON.stringify(value);
    const oversized = body({ channel, event: 'note', data: 'x'.repeat(MAX_BODY_BYTES) });

    it.each([
      { name: 'a body that is not JSON', payload: '{"channel":', status: 400, code: ErrorCode.InvalidJson },
      { name: 'an empty body', payload: '', status: 400, code: ErrorCode.InvalidJson },
      { name: 'a JSON array', payload: '[]', status: 400, code: ErrorCode.InvalidMessage },
      { name: 'JSON null', payload: 'null', status: 400, code: ErrorCode.InvalidMessage },
      {
        name: 'a body without event',
        payload: body({ channel, data: {} }),
        status: 400,
        code: ErrorCode.InvalidMessage,
      },
      {
        name: 'a body without data',
        payload: body({ channel, event: 'note' }),
        status: 400,
        code: ErrorCode.InvalidMessage,
      },
      {
        name: 'a body with an extra field',
        payload: body({ channel, event: 'note', data: 1, x: 1 }),
        status: 400,
        code: ErrorCode.InvalidMessage,
      },
      {
        name: 'a numeric channel',
        payload: body({ channel: 7, event: 'note', data: 1 }),
        status: 400,
        code: ErrorCode.InvalidMessage,
      },
      {
        name: 'an invalid channel',
        payload: body({ channel: 'issue:../fresh', event: 'note', data: 1 }),
        status: 400,
        code: ErrorCode.InvalidChannel,
      },
      {
        name: 'an invalid event name',
        payload: body({ channel, event: 'Not An Event', data: 1 }),
        status: 400,
        code: ErrorCode.InvalidEvent,
      },
      {
        name: 'status_changed without newStatus',
        payload: body({ channel, event: 'status_changed', data: { issueId: 'fresh' } }),
        status: 400,
        code: ErrorCode.InvalidEvent,
      },
      {
        name: 'issue_created with a traversal issueId',
        payload: body({ channel, event: 'issue_created', data: { issueId: '../x' } }),
        status: 400,
        code: ErrorCode.InvalidEvent,
      },
      {
        name: 'a __proto__ key',
        payload: `{"channel":"${channel}","event":"note","data":{"__proto__":{"admin":true}}}`,
        status: 400,
        code: ErrorCode.ForbiddenKey,
      },
      {
        name: 'nesting 40 deep',
        payload: `{"channel":"${channel}","event":"note","data":${'['.repeat(40)}${']'.repeat(40)}}`,
        status: 400,
        code: ErrorCode.TooDeep,
      },
      { name: 'a body over maxBodyBytes', payload: oversized, status: 413, code: ErrorCode.MessageTooLarge },
      {
        name: 'a chunked body over maxBodyBytes',
        payload: () =>
          new ReadableStream<Uint8Array>({
            start(controller) {
              for (let i = 0; i < 8; i++) controller.enqueue(new TextEncoder().encode(' '.repeat(MAX_BODY_BYTES / 2)));
              controller.close();
            },
          }),
        status: 413,
        code: ErrorCode.MessageTooLarge,
      },
    ])('answers $name with $status $code and publishes nothing', async ({ payload, status, code }) => {
      const running = await fixture.startHub({ maxBodyBytes: MAX_BODY_BYTES });
      const client = await fixture.connect(running);
      client.send({ type: 'subscribe', channel });
      await client.waitFor((m) => m.type === 'subscribed');
      const authToken = await publishToken();

      const response =
        typeof payload === 'function'
          ? await fetch(`${running.url}/api/publish`, {
              method: 'POST',
              headers: { Authorization: `Bearer ${authToken}` },
              body: payload(),
              duplex: 'half',
            } as RequestInit)
          : await post(running, '/api/publish', payload, authToken);

      expect(response.status).toBe(status);
      expect(await errorCode(response)).toBe(code);
      const valid = await post(running, '/api/publish', body({ channel, event: 'note', data: 'ok' }), authToken);
      expect(await valid.json()).toMatchObject({ offset: 1 });
      // A later event closes the window: anything the refused request had published would come before it.
      const last = await post(running, '/api/publish', body({ channel, event: 'note', data: 'last' }), authToken);
      expect(await last.json()).toMatchObject({ offset: 2 });
      await client.waitFor((m) => m.type === 'event' && m.data === 'last');
      expect(client.events().map((m) => m.data)).toEqual(['ok', 'last']);
    });
  });

  describe('POST /api/agents/:agentId/output', () => {
    it('batches the text into an output_batch for subscribers of agent:<id>', async () => {
      const running = await fixture.startHub({ outputBatch: { intervalMs: 20 } });
      const client = await fixture.connect(running);
      client.send({ type: 'subscribe', channel: 'agent:opus-1' });
      await client.waitFor((m) => m.type === 'subscribed');

      const response = await fetch(`${running.url}/api/agents/opus-1/output`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${await publishToken()}`, 'Content-Type': 'text/plain' },
        body: 'building\u2026\r\n',
      });

      expect(response.status).toBe(202);
      expect(await client.waitFor((m) => m.type === 'event')).toMatchObject({
        channel: 'agent:opus-1',
        event: 'output_batch',
        data: { timestamp: expect.any(Number), lines: ['building\u2026\r\n'] },
      });
    });

    it.each([
      { name: 'an id with a space', path: 'bad%20id' },
      { name: 'an id with an encoded slash', path: 'a%2Fb' },
      { name: 'an id with broken percent-encoding', path: '%E0%A4%A' },
    ])('answers $name with 400 invalid_channel', async ({ path }) => {
      const running = await fixture.startHub();

      const response = await fetch(`${running.url}/api/agents/${path}/output`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${await publishToken()}` },
        body: 'text',
      });

      expect(response.status).toBe(400);
      expect(await errorCode(response)).toBe(ErrorCode.InvalidChannel);
    });
  });

  describe('GET /healthz, /metrics and unknown paths', () => {
    it('answers /healthz with 200 ok', async () => {
      const running = await fixture.startHub();

      const response = await fetch(`${running.url}/healthz`);

      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ ok: true });
    });

    it('answers /metrics with the hub\u2019s Prometheus text', async () => {
      const running = await fixture.startHub();

      const response = await fetch(`${running.url}/metrics`);

      expect(response.status).toBe(200);
      expect(await response.text()).toContain('falcon_hub_connections');
    });

    it.skipIf(TEST_ENGINE === 'redis')('reports what the in-memory engine keeps in /metrics', async () => {
      const running = await fixture.startHub();
      await running.hub.publish('issue:1', 'note', { text: 'x'.repeat(1000) });

      const text = await (await fetch(`${running.url}/metrics`)).text();

      expect(text).toMatch(/falcon_hub_engine_kept\{kind="historyEvents"\} 1\b/);
      expect(Number(/falcon_hub_engine_kept\{kind="historyBytes"\} (\d+)/.exec(text)?.[1])).toBeGreaterThan(1000);
    });

    it('answers an unknown path with a JSON 404 not_found', async () => {
      const running = await fixture.startHub();

      const response = await fetch(`${running.url}/nowhere`);

      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(await errorCode(response)).toBe(ErrorCode.NotFound);
    });
  });

  describe('GET /api/whoami', () => {
    it('tells what a token grants', async () => {
      const running = await fixture.startHub();
      const response = await fetch(`${running.url}/api/whoami`, {
        headers: { Authorization: `Bearer ${await token({ channels: ['project:*'] })}` },
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ user: 'tester', channels: ['project:*'], publish: false });
    });

    it('answers 401 unauthorized for a refused token (one in the query string is not even read)', async () => {
      const running = await fixture.startHub();
      const response = await fetch(`${running.url}/api/whoami?token=forged`);
      expect(response.status).toBe(401);
      expect(await errorCode(response)).toBe(ErrorCode.Unauthorized);
    });
  });

  describe('GET /api/projects', () => {
    it('lists the known projects the token may read', async () => {
      const running = await fixture.startHub();
      await running.hub.publish('project:web', 'issue_created', { issueId: '1', projectId: 'web' });
      await running.hub.publish('issue:2', 'issue_created', { issueId: '2', projectId: 'api' });
      await running.hub.publish('project:secret', 'issue_created', { issueId: '3', projectId: 'secret' });
      const response = await fetch(`${running.url}/api/projects`, {
        headers: { Authorization: `Bearer ${await token({ channels: ['project:web', 'project:api'] })}` },
      });
      expect(await response.json()).toEqual({ projects: ['api', 'web'] });
    });
  });

  describe('SSE', () => {
    const status = (n: number) => ({ agentId: 'a', status: 'working', message: `step ${n}` });

    async function publishSteps(running: RunningHub, from: number, to: number): Promise<void> {
      for (let n = from; n <= to; n++) await running.hub.publish('agent:a', 'agent_status', status(n));
    }

    it('streams an agent\u2019s events with id lines', async () => {
      const running = await fixture.startHub();
      const stream = await fixture.sse(`${running.url}/events/a?token=${await token()}`);

      await publishSteps(running, 1, 3);

      const events = await stream.waitForCount(3);
      const { epoch } = await running.hub.engine.recover('agent:a');
      expect(events).toEqual(
        [1, 2, 3].map((n) => ({ id: `agent:a@${epoch}:${n}`, event: 'agent_status', data: JSON.stringify(status(n)) })),
      );
      expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    });

    it('removes a stream whose client went away', async () => {
      const running = await fixture.startHub();
      const stream = await fixture.sse(`${running.url}/events/a?token=${await token()}`);
      expect(await metricValue(running.hub, 'falcon_hub_sse_streams')).toBe(1);

      stream.abort();

      await eventually(
        async () => (await metricValue(running.hub, 'falcon_hub_sse_streams')) === 0,
        'the stream to be removed',
      );
      expect(await metricValue(running.hub, 'falcon_hub_subscriptions')).toBe(0);
    });

    it('resumes from Last-Event-ID with exactly the missed events, in order', async () => {
      const running = await fixture.startHub();
      const url = `${running.url}/events/a?token=${await token()}`;
      const first = await fixture.sse(url);
      await publishSteps(running, 1, 3);
      await first.waitForCount(3);
      first.abort();
      await eventually(
        async () => (await metricValue(running.hub, 'falcon_hub_sse_streams')) === 0,
        'the stream to be removed',
      );
      await publishSteps(running, 4, 6);

      const second = await fixture.sse(url, { 'Last-Event-ID': first.lastId ?? '' });
      await second.waitForCount(3);
      await publishSteps(running, 7, 8);
      // Event 8 comes after the replay and event 7: a repeated event would arrive before it.
      await second.waitForCount(5);

      expect(second.data()).toEqual([4, 5, 6, 7, 8].map(status));
    });

    it('streams several channels with /events?channel=, each payload wrapped with its channel', async () => {
      const running = await fixture.startHub();
      const stream = await fixture.sse(`${running.url}/events?channel=issue:1&channel=agent:a&token=${await token()}`);

      await running.hub.publish('issue:1', 'issue_updated', { issueId: '1', title: 'T' });
      await running.hub.publish('agent:a', 'agent_status', status(1));

      await stream.waitForCount(2);
      expect(stream.data()).toEqual([
        { channel: 'issue:1', data: { issueId: '1', title: 'T' } },
        { channel: 'agent:a', data: status(1) },
      ]);
      expect(stream.events.map((event) => event.event)).toEqual(['issue_updated', 'agent_status']);
    });

    it('resumes each channel of a multi-channel stream from its own position', async () => {
      const running = await fixture.startHub();
      const url = `${running.url}/events?channel=issue:1&channel=agent:a&token=${await token()}`;
      const first = await fixture.sse(url);
      await running.hub.publish('issue:1', 'issue_updated', { issueId: '1', title: 'one' });
      await first.waitForCount(1);
      first.abort();
      await eventually(
        async () => (await metricValue(running.hub, 'falcon_hub_sse_streams')) === 0,
        'the stream to be removed',
      );
      await running.hub.publish('agent:a', 'agent_status', status(1));
      await running.hub.publish('issue:1', 'issue_updated', { issueId: '1', title: 'two' });

      const second = await fixture.sse(url, { 'Last-Event-ID': first.lastId ?? '' });
      await second.waitForCount(2);
      // A live event after the replay: a repeated one would arrive before it.
      await running.hub.publish('issue:1', 'issue_updated', { issueId: '1', title: 'three' });
      await second.waitForCount(3);

      expect(second.data().slice(0, 2)).toEqual(
        expect.arrayContaining([
          { channel: 'agent:a', data: status(1) },
          { channel: 'issue:1', data: { issueId: '1', title: 'two' } },
        ]),
      );
      expect(second.data()).toHaveLength(3);
      expect(second.data()[2]).toEqual({ channel: 'issue:1', data: { issueId: '1', title: 'three' } });
    });

    it('tells a client resuming from another epoch to resync, then sends that epoch from its start and live events', async () => {
      const running = await fixture.startHub();
      await publishSteps(running, 1, 2);

      const stream = await fixture.sse(`${running.url}/events/a?token=${await token()}`, {
        'Last-Event-ID': 'agent:a@0ld3p0ch:9',
      });
      await stream.waitForCount(3);
      await publishSteps(running, 3, 3);
      await stream.waitForCount(4);

      expect(stream.events.map((event) => event.event)).toEqual([
        'hub.resync',
        'agent_status',
        'agent_status',
        'agent_status',
      ]);
      expect(stream.data()).toEqual([{ channel: 'agent:a' }, status(1), status(2), status(3)]);
    });

    it('answers a stream without a token with 401 unauthorized', async () => {
      const running = await fixture.startHub();

      const response = await fetch(`${running.url}/events/a`);

      expect(response.status).toBe(401);
      expect(await errorCode(response)).toBe(ErrorCode.Unauthorized);
      expect(await metricValue(running.hub, 'falcon_hub_sse_streams')).toBe(0);
    });

    it('answers a stream outside the token\u2019s channels with 403 forbidden', async () => {
      const running = await fixture.startHub();

      const response = await fetch(`${running.url}/events/a?token=${await token({ channels: ['project:*'] })}`);

      expect(response.status).toBe(403);
      expect(await errorCode(response)).toBe(ErrorCode.Forbidden);
    });

    it.each([
      { name: 'an invalid agent id', path: '/events/bad%20id' },
      { name: 'broken percent-encoding', path: '/events/%E0%A4%A' },
      { name: 'an invalid channel parameter', path: '/events?channel=user:1' },
    ])('answers $name with 400 invalid_channel', async ({ path }) => {
      const running = await fixture.startHub();

      const response = await fetch(`${running.url}${path}${path.includes('?') ? '&' : '?'}token=${await token()}`);

      expect(response.status).toBe(400);
      expect(await errorCode(response)).toBe(ErrorCode.InvalidChannel);
      expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
    });

    it('sends a keep-alive comment every sseKeepAliveMs', async () => {
      const running = await fixture.startHub({ sseKeepAliveMs: 100 });
      const stream = await fixture.sse(`${running.url}/events/a?token=${await token()}`);

      await stream.waitForComment('keep-alive', 1000);

      expect(stream.events).toEqual([]);
    });
  });

  describe('graceful close', () => {
    it('closes WebSocket clients with 1001 and ends SSE streams', async () => {
      const running = await fixture.startHub();
      const client = await fixture.connect(running);
      const stream = await fixture.sse(`${running.url}/events/a?token=${await token()}`);

      await running.close();

      expect(await client.closed).toBe(CloseCode.GoingAway);
      expect(await stream.ended).toBe('end');
    });
  });
});

describe('SSE replays to a slow reader', () => {
  it('pace themselves below a small buffer limit and finish once the reader reads again', async () => {
    const { request } = await import('node:http');
    // A limit below the response's own 16 KiB high-water mark: 'drain' would never come here.
    const running = await fixture.startHub({ maxBufferedBytes: 16 * 1024, history: { size: 5000 } });
    // 600 events of about 1 KB: many times the limit.
    const title = 'x'.repeat(900);
    let first: { epoch: string } | undefined;
    for (let n = 1; n <= 600; n++) {
      const published = await running.hub.publish('issue:1', 'issue_updated', { issueId: '1', title: `${n} ${title}` });
      first ??= published;
    }
    const url = new URL(`${running.url}/events?channel=issue:1&token=${await token()}`);
    const received = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const req = request(url, { headers: { 'Last-Event-ID': `issue:1@${first?.epoch}:0` } }, (res) => {
        // Not reading at first: the hub's buffer fills and the replay has to wait for it to empty.
        res.pause();
        setTimeout(() => res.resume(), 300);
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          if (Buffer.concat(chunks).includes(`600 ${title}`)) {
            req.destroy();
            resolve(Buffer.concat(chunks).toString('utf8'));
          }
        });
        res.on('error', () => undefined);
      });
      req.on('error', reject);
      req.end();
    });
    const titles = [...received.matchAll(/"title":"(\d+) x+"/g)].map((match) => Number(match[1]));
    expect(titles).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
  }, 60_000);
});
