import { connect } from 'node:net';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/shared/errors';
import type { RunningHub } from '../../src/server/index';
import { tokenKey } from '../../src/server/connection-caps';
import { KEY, TestClient, token } from '../helpers/hub';
import { HubFixture } from '../helpers/hub-fixture';
import { eventually, metricValue, rejectedUpgrade } from '../helpers/probes';
import { rawExchange, upgradeRequest } from '../reliability/attack-raw-http';

const fixture = new HubFixture();
afterEach(() => fixture.dispose());

const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

/** The JSON error code of a raw answer, or null when its body is not one (Node's own 400 has none). */
function rawErrorCode(received: string): string | null {
  const body = received.slice(received.indexOf('\r\n\r\n') + 4);
  try {
    return (JSON.parse(body) as { error?: { code?: string } }).error?.code ?? null;
  } catch {
    return null;
  }
}

async function errorCode(response: Response): Promise<string> {
  const body = (await response.json()) as { error?: { code?: string } };
  return body.error?.code ?? '(no code)';
}

function rawGet(running: RunningHub, target: string, method = 'GET'): ReturnType<typeof rawExchange> {
  return rawExchange(running.port, `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
}

async function healthStatus(running: RunningHub): Promise<number> {
  return (await rawGet(running, '/healthz')).status ?? 0;
}

function publish(running: RunningHub, authToken: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${running.url}/api/publish`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${authToken}`, ...headers },
    body: JSON.stringify({ channel: 'issue:1', event: 'status_changed', data: { issueId: '1', newStatus: 'done' } }),
  });
}

/** A token that expires on the second boundary after the next one: between 1 and 2 s from now, never sooner. */
function shortLivedToken(): Promise<string> {
  return new SignJWT({ channels: ['*'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('tester')
    .setExpirationTime(Math.ceil(Date.now() / 1000) + 1)
    .sign(KEY);
}

describe('The hub boundary', () => {
  describe('request targets', () => {
    const ODD_TARGETS = [
      '//',
      '//ws',
      'http://a:99999/x',
      'http://[::1/x',
      'http://%zz/',
      'http://x:65536/',
      'http://x:65536/ws',
      '*',
      'example.com:443',
      '/%E0%A4%A',
    ];

    it.each(ODD_TARGETS)('answers GET %s with a 4xx and keeps serving', async (target) => {
      const running = await fixture.startHub();

      const answer = await rawGet(running, target);

      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      const code = rawErrorCode(answer.received);
      if (code !== null) expect(KNOWN_CODES).toContain(code);
      expect(await healthStatus(running)).toBe(200);
    });

    it.each(ODD_TARGETS)('answers an upgrade to %s with a 4xx and keeps serving', async (target) => {
      const running = await fixture.startHub();

      const answer = await rawExchange(running.port, upgradeRequest(target));

      expect(answer.status).toBeGreaterThanOrEqual(400);
      expect(answer.status).toBeLessThan(500);
      expect(answer.closedByServer).toBe(true);
      expect(await healthStatus(running)).toBe(200);
      expect(running.hub.connectionCount).toBe(0);
    });

    it('survives clients that reset right after an upgrade to a path it does not own', async () => {
      const running = await fixture.startHub();

      // The 404 is written to a socket the client has already reset: an error with no listener would crash.
      for (let i = 0; i < 100; i++) {
        await new Promise<void>((resolve) => {
          const socket = connect(running.port, '127.0.0.1', () => {
            socket.write(upgradeRequest('/other'));
            socket.resetAndDestroy();
            resolve();
          });
          socket.on('error', () => {});
        });
      }

      expect(await healthStatus(running)).toBe(200);
    });

    it('answers an asterisk-form target with 400 invalid_request', async () => {
      const running = await fixture.startHub();

      const answer = await rawGet(running, '*', 'OPTIONS');

      expect(answer.status).toBe(400);
      expect(rawErrorCode(answer.received)).toBe(ErrorCode.InvalidRequest);
    });

    it('answers an upgrade with an asterisk-form target with 400 invalid_request', async () => {
      const running = await fixture.startHub();

      const answer = await rawExchange(running.port, upgradeRequest('*'));

      expect(answer.status).toBe(400);
      expect(rawErrorCode(answer.received)).toBe(ErrorCode.InvalidRequest);
    });

    it('routes an absolute-form target by its path, whatever its authority', async () => {
      const running = await fixture.startHub();

      expect((await rawGet(running, 'http://example.com/healthz')).status).toBe(200);
      expect((await rawGet(running, 'http://x:99999/healthz')).status).toBe(200);
    });

    it('accepts an absolute-form upgrade to its path', async () => {
      const running = await fixture.startHub();

      const answer = await rawExchange(running.port, upgradeRequest(`http://x:65536/ws?token=${await token()}`), {
        cutWhen: (status) => status === 101,
      });

      expect(answer.status).toBe(101);
    });
  });

  describe('request bodies', () => {
    it('counts a body cut short as the client’s invalid_request, not an internal failure', async () => {
      const running = await fixture.startHub();
      const head =
        `POST /api/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${await token({ publish: true })}\r\n` +
        'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"channel":';

      // Half the body, then the client hangs up.
      await rawExchange(running.port, head, { timeoutMs: 200 });

      await eventually(
        async () =>
          (await metricValue(running.hub, 'falcon_hub_protocol_errors_total', { code: 'invalid_request' })) === 1,
        'the cut-short body counted',
      );
      expect(await metricValue(running.hub, 'falcon_hub_protocol_errors_total', { code: 'internal' })).toBe(0);
    });
  });

  describe('?token= in the query string', () => {
    it.each([
      { method: 'GET', path: '/api/whoami' },
      { method: 'GET', path: '/api/projects' },
      { method: 'POST', path: '/api/publish' },
      { method: 'POST', path: '/api/agents/a/output' },
    ])('is not accepted by $method $path (401 unauthorized)', async ({ method, path }) => {
      const running = await fixture.startHub();

      const response = await fetch(`${running.url}${path}?token=${await token({ publish: true })}`, {
        method,
        ...(method === 'POST'
          ? { body: JSON.stringify({ channel: 'issue:1', event: 'status_changed', data: { issueId: '1' } }) }
          : {}),
      });

      expect(response.status).toBe(401);
      expect(await errorCode(response)).toBe(ErrorCode.Unauthorized);
    });

    it('is accepted by the SSE routes, which an EventSource reaches with no headers', async () => {
      const running = await fixture.startHub();

      const stream = await fixture.sse(`${running.url}/events?channel=issue:1&token=${await token()}`);

      expect(stream.response.status).toBe(200);
    });
  });

  describe('the Origin check', () => {
    const allowedOrigins = ['https://ok.example'];

    it('refuses a cross-origin text/plain publish with 403 forbidden, and publishes nothing', async () => {
      const running = await fixture.startHub({ allowedOrigins });
      const watcher = await fixture.connect(running);
      watcher.send({ type: 'subscribe', channel: 'issue:1' });
      await watcher.waitFor((m) => m.type === 'subscribed');

      const response = await publish(running, await token({ publish: true }), {
        'Content-Type': 'text/plain',
        Origin: 'https://evil.example',
      });

      expect(response.status).toBe(403);
      expect(await errorCode(response)).toBe(ErrorCode.Forbidden);
      expect(await metricValue(running.hub, 'falcon_hub_publishes_total')).toBe(0);
    });

    it.each(['/api/whoami', '/api/projects', '/events?channel=issue:1', '/events/a', '/healthz'])(
      'refuses GET %s from a foreign origin with 403 forbidden',
      async (path) => {
        const running = await fixture.startHub({ allowedOrigins });

        const response = await fetch(`${running.url}${path}`, {
          headers: { Authorization: `Bearer ${await token()}`, Origin: 'https://evil.example' },
        });

        expect(response.status).toBe(403);
        expect(await errorCode(response)).toBe(ErrorCode.Forbidden);
      },
    );

    it('accepts a publish from an allowed origin, and from a client that sends no Origin', async () => {
      const running = await fixture.startHub({ allowedOrigins });
      const publishToken = await token({ publish: true });

      expect((await publish(running, publishToken, { Origin: 'https://ok.example' })).status).toBe(202);
      expect((await publish(running, publishToken)).status).toBe(202);
    });
  });

  describe('SSE and token expiry', () => {
    it('ends a stream at its token\u2019s expiry with a hub.error token_expired, as a WebSocket gets 4001', async () => {
      const running = await fixture.startHub();
      const shortLived = await shortLivedToken();
      const stream = await fixture.sse(`${running.url}/events/a?token=${shortLived}`);

      const ended = await stream.ended;

      expect(ended).toBe('end');
      expect(stream.events.at(-1)).toMatchObject({ event: 'hub.error' });
      expect(JSON.parse(stream.events.at(-1)?.data ?? '{}')).toMatchObject({ code: ErrorCode.TokenExpired });
      await eventually(async () => (await metricValue(running.hub, 'falcon_hub_sse_streams')) === 0, 'stream closed');
      const again = await fetch(`${running.url}/events/a?token=${shortLived}`);
      expect(again.status).toBe(401);
    });
  });

  describe('connection caps', () => {
    async function refusal(url: string): Promise<{ status: number; code: unknown }> {
      const { status, body } = await rejectedUpgrade(url);
      return { status, code: (body as { error?: { code?: string } } | null)?.error?.code };
    }

    it('refuses a WebSocket past the per-token cap with 429 too_many_connections; other tokens still connect', async () => {
      const running = await fixture.startHub({ maxConnectionsPerToken: 2 });
      const capped = await token();
      await fixture.connect(running, capped);
      await fixture.connect(running, capped);

      expect(await refusal(`${running.wsUrl}?token=${capped}`)).toEqual({
        status: 429,
        code: ErrorCode.TooManyConnections,
      });
      await fixture.connect(running, await token({ user: 'tester', channels: ['issue:*'] }));
      expect(running.hub.connectionCount).toBe(3);
      expect(await metricValue(running.hub, 'falcon_hub_connection_refusals_total', { by: 'token' })).toBe(1);
    });

    it('counts a token by its string, not its user: two tokens of one user each get the cap', async () => {
      const running = await fixture.startHub({ maxConnectionsPerToken: 1 });
      await fixture.connect(running, await token({ user: 'ana' }));

      await fixture.connect(running, await token({ user: 'ana', channels: ['issue:*'] }));

      expect(running.hub.connectionCount).toBe(2);
    });

    it('refuses a WebSocket past the per-address cap with 429 too_many_connections', async () => {
      const running = await fixture.startHub({ maxConnectionsPerAddress: 2 });
      await fixture.connect(running, await token({ channels: ['a:*'] }));
      await fixture.connect(running, await token({ channels: ['b:*'] }));

      expect(await refusal(`${running.wsUrl}?token=${await token({ channels: ['c:*'] })}`)).toEqual({
        status: 429,
        code: ErrorCode.TooManyConnections,
      });
    });

    it('releases a connection\u2019s slot on every close path: close, terminate, failed handshake', async () => {
      const running = await fixture.startHub({ maxConnectionsPerToken: 1 });
      const capped = await token();
      const key = tokenKey(capped);

      const closing = await TestClient.connect(`${running.wsUrl}?token=${capped}`);
      await closing.close();
      await eventually(() => running.hub.connectionCaps.countFor(key) === 0, 'released after close');

      const cut = await TestClient.connect(`${running.wsUrl}?token=${capped}`);
      cut.ws.terminate();
      await cut.closed;
      await eventually(() => running.hub.connectionCaps.countFor(key) === 0, 'released after terminate');

      // Authenticated, then refused by ws itself (no Sec-WebSocket-Key): the slot was taken and must come back.
      const failed = await rawExchange(
        running.port,
        `GET /ws?token=${capped} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      expect(failed.status).toBe(400);
      await eventually(() => running.hub.connectionCaps.countFor(key) === 0, 'released after a failed handshake');

      await fixture.connect(running, capped);
      expect(running.hub.connectionCount).toBe(1);
    });

    it('refuses an SSE stream past the per-token cap with 429, and takes one again once a stream closes', async () => {
      const running = await fixture.startHub({ maxSseStreamsPerToken: 1 });
      const capped = await token();
      const url = `${running.url}/events/a?token=${capped}`;
      const first = await fixture.sse(url);

      const refused = await fetch(url);
      expect(refused.status).toBe(429);
      expect(await errorCode(refused)).toBe(ErrorCode.TooManyConnections);

      first.abort();
      await first.ended;
      await eventually(() => running.hub.sseCaps.countFor(tokenKey(capped)) === 0, 'stream released');
      const second = await fixture.sse(url);
      expect(second.response.status).toBe(200);
    });

    it('refuses an SSE stream past the per-address cap with 429', async () => {
      const running = await fixture.startHub({ maxSseStreamsPerAddress: 1 });
      await fixture.sse(`${running.url}/events/a?token=${await token()}`);

      const refused = await fetch(`${running.url}/events/a?token=${await token({ channels: ['agent:*'] })}`);

      expect(refused.status).toBe(429);
      expect(await errorCode(refused)).toBe(ErrorCode.TooManyConnections);
    });
  });

  describe('the HTTP publishing rate limit', () => {
    // A bucket that takes 1 000 s to refill: the test does not race the clock.
    const httpRateLimit = { perSecond: 0.001, burst: 2 };

    it('answers past the burst with 429 rate_limited and Retry-After; another token is not affected', async () => {
      const running = await fixture.startHub({ httpRateLimit });
      const limited = await token({ publish: true });
      expect((await publish(running, limited)).status).toBe(202);
      expect((await publish(running, limited)).status).toBe(202);

      const refused = await publish(running, limited);

      expect(refused.status).toBe(429);
      expect(await errorCode(refused)).toBe(ErrorCode.RateLimited);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await publish(running, await token({ publish: true, channels: ['issue:*'] }))).status).toBe(202);
      expect(await metricValue(running.hub, 'falcon_hub_publishes_total')).toBe(3);
    });

    it('limits agent output posts with the same per-token bucket', async () => {
      const running = await fixture.startHub({ httpRateLimit });
      const limited = await token({ publish: true });
      const post = (): Promise<Response> =>
        fetch(`${running.url}/api/agents/a/output`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${limited}` },
          body: 'line\n',
        });
      expect((await publish(running, limited)).status).toBe(202);
      expect((await post()).status).toBe(202);

      const refused = await post();

      expect(refused.status).toBe(429);
      expect(await errorCode(refused)).toBe(ErrorCode.RateLimited);
    });
  });

  describe('/healthz and /metrics exposure', () => {
    it('tells only {ok} without the metrics token, and the details with it', async () => {
      const running = await fixture.startHub({ metricsToken: 'metrics-secret' });

      const anonymous = await fetch(`${running.url}/healthz`);
      const operator = await fetch(`${running.url}/healthz`, { headers: { Authorization: 'Bearer metrics-secret' } });

      expect(await anonymous.json()).toEqual({ ok: true });
      expect(await operator.json()).toMatchObject({ ok: true, engine: { ok: true }, connections: 0 });
    });

    it('answers /metrics with 401 without the metrics token, or with another one', async () => {
      const running = await fixture.startHub({ metricsToken: 'metrics-secret' });

      const without = await fetch(`${running.url}/metrics`);
      const wrong = await fetch(`${running.url}/metrics`, { headers: { Authorization: `Bearer ${await token()}` } });
      const right = await fetch(`${running.url}/metrics`, { headers: { Authorization: 'Bearer metrics-secret' } });

      expect(without.status).toBe(401);
      expect(await errorCode(without)).toBe(ErrorCode.Unauthorized);
      expect(wrong.status).toBe(401);
      expect(right.status).toBe(200);
      expect(await right.text()).toContain('falcon_hub_connections');
    });

    it('serves no /metrics on a non-loopback host without a metrics token, and only {ok} on /healthz', async () => {
      const running = await fixture.startHub({ host: '0.0.0.0' });
      const local = `http://127.0.0.1:${running.port}`;

      expect((await fetch(`${local}/metrics`)).status).toBe(404);
      expect(await (await fetch(`${local}/healthz`)).json()).toEqual({ ok: true });
      expect(running.metricsUrl).toBeNull();
    });

    it('serves /metrics and the detailed /healthz on their own listener with metricsListen', async () => {
      const running = await fixture.startHub({ metricsListen: { host: '127.0.0.1', port: 0 } });
      const metricsUrl = running.metricsUrl ?? '';

      expect((await fetch(`${running.url}/metrics`)).status).toBe(404);
      expect(await (await fetch(`${running.url}/healthz`)).json()).toEqual({ ok: true });
      expect((await fetch(metricsUrl)).status).toBe(200);
      expect(await (await fetch(metricsUrl.replace(/\/metrics$/, '/healthz'))).json()).toMatchObject({
        ok: true,
        connections: 0,
      });
      expect((await fetch(metricsUrl.replace(/\/metrics$/, '/api/whoami'))).status).toBe(404);
    });
  });
});
