import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { CliProcess, killRunningClis } from '../cli/cli-process';
import { SECRET, TestClient, token } from '../helpers/hub';

const redisUrl = inject('redisUrl');
const dir = mkdtempSync(join(tmpdir(), 'falcon-cli-redis-'));
const secretFile = join(dir, 'secret');
writeFileSync(secretFile, SECRET);
afterEach(() => killRunningClis());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function hub(
  env: Record<string, string> = {},
  flags: string[] = [],
): Promise<{ cli: CliProcess; ws: string; http: string }> {
  const cli = new CliProcess(['hub', '--port', '0', '--secret-file', secretFile, '--log-level', 'silent', ...flags], {
    env,
  });
  const [, ws] = await cli.waitForStdout(/WebSocket\s+(ws:\/\/\S+)/);
  const [, http] = await cli.waitForStdout(/HTTP\s+(http:\/\/\S+)/);
  return { cli, ws, http };
}

describe.skipIf(!redisUrl)('falcon hub --redis', () => {
  it('lets two hub processes share one Redis: a publish on one reaches a client of the other', async () => {
    // Both hubs use the default key prefix, in a database of their own (not the other tests' db 0).
    const url = `${redisUrl}/${(Date.now() % 14) + 1}`;
    const a = await hub({}, ['--redis', url]);
    const b = await hub({ REDIS_URL: url });
    const client = await TestClient.connect(`${a.ws}?token=${await token()}`);
    client.send({ type: 'subscribe', channel: 'issue:42' });
    await client.waitFor((m) => m.type === 'subscribed');
    const response = await fetch(`${b.http}/api/publish`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${await token({ publish: true })}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        channel: 'issue:42',
        event: 'status_changed',
        data: { issueId: '42', newStatus: 'done' },
      }),
    });
    expect(response.status).toBe(202);
    const event = await client.waitFor((m) => m.type === 'event');
    expect(event).toMatchObject({ channel: 'issue:42', event: 'status_changed' });
    const health = (await (await fetch(`${a.http}/healthz`)).json()) as { engine: { engine: string } };
    expect(health.engine.engine).toBe('redis');
    await client.close();
  });
});
