import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import type { RunningHub } from '../../src/server/index';
import { type Delivery, type WebSocketLike, nodeWebSocket } from '../../src/client/index';
import { RecordingConnection } from '../helpers/client';
import { startTestHub, token } from '../helpers/hub';
import { TcpProxy } from '../helpers/tcp-proxy';

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const undo of cleanup.splice(0).reverse()) await undo();
});

/**
 * Longer than any wait the client can schedule (the 30 s backoff cap, the 60 s
 * auth retry): with fake timers, advancing this far fires any retry there is.
 */
const PAST_EVERY_RETRY_MS = 120_000;

/**
 * A socket factory that counts the connection attempts made. `allClosed`
 * resolves once every socket made so far has emitted `close` (and the client's
 * own close handler, which may schedule a retry, has run).
 */
function countingSockets() {
  const closed: Array<Promise<void>> = [];
  return {
    createWebSocket: (url: string): WebSocketLike => {
      const socket = new WebSocket(url);
      closed.push(new Promise((resolve) => socket.once('close', () => resolve())));
      return nodeWebSocket(socket);
    },
    attempts: () => closed.length,
    allClosed: () => Promise.all(closed),
  };
}

/** Fakes the client's clock (timers and Date only: sockets and I/O stay real), as the timing tests do. */
const fakeClock = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });

async function hub(options: Parameters<typeof startTestHub>[0] = {}): Promise<RunningHub> {
  const running = await startTestHub(options);
  cleanup.push(() => running.close());
  return running;
}

async function proxyTo(running: RunningHub): Promise<TcpProxy> {
  const proxy = await new TcpProxy(running.port).listen();
  cleanup.push(() => proxy.close());
  return proxy;
}

function record(options: ConstructorParameters<typeof RecordingConnection>[0]): RecordingConnection {
  const client = new RecordingConnection(options);
  cleanup.push(() => client.connection.close());
  return client;
}

function expectExactlyOnce(offsets: number[], last: number): void {
  expect(offsets.length).toBe(last);
  offsets.forEach((offset, index) => expect(offset).toBe(index + 1));
}

describe('ReconnectingConnection against the hub', () => {
  it('opens, subscribes, and delivers events in batches', async () => {
    const running = await hub();
    const client = record({ urls: running.wsUrl, token: await token() });
    client.connection.subscribe('issue:1');
    client.connection.start();
    await client.waitFor((d) => d.kind === 'subscribed');
    await expect.poll(() => running.hub.metrics.subscriptions.get().then((m) => m.values[0]?.value)).toBe(1);
    for (let i = 0; i < 50; i++)
      await running.hub.publish('issue:1', 'issue_updated', { issueId: '1', title: `t${i}` });
    await client.waitFor((d) => d.kind === 'event', 50);
    expectExactlyOnce(
      client.events().map((e) => e.offset ?? -1),
      50,
    );
    // 50 events published in one burst arrive in far fewer hand-offs.
    expect(client.batches.length).toBeLessThan(50);
  });

  it('shares one server subscription between two interests in a channel', async () => {
    const running = await hub();
    const client = record({ urls: running.wsUrl, token: await token() });
    client.connection.start();
    await client.until((s) => s.status === 'open');
    const subscriptions = () => running.hub.metrics.subscriptions.get().then((m) => m.values[0]?.value ?? 0);
    const first = client.connection.subscribe('agent:a');
    const second = client.connection.subscribe('agent:a');
    await expect.poll(subscriptions).toBe(1);
    first();
    first(); // twice is harmless
    await running.hub.publish('agent:a', 'agent_status', { agentId: 'a', status: 'idle' });
    await client.waitFor((d) => d.kind === 'event');
    expect(await subscriptions()).toBe(1);
    second();
    await expect.poll(subscriptions).toBe(0);
  });

  it('restores subscriptions after the hub restarts, and says history was lost', async () => {
    let running = await hub();
    const port = running.port;
    const client = record({ urls: running.wsUrl, token: await token(), backoff: { initialDelayMs: 50 } });
    client.connection.subscribe('issue:1', { snapshot: true });
    client.connection.start();
    await client.waitFor((d) => d.kind === 'subscribed');
    await running.hub.publish('issue:1', 'issue_created', { issueId: '1', title: 'before' });
    await client.waitFor((d) => d.kind === 'event');
    await running.close();
    await client.until((s) => s.status === 'reconnecting');
    running = await hub({ port });
    await running.hub.publish('issue:1', 'issue_updated', { issueId: '1', title: 'after' });
    await client.waitFor((d) => d.kind === 'subscribed', 2);
    const [resync] = await client.waitFor((d) => d.kind === 'resync');
    expect(resync).toEqual({ kind: 'resync', channel: 'issue:1', newEpoch: true });
    await running.hub.publish('issue:1', 'issue_updated', { issueId: '1', title: 'live' });
    await client.waitFor((d) => d.kind === 'event' && (d.data as { title: string }).title === 'live');
    // The resync precedes the fresh snapshot it invalidates the old state for.
    const kinds = client.deliveries.map((d) => d.kind);
    expect(kinds.indexOf('resync')).toBeLessThan(kinds.lastIndexOf('snapshot'));
  });

  it('detects a connection that silently stopped forwarding, and reconnects', async () => {
    const running = await hub();
    const proxy = await proxyTo(running);
    const client = record({
      urls: proxy.url(),
      token: await token(),
      pingIntervalMs: 100,
      pongTimeoutMs: 200,
      backoff: { initialDelayMs: 20 },
    });
    client.connection.subscribe('issue:1');
    client.connection.start();
    await client.waitFor((d) => d.kind === 'subscribed');
    proxy.blackhole();
    const lost = await client.until((s) => s.status === 'reconnecting');
    expect(lost.lastClose?.reason).toBe('heartbeat timeout');
    proxy.restore();
    await client.waitFor((d) => d.kind === 'subscribed', 2);
    await running.hub.publish('issue:1', 'issue_updated', { issueId: '1', title: 'x' });
    await client.waitFor((d) => d.kind === 'event');
  });

  it('loses and duplicates nothing across 20 forced drops during a 2 000 events/s stream', async () => {
    // History for the whole stream: on a loaded machine a reconnect may take longer than the
    // default 1 000 events (0.5 s here) last, and what is tested is the client, not retention.
    const running = await hub({ history: { size: 100_000 } });
    const proxy = await proxyTo(running);
    const client = record({
      urls: proxy.url(),
      token: await token(),
      backoff: { initialDelayMs: 30, maxDelayMs: 100 },
      // One delivery per event, so every offset can be counted.
      batch: { joinOutput: false },
    });
    client.connection.subscribe('agent:stream');
    client.connection.start();
    await client.waitFor((d) => d.kind === 'subscribed');
    let published = 0;
    let drops = 0;
    const started = Date.now();
    while (drops < 20) {
      // 2 000 events/s: catch up to the schedule, then yield.
      const due = Math.floor(((Date.now() - started) / 1000) * 2000);
      for (; published < due; published++) {
        await running.hub.publish('agent:stream', 'output', {
          timestamp: Date.now(),
          content: `event ${published + 1}\n`,
        });
      }
      if (Date.now() - started > (drops + 1) * 150 && client.connection.state.status === 'open') {
        proxy.dropAll();
        drops++;
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await client.until((s) => s.status === 'open');
    await client
      .waitFor((d) => d.kind === 'output', published, 15_000)
      .catch((error: Error) => {
        const offsets = client.outputs().map((e) => e.offset);
        throw new Error(
          `${error.message}; state ${JSON.stringify(client.connection.state)}; stats ${JSON.stringify(client.connection.stats)}; last ${offsets.slice(-3)}; hub connections ${running.hub.connectionCount}`,
        );
      });
    expect(published).toBeGreaterThan(4000);
    expectExactlyOnce(
      client.outputs().map((e) => e.offset ?? -1),
      published,
    );
    expect(client.text('agent:stream')).toBe(Array.from({ length: published }, (_, i) => `event ${i + 1}\n`).join(''));
    expect(client.notices('resync')).toEqual([]);
    expect(client.notices('gap')).toEqual([]);
    expect(client.connection.stats.connects).toBeGreaterThanOrEqual(21);
  });

  it('re-delivers nothing across reconnects when nothing new was published', async () => {
    const running = await hub();
    const proxy = await proxyTo(running);
    const client = record({ urls: proxy.url(), token: await token(), backoff: { initialDelayMs: 10, maxDelayMs: 20 } });
    client.connection.subscribe('issue:1', { snapshot: true });
    client.connection.start();
    await client.waitFor((d) => d.kind === 'subscribed');
    await running.hub.publish('issue:1', 'issue_created', { issueId: '1', title: 'once' });
    await client.waitFor((d) => d.kind === 'event');
    for (let i = 0; i < 10; i++) {
      await client.until((s) => s.status === 'open');
      const connects = client.connection.stats.connects;
      proxy.dropAll();
      await client.until((s) => s.status === 'open' && client.connection.stats.connects > connects);
    }
    // A re-delivery would come with the resume, before anything published after it.
    await running.hub.publish('issue:1', 'issue_updated', { issueId: '1', title: 'after' });
    await client.waitFor((d) => d.kind === 'event' && (d.data as { title: string }).title === 'after');
    expect(client.events().map((e) => (e.data as { title: string }).title)).toEqual(['once', 'after']);
    // The snapshot was asked for once: resumes do not repeat it.
    expect(client.notices('snapshot')).toHaveLength(1);
  });

  it('delivers the history asked for before subscribed, applies none of it to the board, and asks once', async () => {
    const running = await hub();
    const proxy = await proxyTo(running);
    await running.hub.publish('issue:9', 'issue_created', { issueId: '9', title: 'old', status: 'todo' });
    await running.hub.publish('issue:9', 'status_changed', { issueId: '9', oldStatus: 'todo', newStatus: 'done' });
    const client = record({ urls: proxy.url(), token: await token(), backoff: { initialDelayMs: 10, maxDelayMs: 20 } });
    client.connection.subscribe('issue:9', { history: 50 });
    client.connection.start();
    await client.waitFor((d) => d.kind === 'subscribed');
    const [history] = client.notices('history') as Array<Extract<Delivery, { kind: 'history' }>>;
    expect(history.channel).toBe('issue:9');
    expect(history.events.map((e) => [e.event, e.offset])).toEqual([
      ['issue_created', 1],
      ['status_changed', 2],
    ]);
    const kinds = client.deliveries.map((d) => d.kind);
    expect(kinds.indexOf('history')).toBeLessThan(kinds.indexOf('subscribed'));
    // A record of the past, not state: the board learns the issue from snapshots and live events only.
    expect(client.connection.store.board.issues.has('9')).toBe(false);
    expect(client.events('issue:9')).toEqual([]);

    const connects = client.connection.stats.connects;
    proxy.dropAll();
    await client.until((s) => s.status === 'open' && client.connection.stats.connects > connects);
    await running.hub.publish('issue:9', 'issue_updated', { issueId: '9', title: 'live' });
    await client.waitFor((d) => d.kind === 'event');
    // The reconnect resumed: no second history, and the live event is applied.
    expect(client.notices('history')).toHaveLength(1);
    expect(client.connection.store.board.issues.get('9')?.title).toBe('live');
  });

  it('tries the next URL when one fails', async () => {
    const running = await hub();
    const client = record({
      urls: ['ws://127.0.0.1:1/ws', running.wsUrl],
      token: await token(),
      backoff: { initialDelayMs: 10 },
    });
    client.connection.start();
    const open = await client.until((s) => s.status === 'open');
    expect(open.url).toBe(running.wsUrl);
  });

  it('enters authFailed on a refused token, and retries at once when the token changes', async () => {
    const running = await hub();
    const client = record({ urls: running.wsUrl, token: 'not-a-token', backoff: { initialDelayMs: 10 } });
    client.connection.start();
    const failed = await client.until((s) => s.status === 'authFailed');
    expect(failed.retryAt).toBeGreaterThan(Date.now() + 50_000);
    client.connection.setToken(await token());
    await client.until((s) => s.status === 'open');
  });

  it('enters authFailed when the token expires while connected', async () => {
    const running = await hub();
    const client = record({ urls: running.wsUrl, token: await token({ ttlSeconds: 1 }) });
    client.connection.start();
    await client.until((s) => s.status === 'open');
    const failed = await client.until((s) => s.status === 'authFailed', 5000);
    expect(failed.lastClose?.code).toBe(4001);
  });

  it('goes offline without retrying, and comes back when the network does', async () => {
    const running = await hub();
    const sockets = countingSockets();
    const client = record({ urls: running.wsUrl, token: await token(), createWebSocket: sockets.createWebSocket });
    client.connection.start();
    await client.until((s) => s.status === 'open');
    fakeClock();
    client.connection.setNetworkAvailable(false);
    expect(client.connection.state.status).toBe('offline');
    await sockets.allClosed();
    vi.advanceTimersByTime(PAST_EVERY_RETRY_MS);
    expect(client.connection.state.status).toBe('offline');
    expect(sockets.attempts()).toBe(1);
    vi.useRealTimers();
    client.connection.setNetworkAvailable(true);
    await client.until((s) => s.status === 'open');
  });

  it('closes for good: no timers, no reconnects', async () => {
    const running = await hub();
    const sockets = countingSockets();
    const client = record({ urls: running.wsUrl, token: await token(), createWebSocket: sockets.createWebSocket });
    client.connection.start();
    await client.until((s) => s.status === 'open');
    fakeClock();
    client.connection.close();
    expect(client.connection.state.status).toBe('closed');
    await sockets.allClosed();
    vi.advanceTimersByTime(PAST_EVERY_RETRY_MS);
    expect(sockets.attempts()).toBe(1);
    expect(client.connection.state.status).toBe('closed');
    vi.useRealTimers();
    await expect.poll(() => running.hub.connectionCount).toBe(0);
    expect(sockets.attempts()).toBe(1);
  });
});

describe('ReconnectingConnection listeners', () => {
  it('stays closed when a state listener closes it while it fails', async () => {
    const running = await startTestHub();
    try {
      const sockets = countingSockets();
      const valid = await token();
      fakeClock();
      const client = new RecordingConnection({
        urls: running.wsUrl,
        token: 'forged',
        createWebSocket: sockets.createWebSocket,
      });
      client.connection.onState((state) => {
        if (state.status === 'authFailed') client.connection.close();
      });
      client.connection.start();
      await client.until((s) => s.status === 'closed');
      client.connection.wake();
      client.connection.setToken(valid);
      await sockets.allClosed();
      // The auth retry (60 s) is the one timer an auth failure starts: it must not outlive close().
      vi.advanceTimersByTime(PAST_EVERY_RETRY_MS);
      expect(client.connection.state.status).toBe('closed');
      expect(sockets.attempts()).toBe(1);
    } finally {
      vi.useRealTimers();
      await running.close();
    }
  });
});
