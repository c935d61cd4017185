import { afterEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_BACKOFF, backoffDelay } from '../../src/client/backoff';
import type { WebSocketLike } from '../../src/client/websocket-like';
import type { RunningHub } from '../../src/server/index';
import { RecordingConnection, createNodeWebSocket } from '../helpers/client';
import { startTestHub, token } from '../helpers/hub';
import { TcpProxy } from '../helpers/tcp-proxy';

describe('backoffDelay', () => {
  it('draws each delay from [0, min(max, initial · 2^attempt)] (full jitter)', () => {
    const ceilings = [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000];
    ceilings.forEach((ceiling, attempt) => {
      expect(backoffDelay(attempt, DEFAULT_BACKOFF, () => 0)).toBe(0);
      expect(backoffDelay(attempt, DEFAULT_BACKOFF, () => 0.999_999)).toBe(ceiling - 1);
    });
  });

  it('spreads clients out: the first retry is uniform within 1 s', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const delays = Array.from({ length: 10_000 }, () => backoffDelay(0, DEFAULT_BACKOFF, random));
    expect(Math.max(...delays)).toBeLessThan(1000);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
    expect(mean).toBeGreaterThan(450);
    expect(mean).toBeLessThan(550);
    // Every 100 ms bucket gets its share: no thundering herd at one instant.
    const buckets = new Array(10).fill(0);
    for (const delay of delays) buckets[Math.floor(delay / 100)]++;
    for (const count of buckets) expect(count).toBeGreaterThan(800);
  });

  it('never overflows for large attempt numbers', () => {
    expect(backoffDelay(10_000, DEFAULT_BACKOFF, () => 0.5)).toBe(15_000);
  });
});

describe('ReconnectingConnection timing (fake clock, real sockets)', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const undo of cleanup.splice(0).reverse()) await undo();
    vi.useRealTimers();
  });

  function counting(): { factory: (url: string) => WebSocketLike; calls: () => number } {
    let calls = 0;
    return {
      factory: (url) => {
        calls++;
        return createNodeWebSocket(url);
      },
      calls: () => calls,
    };
  }

  it('grows the delay exponentially up to the cap, with the first retry within 1 s', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const client = new RecordingConnection({ urls: 'ws://127.0.0.1:1/ws', random: () => 0.999 });
    cleanup.push(() => client.connection.close());
    client.connection.start();
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 8; attempt++) {
      const state = await client.until((s) => s.status === 'reconnecting' && s.attempt === attempt);
      const delay = (state.retryAt ?? 0) - Date.now();
      delays.push(delay);
      vi.advanceTimersByTime(delay);
    }
    expect(delays).toEqual([999, 1998, 3996, 7992, 15_984, 29_970, 29_970, 29_970]);
  });

  it('resets the backoff once a connection has stayed up for 10 s', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const running: RunningHub = await startTestHub();
    cleanup.push(() => running.close());
    const proxy = await new TcpProxy(running.port).listen();
    cleanup.push(() => proxy.close());
    const client = new RecordingConnection({ urls: proxy.url(), token: await token(), random: () => 0.999 });
    cleanup.push(() => client.connection.close());
    client.connection.start();
    // Three quick failures build the backoff up.
    for (let attempt = 1; attempt <= 3; attempt++) {
      await client.until((s) => s.status === 'open');
      proxy.dropAll();
      const state = await client.until((s) => s.status === 'reconnecting' && s.attempt === attempt);
      vi.advanceTimersByTime((state.retryAt ?? 0) - Date.now());
    }
    await client.until((s) => s.status === 'open');
    expect(client.connection.state.attempt).toBe(3);
    vi.advanceTimersByTime(10_000);
    expect(client.connection.state.attempt).toBe(0);
    proxy.dropAll();
    const state = await client.until((s) => s.status === 'reconnecting');
    expect((state.retryAt ?? 0) - Date.now()).toBeLessThan(1000);
  });

  it('keeps the first five retries within 1 s when the hub announced a restart (1001), then grows from the start', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const running: RunningHub = await startTestHub();
    const client = new RecordingConnection({ urls: running.wsUrl, token: await token(), random: () => 0.999 });
    cleanup.push(() => client.connection.close());
    client.connection.start();
    await client.until((s) => s.status === 'open');
    await running.close();
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 7; attempt++) {
      const state = await client.until((s) => s.status === 'reconnecting' && s.attempt === attempt);
      const delay = (state.retryAt ?? 0) - Date.now();
      delays.push(delay);
      vi.advanceTimersByTime(delay);
    }
    expect(delays).toEqual([999, 999, 999, 999, 999, 999, 1998]);
  });

  it('makes at most one attempt a minute while the token is refused', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const running = await startTestHub();
    cleanup.push(() => running.close());
    const { factory, calls } = counting();
    const client = new RecordingConnection({ urls: running.wsUrl, token: 'forged', createWebSocket: factory });
    cleanup.push(() => client.connection.close());
    client.connection.start();
    for (let minute = 1; minute <= 5; minute++) {
      await client.until((s) => s.status === 'authFailed' && calls() === minute);
      // Time passing inside a minute triggers nothing.
      vi.advanceTimersByTime(59_000);
      expect(calls()).toBe(minute);
      vi.advanceTimersByTime(1_000);
    }
    await client.until((s) => s.status === 'authFailed' && calls() === 6);
    expect(calls()).toBe(6); // 1 + one per minute over 5 minutes
  });

  it('wake() reconnects at once, skipping the backoff', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { factory, calls } = counting();
    const client = new RecordingConnection({
      urls: 'ws://127.0.0.1:1/ws',
      random: () => 0.999,
      createWebSocket: factory,
    });
    cleanup.push(() => client.connection.close());
    client.connection.start();
    for (let attempt = 1; attempt <= 5; attempt++) {
      const state = await client.until((s) => s.status === 'reconnecting' && s.attempt === attempt);
      vi.advanceTimersByTime((state.retryAt ?? 0) - Date.now());
    }
    const waiting = await client.until((s) => s.status === 'reconnecting' && s.attempt === 6);
    expect((waiting.retryAt ?? 0) - Date.now()).toBeGreaterThan(20_000);
    const before = calls();
    client.connection.wake();
    expect(calls()).toBe(before + 1);
    expect(client.connection.state.status).toBe('connecting');
  });

  it('gives up on an attempt that does not open within the connect timeout', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const running = await startTestHub();
    cleanup.push(() => running.close());
    const proxy = await new TcpProxy(running.port).listen();
    cleanup.push(() => proxy.close());
    proxy.blackhole();
    const client = new RecordingConnection({ urls: proxy.url(), token: await token() });
    cleanup.push(() => client.connection.close());
    client.connection.start();
    await client.until((s) => s.status === 'connecting');
    vi.advanceTimersByTime(9_999);
    expect(client.connection.state.status).toBe('connecting');
    vi.advanceTimersByTime(1);
    expect(client.connection.state).toMatchObject({ status: 'reconnecting', lastClose: { reason: 'connect timeout' } });
  });
});
