/**
 * Upgrade attacks: handcrafted HTTP upgrade requests on raw sockets (so the
 * test controls every byte): thousands of headers, oversized and hostile
 * WebSocket headers, 10 000 upgrades with missing, forged or expired tokens,
 * and a foreign Origin. The hub must refuse each with the right status,
 * close every refused socket, and keep serving.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningHub, StandaloneHubOptions } from '../../src/server/index';
import { KEY, LOAD_TEST_LIMITS, startTestHub, token } from '../helpers/hub';
import { eventually, metricValue } from '../helpers/probes';
import { mapConcurrent, openConnections, rawExchange, upgradeRequest } from './attack-raw-http';
import { badTokenAttempts } from './attack-tokens';
import { watchProcessErrors } from './fuzz-process-errors';
import { recordFigure } from './record';

const SCENARIO = 'upgrade attacks';
const APP_ORIGIN = 'https://app.example.com';

let processErrors: ReturnType<typeof watchProcessErrors>;
let running: RunningHub;

beforeEach(() => {
  processErrors = watchProcessErrors();
});

afterEach(async () => {
  await running?.close();
  processErrors.dispose();
});

async function startHub(options: Partial<StandaloneHubOptions> = {}): Promise<RunningHub> {
  running = await startTestHub({ ...LOAD_TEST_LIMITS, ...options });
  return running;
}

/** Status of one handcrafted upgrade; a 101 is cut by this side at once. */
async function upgrade(target: string, headers: string[] = []): Promise<{ status: number | null; closed: boolean }> {
  const exchange = await rawExchange(running.port, upgradeRequest(target, headers), {
    cutWhen: (status) => status === 101,
    timeoutMs: 15_000,
  });
  return { status: exchange.status, closed: exchange.closedByServer || exchange.status === 101 };
}

/** The hub still upgrades a valid request, and has no connection or socket left over afterwards. */
async function stillServing(): Promise<boolean> {
  const { status } = await upgrade(`/ws?token=${await token()}`);
  await eventually(
    async () => running.hub.connectionCount === 0 && (await openConnections(running.server)) === 0,
    'the probe connection to close',
    10_000,
  ).catch(() => {});
  return status === 101 && running.hub.connectionCount === 0;
}

describe('Upgrade attacks', { timeout: 180_000 }, () => {
  it('answers 2 001 headers (past 16 KiB) with 431 and keeps serving', async () => {
    await startHub();
    const headers = Array.from({ length: 2001 }, (_, index) => `X-Attack-Header-${index}: ${'v'.repeat(16)}`);
    const { status, closed } = await upgrade(`/ws?token=${await token()}`, headers);
    const serving = await stillServing();

    recordFigure({
      scenario: SCENARIO,
      figure: '2 001 headers (58 KB): status',
      value: status ?? 'none',
      goal: '431',
      met: status === 431,
    });
    recordFigure({
      scenario: SCENARIO,
      figure: '2 001 headers: hub still serving',
      value: serving ? 'yes' : 'no',
      goal: 'yes',
      met: serving,
    });
    expect(status).toBe(431);
    expect(closed).toBe(true);
    expect(serving).toBe(true);
  });

  it('refuses 2 001 headers packed under 16 KiB, so none is dropped unseen (an Origin after them included)', async () => {
    // Node keeps only the first 2 000 headers of a request and drops the rest silently.
    await startHub({ allowedOrigins: [APP_ORIGIN] });
    const tiny = Array.from({ length: 2001 }, (_, index) => `x${index % 10}: y`);
    const packed = await upgrade(`/ws?token=${await token()}`, tiny);
    const hiddenOrigin = await upgrade(`/ws?token=${await token()}`, [...tiny, 'Origin: https://attacker.example']);
    const serving = await stillServing();
    const refused = (status: number | null) => status !== null && status >= 400 && status < 500;

    recordFigure({
      scenario: SCENARIO,
      figure: '2 001 headers in 10 KB: status',
      value: packed.status ?? 'none',
      goal: '4xx (431)',
      met: refused(packed.status),
    });
    recordFigure({
      scenario: SCENARIO,
      figure: 'foreign Origin after 2 001 headers: status',
      value: hiddenOrigin.status ?? 'none',
      goal: '4xx (never 101)',
      met: refused(hiddenOrigin.status),
    });
    expect(packed.status).toBe(431);
    expect(hiddenOrigin.status).toBe(431);
    expect(serving).toBe(true);
  });

  it('answers a 32 KB Sec-WebSocket-Protocol with 431, and a long list of protocols without crashing', async () => {
    await startHub();
    const valid = await token();
    const huge = await upgrade(`/ws?token=${valid}`, [`Sec-WebSocket-Protocol: ${'a'.repeat(32 * 1024)}`]);
    // Under the 16 KiB limit: 2 000 distinct names, then the same name twice (ws refuses duplicates).
    const many = await upgrade(`/ws?token=${valid}`, [
      `Sec-WebSocket-Protocol: ${Array.from({ length: 2000 }, (_, index) => `p${index}`).join(',')}`,
    ]);
    const duplicated = await upgrade(`/ws?token=${valid}`, ['Sec-WebSocket-Protocol: chat, chat']);
    const serving = await stillServing();

    recordFigure({
      scenario: SCENARIO,
      figure: '32 KB Sec-WebSocket-Protocol: status',
      value: huge.status ?? 'none',
      goal: '431',
      met: huge.status === 431,
    });
    recordFigure({
      scenario: SCENARIO,
      figure: '2 000 subprotocols (12 KB) / a duplicated one: status',
      value: `${many.status} / ${duplicated.status}`,
      goal: 'an answer (101 or 400), no crash',
      met: [101, 400].includes(many.status ?? 0) && duplicated.status === 400,
    });
    recordFigure({
      scenario: SCENARIO,
      figure: 'hostile Sec-WebSocket-Protocol: hub still serving',
      value: serving ? 'yes' : 'no',
      goal: 'yes',
      met: serving,
    });
    expect(huge.status).toBe(431);
    expect(huge.closed).toBe(true);
    expect([101, 400]).toContain(many.status);
    expect(duplicated.status).toBe(400);
    expect(serving).toBe(true);
    expect(processErrors.errors).toEqual([]);
  });

  it('survives prototype names in Sec-WebSocket-Extensions', async () => {
    await startHub();
    const valid = await token();
    const values = ['constructor', '__proto__', 'toString', 'permessage-deflate; constructor=1', 'x; __proto__=1, y'];
    const statuses: Array<number | null> = [];
    for (const value of values)
      statuses.push((await upgrade(`/ws?token=${valid}`, [`Sec-WebSocket-Extensions: ${value}`])).status);
    const serving = await stillServing();
    const polluted = Object.keys(Object.prototype).length;

    recordFigure({
      scenario: SCENARIO,
      figure: 'Sec-WebSocket-Extensions: constructor: status',
      value: statuses[0] ?? 'none',
      goal: '101 or 400, no crash',
      met: [101, 400].includes(statuses[0] ?? 0),
    });
    recordFigure({
      scenario: SCENARIO,
      figure: 'prototype-named extensions answered without a crash',
      value: `${statuses.filter((status) => [101, 400].includes(status ?? 0)).length} of ${values.length}`,
      goal: `${values.length} of ${values.length}, hub still serving`,
      met: statuses.every((status) => [101, 400].includes(status ?? 0)) && serving && polluted === 0,
    });
    for (const status of statuses) expect([101, 400]).toContain(status);
    expect(serving).toBe(true);
    expect(polluted).toBe(0);
    expect(processErrors.errors).toEqual([]);
  });

  it('answers 10 000 upgrades with missing, forged or expired tokens with 401, leaking no socket', async () => {
    const ATTEMPTS = 10_000;
    await startHub();
    const { hub, server } = running;
    const socketsBefore = await openConnections(server);
    const kinds = await badTokenAttempts(KEY, await token());
    const startedAt = Date.now();
    const results = await mapConcurrent(
      Array.from({ length: ATTEMPTS }, (_, index) => kinds[index % kinds.length]),
      100,
      async (attempt) => {
        const exchange = await rawExchange(running.port, upgradeRequest(attempt.target, attempt.headers), {
          cutWhen: (status) => status === 101,
          timeoutMs: 30_000,
        });
        return { attempt, exchange };
      },
    );
    const seconds = (Date.now() - startedAt) / 1000;
    const refused = results.filter(
      ({ exchange }) => exchange.status === 401 && exchange.received.includes('"code":"unauthorized"'),
    );
    const notRefused = results.filter(({ exchange }) => exchange.status !== 401);
    // Each refusal must end its socket: the hub closes it, this side never has to.
    const leftOpen = results.filter(({ exchange }) => !exchange.closedByServer);
    await eventually(
      async () => (await openConnections(server)) <= socketsBefore && hub.connectionCount === 0,
      'sockets back to their baseline',
      15_000,
    ).catch(() => {});
    const socketsAfter = await openConnections(server);
    const failures = {
      missing: await metricValue(hub, 'falcon_hub_auth_failures_total', { reason: 'missing' }),
      invalid: await metricValue(hub, 'falcon_hub_auth_failures_total', { reason: 'invalid' }),
      expired: await metricValue(hub, 'falcon_hub_auth_failures_total', { reason: 'expired' }),
    };
    const serving = await stillServing();
    const rate = (refused.length / ATTEMPTS) * 100;

    recordFigure({
      scenario: SCENARIO,
      figure: 'bad-token upgrades',
      value: ATTEMPTS,
      unit: `(${kinds.length} kinds, 100 at a time)`,
      goal: '10 000',
      met: results.length === ATTEMPTS,
    });
    recordFigure({
      scenario: SCENARIO,
      figure: 'bad-token upgrades answered 401 unauthorized',
      value: +rate.toFixed(2),
      unit: '%',
      goal: '100 %',
      met: rate === 100,
    });
    recordFigure({
      scenario: SCENARIO,
      figure: 'bad-token upgrades per second',
      value: Math.round(ATTEMPTS / seconds),
      unit: '/s',
      goal: 'informational',
      met: true,
    });
    recordFigure({
      scenario: SCENARIO,
      figure: 'refused sockets the hub left open',
      value: leftOpen.length,
      goal: '0',
      met: leftOpen.length === 0,
    });
    recordFigure({
      scenario: SCENARIO,
      figure: 'open sockets after (before)',
      value: `${socketsAfter} (${socketsBefore})`,
      goal: 'back to the baseline',
      met: socketsAfter <= socketsBefore,
    });
    recordFigure({
      scenario: SCENARIO,
      figure: 'connections after bad-token upgrades',
      value: hub.connectionCount,
      goal: '0',
      met: hub.connectionCount === 0,
    });
    recordFigure({
      scenario: SCENARIO,
      figure: 'auth failures counted (missing / invalid / expired)',
      value: `${failures.missing} / ${failures.invalid} / ${failures.expired}`,
      goal: `sum ${ATTEMPTS}`,
      met: failures.missing + failures.invalid + failures.expired === ATTEMPTS,
    });

    expect(
      notRefused.slice(0, 5).map(({ attempt, exchange }) => `${attempt.label}: ${exchange.status}`),
      `${notRefused.length} not refused`,
    ).toEqual([]);
    expect(refused).toHaveLength(ATTEMPTS);
    expect(leftOpen).toHaveLength(0);
    expect(socketsAfter).toBeLessThanOrEqual(socketsBefore);
    expect(hub.connectionCount).toBe(0);
    expect(failures.missing + failures.invalid + failures.expired).toBe(ATTEMPTS);
    expect(failures.missing * failures.invalid * failures.expired).toBeGreaterThan(0);
    expect(serving).toBe(true);
    expect(processErrors.errors).toEqual([]);
  });

  it('answers a foreign Origin with 403, even with a valid token', async () => {
    await startHub({ allowedOrigins: [APP_ORIGIN] });
    const valid = await token();
    const foreign = [
      'https://app.example.com.attacker.com',
      'https://attacker.example',
      'http://app.example.com',
      'https://app.example.com:8443',
      'null',
      'https://APP.example.com',
      '',
    ];
    const statuses: Array<number | null> = [];
    for (const origin of foreign) statuses.push((await upgrade(`/ws?token=${valid}`, [`Origin: ${origin}`])).status);
    const allowed = await upgrade(`/ws?token=${valid}`, [`Origin: ${APP_ORIGIN}`]);
    const originFailures = await metricValue(running.hub, 'falcon_hub_auth_failures_total', { reason: 'origin' });
    const forbidden = statuses.filter((status) => status === 403).length;

    recordFigure({
      scenario: SCENARIO,
      figure: 'foreign Origins answered 403',
      value: `${forbidden} of ${foreign.length}`,
      goal: `${foreign.length} of ${foreign.length}`,
      met: forbidden === foreign.length,
    });
    recordFigure({
      scenario: SCENARIO,
      figure: 'the allowed Origin: status',
      value: allowed.status ?? 'none',
      goal: '101',
      met: allowed.status === 101,
    });
    expect(statuses).toEqual(foreign.map(() => 403));
    expect(originFailures).toBe(foreign.length);
    expect(allowed.status).toBe(101);
    expect(processErrors.errors).toEqual([]);
  });
});
