/**
 * The request-target fuzzer: raw HTTP/1.1 over TCP to a real `falcon hub`
 * process — odd targets (`//`, `http://a:99999/x` and every form in
 * between), methods, duplicate, huge and odd headers, chunked bodies with bad
 * sizes, trailers or cut short, pipelined requests, upgrades on odd targets,
 * and connections reset right after the request. The hub runs as a child process so a crash is a dead process, not
 * an error some test framework catches. FUZZ_SEED=<n> replays a run.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { secretKey, signToken } from '../../src/server/auth';
import { CliProcess, killRunningClis } from '../cli/cli-process';
import { mapConcurrent, rawExchange } from './attack-raw-http';
import { type FuzzTokens, type RawRequest, EDGE_TARGETS, rawRequest } from './fuzz-raw-requests';
import { sampleOf } from './fuzz-values';
import { recordFigure } from './record';

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const SCENARIO = 'fuzzing · raw HTTP';
const SECRET = 'request-fuzz-secret-that-is-at-least-32-bytes';
const REQUESTS = 20_000;
const CONCURRENCY = 16;

const dir = mkdtempSync(join(tmpdir(), 'falcon-request-fuzz-'));
const secretFile = join(dir, 'secret');
writeFileSync(secretFile, `${SECRET}\n`);

afterEach(() => killRunningClis());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What one raw request got back. */
interface Answer {
  status: number | null;
  bytesSent: number;
}

/**
 * Writes a request (in its parts), half-closes, and reads until the hub
 * closes: a request cut short must be answered or dropped by the hub, never
 * left hanging. Gives up after 5 s.
 */
function send(port: number, request: RawRequest): Promise<Answer & { timedOut: boolean }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let bytesSent = 0;
    const finish = (timedOut: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      const line = /^HTTP\/1\.[01] (\d{3})/.exec(received);
      resolve({ status: line ? Number(line[1]) : null, bytesSent, timedOut });
    };
    const timer = setTimeout(() => finish(true), 5000);
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    // A reset after a refusal (431, 400 with the body unread) is an answer, not a failure.
    socket.on('error', () => {});
    socket.on('close', () => finish(false));
    socket.on('connect', () => {
      for (const part of request.parts) {
        bytesSent += part.length;
        socket.write(part);
      }
      if (request.reset) socket.resetAndDestroy();
      else socket.end();
    });
  });
}

function rssMiB(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? +(Number(match[1]) / 1024).toFixed(1) : Number.NaN;
}

async function healthStatus(port: number): Promise<number> {
  const { status } = await rawExchange(port, 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
  return status ?? 0;
}

/** Lines of stderr that are not the hub's JSON logs below error level: a stack trace, an uncaught error. */
function alarmingStderr(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => {
      try {
        return (JSON.parse(line) as { level?: number }).level! >= 50;
      } catch {
        return true;
      }
    });
}

describe('Fuzzing request targets', { timeout: 180_000 }, () => {
  it(`a falcon hub process answers ${REQUESTS} hostile raw requests, stays up and keeps answering /healthz`, async () => {
    const hub = new CliProcess(['hub', '--port', '0', '--secret-file', secretFile, '--log-level', 'warn']);
    const [, port] = await hub.waitForStdout(/HTTP\s+http:\/\/127\.0\.0\.1:(\d+)/);
    const pid = hub.child.pid ?? 0;
    const key = secretKey(SECRET);
    const tokens: FuzzTokens = {
      all: await signToken({ user: 'fuzz', channels: ['*'], publish: true }, key),
      forged: await signToken({ user: 'fuzz', channels: ['*'] }, secretKey('another-secret-that-is-32-bytes-long!!')),
    };
    console.info(`[fuzz] seed ${SEED} (replay with FUZZ_SEED=${SEED})`);
    expect(await healthStatus(Number(port))).toBe(200);
    const rssBefore = rssMiB(pid);

    // Every edge target with every method first, then random requests.
    const edge: RawRequest[] = EDGE_TARGETS.flatMap((target) =>
      ['GET', 'POST', 'OPTIONS'].map((method) => ({
        kind: 'edge',
        parts: [Buffer.from(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`, 'latin1')],
      })),
    );
    const requests = [...edge, ...sampleOf(rawRequest(tokens), REQUESTS - edge.length, SEED)];
    const statuses = new Map<string, number>();
    const kinds = new Map<string, number>();
    let tried = 0;
    let bytesSent = 0;
    let timedOut = 0;
    let serverErrors = 0;
    let healthFailures = 0;
    const startedAt = Date.now();
    for (let batch = 0; batch * 500 < requests.length; batch++) {
      const slice = requests.slice(batch * 500, (batch + 1) * 500);
      const answers = await mapConcurrent(slice, CONCURRENCY, (request) => send(Number(port), request));
      tried += answers.length;
      answers.forEach((answer, i) => {
        bytesSent += answer.bytesSent;
        if (answer.timedOut) timedOut++;
        if (answer.status !== null && answer.status >= 500) serverErrors++;
        const bucket = answer.status === null ? 'none' : `${Math.floor(answer.status / 100)}xx`;
        statuses.set(bucket, (statuses.get(bucket) ?? 0) + 1);
        kinds.set(slice[i].kind, (kinds.get(slice[i].kind) ?? 0) + 1);
      });
      if ((await healthStatus(Number(port))) !== 200) healthFailures++;
      if (hub.child.exitCode !== null || hub.child.signalCode !== null) break;
    }
    const seconds = (Date.now() - startedAt) / 1000;
    const alive = hub.child.exitCode === null && hub.child.signalCode === null;
    const finalHealth = alive ? await healthStatus(Number(port)) : 0;
    const rssAfter = alive ? rssMiB(pid) : Number.NaN;
    const alarming = alarmingStderr(hub.stderr);
    const crashes = alive ? 0 : 1;
    console.info(
      `[fuzz] answers by class ${JSON.stringify(Object.fromEntries(statuses))}, by kind ${JSON.stringify(Object.fromEntries(kinds))}`,
    );

    recordFigure({
      scenario: SCENARIO,
      figure: 'raw requests sent',
      value: tried,
      goal: `${REQUESTS}`,
      met: tried >= REQUESTS,
    });
    recordFigure({
      scenario: SCENARIO,
      figure: 'bytes sent',
      value: bytesSent,
      unit: 'B',
      goal: 'informational',
      met: true,
    });
    recordFigure({
      scenario: SCENARIO,
      figure: 'requests per second',
      value: Math.round(tried / seconds),
      unit: '/s',
      goal: 'informational',
      met: true,
    });
    recordFigure({
      scenario: SCENARIO,
      figure: 'crashes (hub process exited)',
      value: crashes,
      goal: '0',
      met: crashes === 0,
    });
    recordFigure({
      scenario: SCENARIO,
      figure: 'error or non-JSON lines on the hub\u2019s stderr',
      value: alarming.length,
      goal: '0',
      met: alarming.length === 0,
    });
    recordFigure({
      scenario: SCENARIO,
      figure: '5xx answers',
      value: serverErrors,
      goal: '0',
      met: serverErrors === 0,
    });
    recordFigure({
      scenario: SCENARIO,
      figure: 'requests left hanging by the hub (no close within 5 s)',
      value: timedOut,
      goal: '0',
      met: timedOut === 0,
    });
    recordFigure({
      scenario: SCENARIO,
      figure: '/healthz not 200 (checked after every 500 requests and at the end)',
      value: healthFailures + (finalHealth === 200 ? 0 : 1),
      goal: '0',
      met: healthFailures === 0 && finalHealth === 200,
    });
    recordFigure({
      scenario: SCENARIO,
      figure: 'hub RSS before → after',
      value: `${rssBefore} → ${rssAfter}`,
      unit: 'MiB',
      goal: 'informational',
      met: true,
    });

    expect(alive, `seed ${SEED}; stderr: ${hub.stderr.slice(-2000)}`).toBe(true);
    expect(alarming, `seed ${SEED}`).toEqual([]);
    expect(serverErrors, `seed ${SEED}`).toBe(0);
    expect(timedOut, `seed ${SEED}`).toBe(0);
    expect(healthFailures).toBe(0);
    expect(finalHealth).toBe(200);
  });
});
