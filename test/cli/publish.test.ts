import { createServer } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { secretKey, signToken } from '../../src/server/auth';
import type { RunningHub } from '../../src/server/standalone';
import { SECRET, TestClient, startTestHub, token } from '../helpers/hub';
import { killRunningClis, runCli } from './cli-process';

let hub: RunningHub;
let watcher: TestClient;

beforeEach(async () => {
  hub = await startTestHub();
  watcher = await TestClient.connect(`${hub.wsUrl}?token=${await token()}`);
  watcher.send({ type: 'subscribe', channel: 'project:alpha' });
  await watcher.waitFor((m) => m.type === 'subscribed');
});

afterEach(async () => {
  await killRunningClis();
  await watcher.close();
  await hub.close();
});

async function publisherToken(): Promise<string> {
  return token({ user: 'publisher', channels: ['project:*'], publish: true });
}

describe('falcon publish', () => {
  it('publishes the event and prints where the hub stored it', async () => {
    const data = { issueId: '7', projectId: 'alpha', title: 'From the CLI' };
    const { code, stdout, stderr } = await runCli([
      'publish',
      'project:alpha',
      'issue_updated',
      JSON.stringify(data),
      '--url',
      hub.url,
      '--token',
      await publisherToken(),
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ offset: 1, epoch: expect.any(String) });
    const event = await watcher.waitFor((m) => m.type === 'event');
    expect(event).toMatchObject({ channel: 'project:alpha', event: 'issue_updated', data, offset: 1 });
  });

  it('reads the data from stdin for "-" and the token from FALCON_TOKEN', async () => {
    const { code, stdout } = await runCli(['publish', 'project:alpha', 'note', '-', '--url', hub.url], {
      env: { FALCON_TOKEN: await publisherToken() },
      input: '{"text":"piped"}\n',
    });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ offset: 1 });
    expect(await watcher.waitFor((m) => m.type === 'event')).toMatchObject({ event: 'note', data: { text: 'piped' } });
  });

  it.each([
    ['a data argument that is not JSON', ['project:alpha', 'note', '{oops'], /JSON/],
    ['an invalid channel', ['alpha', 'note'], /invalid channel/],
    ['a known event with a bad payload', ['project:alpha', 'status_changed', '{}'], /invalid_event/],
  ])('exits 2 without publishing for %s', async (_case, args, message) => {
    const { code, stdout, stderr } = await runCli([
      'publish',
      ...args,
      '--url',
      hub.url,
      '--token',
      await publisherToken(),
    ]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^falcon: [^\n]+\n$/);
    expect(stderr).toMatch(message);
    expect((await hub.hub.engine.recover('project:alpha')).offset).toBe(0);
  });

  it('exits 2 without a token', async () => {
    const { code, stderr } = await runCli(['publish', 'project:alpha', 'note', '--url', hub.url]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--token.*FALCON_TOKEN/);
  });

  it('exits 2, as tail does, with the unauthorized code said once, for a token signed with another secret', async () => {
    const { code, stdout, stderr } = await runCli([
      'publish',
      'project:alpha',
      'note',
      '--url',
      hub.url,
      '--token',
      await signToken({ user: 'mallory', channels: ['*'], publish: true }, secretKey(`${SECRET}-but-another-one`)),
    ]);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^falcon: the hub refused the token \(unauthorized: .+\); get a new one with `falcon token`\n$/,
    );
    expect(stderr).not.toMatch(/unauthorized: unauthorized/);
  });

  it('exits 1 with the forbidden code for a token without publish rights', async () => {
    const readOnly = await token({ channels: ['project:*'] });
    const { code, stderr } = await runCli(['publish', 'project:alpha', 'note', '--url', hub.url, '--token', readOnly]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^falcon: forbidden: /);
  });

  it('exits 1 with a clear message when nothing listens at --url', async () => {
    const port = await closedPort();
    const { code, stderr } = await runCli([
      'publish',
      'project:alpha',
      'note',
      '--url',
      `http://127.0.0.1:${port}`,
      '--token',
      await publisherToken(),
    ]);
    expect(code).toBe(1);
    expect(stderr).toMatch(new RegExp(`^falcon: cannot reach the hub at http://127.0.0.1:${port}: .*ECONNREFUSED`));
  });
});

/** A port that was free a moment ago: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
