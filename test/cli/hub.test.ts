import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { resolveHubConfig } from '../../src/cli/commands/hub';
import { secretKey, signToken } from '../../src/server/auth';
import { TestClient } from '../helpers/hub';
import { rejectedUpgrade } from '../helpers/probes';
import { CliProcess, killRunningClis, runCli } from './cli-process';

const SECRET = 'cli-hub-test-secret-at-least-32-bytes-long';
const dir = mkdtempSync(join(tmpdir(), 'falcon-hub-'));
const secretFile = join(dir, 'secret');
writeFileSync(secretFile, `${SECRET}\n`);

const WS_URL = /WebSocket\s+(ws:\/\/\S+)/;
const JWT = /^\s+([\w-]+\.[\w-]+\.[\w-]+)$/m;

const clients: TestClient[] = [];
async function connect(url: string): Promise<TestClient> {
  const client = await TestClient.connect(url);
  clients.push(client);
  return client;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await killRunningClis();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('falcon hub', () => {
  it('serves clients with tokens signed by --secret-file, and on SIGTERM closes them with 1001 and exits 0', async () => {
    const hub = new CliProcess(['hub', '--port', '0', '--secret-file', secretFile]);
    const [, wsUrl] = await hub.waitForStdout(WS_URL);
    expect(hub.stdout).toMatch(/Health\s+http:\/\/127\.0\.0\.1:\d+\/healthz/);
    const token = await signToken({ user: 'tester', channels: ['*'] }, secretKey(SECRET));
    const client = await connect(`${wsUrl}?token=${token}`);
    expect(client.messages[0]).toMatchObject({ type: 'connected' });

    hub.kill('SIGTERM');
    expect(await client.closed).toBe(1001);
    const result = await hub.exited;
    expect(result.code).toBe(0);
    // Logs are JSON on stderr, stdout is left to the URLs.
    expect(result.stderr).toMatch(/"msg":"hub stopped"/);
  });

  it('with --demo prints a token that sees the simulated board and agent output', async () => {
    // --demo-speed 10: at the realistic pace an agent can take ten seconds to say its first line.
    const hub = new CliProcess(['hub', '--demo', '--demo-speed', '10', '--port', '0', '--log-level', 'warn']);
    const [, wsUrl] = await hub.waitForStdout(WS_URL);
    const [, agentId] = await hub.waitForStdout(/tail agent:(\S+)/);
    const [, token] = await hub.waitForStdout(JWT);
    const [, projects] = await hub.waitForStdout(/Projects\s+(.+)$/m);
    expect(hub.stdout).toMatch(/Secret\s+[0-9a-f]{64}\b/);
    expect(hub.stdout).toContain(`#token=${token}`);
    const project = projects.split(', ')[0];
    const client = await connect(`${wsUrl}?token=${token}`);

    client.send({ type: 'subscribe', channel: `project:${project}`, snapshot: true });
    const snapshot = await client.waitFor((m) => m.type === 'snapshot');
    expect((snapshot.data as { issues: unknown[] }).issues.length).toBeGreaterThan(0);
    await client.waitFor((m) => m.type === 'event' && m.channel === `project:${project}`, 10_000);

    client.send({ type: 'subscribe', channel: `agent:${agentId}` });
    const batch = await client.waitFor(
      (m) => m.type === 'event' && m.channel === `agent:${agentId}` && m.event === 'output_batch',
      10_000,
    );
    expect((batch.data as { lines: string[] }).lines.join('')).not.toBe('');
  });

  it.each([
    ['a port that is not a number', ['--port', 'abc'], /--port/],
    ['a port out of range', ['--port', '65536'], /--port/],
    ['--tls-cert without --tls-key', ['--tls-cert', 'x'], /--tls-cert.*--tls-key/],
    ['an unreadable --tls-cert', ['--tls-cert', join(dir, 'none.pem'), '--tls-key', secretFile], /--tls-cert/],
    ['a --history of 0', ['--history', '0'], /--history/],
    ['a bad --history-ttl', ['--history-ttl', 'forever'], /--history-ttl/],
    ['a --history-bytes that is not a size', ['--history-bytes', '8 lots'], /--history-bytes/],
    ['a --history-total-bytes of 0', ['--history-total-bytes', '0'], /--history-total-bytes/],
    ['a --max-channels of 0', ['--max-channels', '0'], /--max-channels/],
    ['a bad --finished-ttl', ['--finished-ttl', 'soon'], /--finished-ttl/],
    ['an --allowed-origin that is not an origin', ['--allowed-origin', 'localhost'], /--allowed-origin/],
    ['an unknown --log-level', ['--log-level', 'loud'], /--log-level/],
    ['a --redis that is not a redis URL', ['--redis', 'ftp://cache:6379'], /--redis/],
    ['a --max-connections-per-token of 0', ['--max-connections-per-token', '0'], /--max-connections-per-token/],
    ['a bad --max-sse-per-address', ['--max-sse-per-address', 'many'], /--max-sse-per-address/],
    ['a bad --http-publish-rate', ['--http-publish-rate', '-1'], /--http-publish-rate/],
    ['a --metrics-listen without a port', ['--metrics-listen', '127.0.0.1'], /--metrics-listen/],
    ['a missing --metrics-token-file', ['--metrics-token-file', join(dir, 'none')], /--metrics-token-file/],
  ])('exits 2 with one line naming the flag for %s', async (_case, flags, message) => {
    const { code, stdout, stderr } = await runCli(['hub', '--secret-file', secretFile, ...flags]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^falcon: [^\n]+\n$/);
    expect(stderr).toMatch(message);
  });

  it('puts /metrics behind --metrics-token-file and caps connections per token with --max-connections-per-token', async () => {
    const metricsTokenFile = join(dir, 'metrics-token');
    writeFileSync(metricsTokenFile, 'metrics-token-for-the-cli-test\n');
    const hub = new CliProcess([
      'hub',
      '--port',
      '0',
      '--secret-file',
      secretFile,
      '--metrics-token-file',
      metricsTokenFile,
      '--max-connections-per-token',
      '1',
    ]);
    const [, wsUrl] = await hub.waitForStdout(WS_URL);
    const [, metricsUrl] = await hub.waitForStdout(/Metrics\s+(http:\/\/\S+)/);
    const token = await signToken({ user: 'tester', channels: ['*'] }, secretKey(SECRET));
    await connect(`${wsUrl}?token=${token}`);

    const refused = await rejectedUpgrade(`${wsUrl}?token=${token}`);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ error: { code: 'too_many_connections' } });
    expect((await fetch(metricsUrl)).status).toBe(401);
    const metrics = await fetch(metricsUrl, { headers: { Authorization: 'Bearer metrics-token-for-the-cli-test' } });
    expect(metrics.status).toBe(200);
  });

  it('serves /metrics on --metrics-listen and not on the main address', async () => {
    const hub = new CliProcess(['hub', '--port', '0', '--secret-file', secretFile, '--metrics-listen', '127.0.0.1:0']);
    const [, httpUrl] = await hub.waitForStdout(/HTTP\s+(http:\/\/\S+)/);
    const [, metricsUrl] = await hub.waitForStdout(/Metrics\s+(http:\/\/\S+)/);

    expect(metricsUrl).not.toContain(httpUrl);
    expect((await fetch(metricsUrl)).status).toBe(200);
    expect((await fetch(`${httpUrl}/metrics`)).status).toBe(404);
  });

  it('turns the memory flags into the engines\u2019 bounds', () => {
    const config = resolveHubConfig(
      {
        port: '0',
        host: '127.0.0.1',
        demoSpeed: '1',
        allowedOrigin: [],
        logLevel: 'info',
        secretFile: [],
        tokenAudience: [],
        tokenIssuer: [],
        historyBytes: '512KiB',
        historyTotalBytes: '64MiB',
        maxChannels: '5000',
        finishedTtl: '2h',
      },
      { FALCON_SECRET: SECRET },
    );
    expect(config.history).toEqual({ maxBytes: 512 * 1024 });
    expect(config.memory).toEqual({
      maxHistoryBytes: 64 * 1024 * 1024,
      maxChannels: 5000,
      retention: { finishedTtlMs: 2 * 3600_000 },
    });
    expect(config.finishedTtlMs).toBe(2 * 3600_000);
  });

  describe('--input-webhook', () => {
    const base = {
      port: '0',
      host: '127.0.0.1',
      demoSpeed: '1',
      allowedOrigin: [],
      logLevel: 'info' as const,
      secretFile: [],
      tokenAudience: [],
      tokenIssuer: [],
    };
    const webhookKey = join(dir, 'webhook-key');
    writeFileSync(webhookKey, 'k'.repeat(40) + '\n');
    const shortKey = join(dir, 'short-key');
    writeFileSync(shortKey, 'short');

    it('takes an http(s) URL and a key file of at least 32 characters', () => {
      const config = resolveHubConfig(
        { ...base, inputWebhook: 'https://pm.example/falcon/inputs', inputWebhookSecretFile: webhookKey },
        { FALCON_SECRET: SECRET },
      );
      expect(config.inputWebhook).toEqual({ url: 'https://pm.example/falcon/inputs', secret: 'k'.repeat(40) });
      expect(resolveHubConfig(base, { FALCON_SECRET: SECRET }).inputWebhook).toBeNull();
    });

    it.each([
      [
        { inputWebhook: 'ftp://pm.example/x', inputWebhookSecretFile: webhookKey },
        /--input-webhook must be an http\(s\) URL/,
      ],
      [{ inputWebhook: 'https://user:pw@pm.example/x', inputWebhookSecretFile: webhookKey }, /without credentials/],
      [{ inputWebhook: 'not a url', inputWebhookSecretFile: webhookKey }, /--input-webhook must be/],
      [{ inputWebhook: 'https://pm.example/x' }, /needs --input-webhook-secret-file/],
      [{ inputWebhook: 'https://pm.example/x', inputWebhookSecretFile: shortKey }, /at least 32 characters/],
      [{ inputWebhookSecretFile: webhookKey }, /needs --input-webhook <url>/],
    ])('refuses %j with a usage error naming the flag', (flags, message) => {
      expect(() => resolveHubConfig({ ...base, ...flags }, { FALCON_SECRET: SECRET })).toThrow(message);
    });
  });

  it('exits 2 naming --secret-file and FALCON_SECRET when there is no secret and no --demo', async () => {
    const { code, stdout, stderr } = await runCli(['hub', '--port', '0']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^falcon: .*--secret-file.*FALCON_SECRET.*\n$/);
  });

  it('exits 2 for a secret shorter than 32 bytes', async () => {
    const { code, stderr } = await runCli(['hub', '--port', '0'], { env: { FALCON_SECRET: 'too-short' } });
    expect(code).toBe(2);
    expect(stderr).toMatch(/FALCON_SECRET.*32 bytes/);
  });
});
