import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { RecordingConnection } from '../helpers/client';
import { SeedServer } from '../helpers/seed-server';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

function record(options: ConstructorParameters<typeof RecordingConnection>[0]): RecordingConnection {
  const client = new RecordingConnection(options);
  cleanup.push(() => client.connection.close());
  return client;
}

describe('ReconnectingConnection against a seed-exact server', () => {
  it('passes events straight through and reports that resume is not possible', async () => {
    const server = await new SeedServer().listen();
    cleanup.push(() => server.close());
    const client = record({ urls: server.url, token: 'seed-token' });
    client.connection.subscribe('issue:1');
    client.connection.start();
    await client.waitFor((d) => d.kind === 'subscribed');
    expect(client.connection.state.resumable).toBe(false);
    server.broadcast('issue:1', 'status_changed', { issueId: '1', oldStatus: 'todo', newStatus: 'done' });
    const [event] = await client.waitFor((d) => d.kind === 'event');
    expect(event).toEqual({
      kind: 'event',
      channel: 'issue:1',
      event: 'status_changed',
      data: { issueId: '1', oldStatus: 'todo', newStatus: 'done' },
      // Applied once, by the client core's store: the record it wrote, and that there was none before.
      change: {
        issue: {
          issueId: '1',
          status: 'done',
          statusSince: expect.any(Number),
          createdAt: expect.any(Number),
          updatedAt: expect.any(Number),
        },
        before: {},
      },
    });
    expect(client.connection.store.board.issues.get('1')).toBe(
      (event as { change?: { issue?: unknown } }).change?.issue,
    );
    expect(client.notices('gap')).toEqual([]);
  });

  it('raises one gap notice per channel per reconnect, where the gap happened', async () => {
    const server = await new SeedServer().listen();
    cleanup.push(() => server.close());
    const client = record({ urls: server.url, token: 'seed-token', backoff: { initialDelayMs: 10 } });
    client.connection.subscribe('issue:1');
    client.connection.subscribe('agent:a');
    client.connection.start();
    await client.waitFor((d) => d.kind === 'subscribed', 2);
    server.broadcast('issue:1', 'issue_updated', { issueId: '1', title: 'before' });
    await client.waitFor((d) => d.kind === 'event');
    for (let drop = 1; drop <= 3; drop++) {
      server.terminateAll();
      await client.waitFor((d) => d.kind === 'subscribed', 2 + 2 * drop);
    }
    expect(server.subscriberCount('issue:1')).toBe(1);
    const gaps = client.notices('gap');
    expect(gaps).toHaveLength(6);
    expect(new Set(gaps.map((g) => (g as { channel: string }).channel))).toEqual(new Set(['issue:1', 'agent:a']));
    server.broadcast('issue:1', 'issue_updated', { issueId: '1', title: 'after' });
    await client.waitFor((d) => d.kind === 'event', 2);
    const kinds = client.deliveries
      .filter((d) => d.kind !== 'subscribed' && 'channel' in d && d.channel === 'issue:1')
      .map((d) => d.kind);
    expect(kinds).toEqual(['event', 'gap', 'gap', 'gap', 'event']);
  });

  it('reconnects after the server restarts', async () => {
    const server = await new SeedServer().listen();
    const port = server.port;
    const client = record({ urls: server.url, token: 'seed-token', backoff: { initialDelayMs: 20 } });
    client.connection.subscribe('issue:1');
    client.connection.start();
    await client.waitFor((d) => d.kind === 'subscribed');
    await server.close();
    await client.until((s) => s.status === 'reconnecting');
    const again = await new SeedServer().listen(port);
    cleanup.push(() => again.close());
    await client.waitFor((d) => d.kind === 'subscribed', 2);
    again.broadcast('issue:1', 'issue_updated', { issueId: '1', title: 'back' });
    await client.waitFor((d) => d.kind === 'event');
  });

  it('treats a 401 from the seed server as an auth failure', async () => {
    const server = await new SeedServer().listen();
    cleanup.push(() => server.close());
    const client = record({ urls: server.url, token: 'wrong', backoff: { initialDelayMs: 10 } });
    client.connection.start();
    await client.until((s) => s.status === 'authFailed');
  });
});

describe('ReconnectingConnection against a hostile server', () => {
  it('ignores malformed frames and keeps the connection', async () => {
    const http = createServer();
    const wss = new WebSocketServer({ server: http });
    const hostile = [
      'not json',
      '{"type":"event"}',
      '{"type":"event","channel":"../../etc","event":"x","data":1}',
      `{"type":"event","channel":"issue:1","event":"x","data":${'['.repeat(5000)}${']'.repeat(5000)}}`,
      '{"type":"subscribed","channel":"issue:1","__proto__":{"polluted":true}}',
      '[1,2,3]',
      '{"type":"error","message":' + JSON.stringify('x'.repeat(20_000)) + '}',
      '{"type":"connected","clientId":""}',
    ];
    wss.on('connection', (ws) => {
      ws.send(JSON.stringify({ type: 'connected', clientId: 'c' }));
      ws.on('message', () => {
        for (const frame of hostile) ws.send(frame);
        ws.send(Buffer.from([0xff, 0xfe]));
        ws.send(JSON.stringify({ type: 'subscribed', channel: 'issue:1' }));
        ws.send(JSON.stringify({ type: 'event', channel: 'issue:1', event: 'ok', data: 1 }));
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => http.close(resolve)));
    cleanup.push(() => wss.close());
    const port = (http.address() as AddressInfo).port;
    const client = record({ urls: `ws://127.0.0.1:${port}`, token: 't' });
    client.connection.subscribe('issue:1');
    client.connection.start();
    const [event] = await client.waitFor((d) => d.kind === 'event');
    expect(event).toMatchObject({ event: 'ok', data: 1 });
    expect(client.connection.stats.invalidFrames).toBe(hostile.length + 1);
    expect(client.connection.state.status).toBe('open');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('drops invalid snapshot items, reports them, and delivers the rest (a title: {} used to crash the card)', async () => {
    const http = createServer();
    const wss = new WebSocketServer({ server: http });
    wss.on('connection', (ws) => {
      ws.send(JSON.stringify({ type: 'connected', clientId: 'c' }));
      ws.on('message', () => {
        ws.send(
          JSON.stringify({
            type: 'snapshot',
            channel: 'project:p',
            data: {
              issues: [
                { issueId: '1', title: 'Fine' },
                { issueId: '2', title: {} },
              ],
              agents: [],
            },
          }),
        );
        ws.send(JSON.stringify({ type: 'subscribed', channel: 'project:p' }));
      });
    });
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise((resolve) => http.close(resolve)));
    cleanup.push(() => wss.close());
    const port = (http.address() as AddressInfo).port;
    const client = record({ urls: `ws://127.0.0.1:${port}`, token: 't' });
    client.connection.subscribe('project:p', { snapshot: true });
    client.connection.start();
    const [snapshot] = await client.waitFor((d) => d.kind === 'snapshot');
    expect(snapshot).toMatchObject({ data: { issues: [{ issueId: '1', title: 'Fine' }], agents: [], dropped: 1 } });
    const [error] = await client.waitFor((d) => d.kind === 'error');
    expect(error).toMatchObject({ channel: 'project:p', code: 'invalid_message' });
    expect(client.connection.state.status).toBe('open');
  });
});
