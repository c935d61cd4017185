import { inject } from 'vitest';
import WebSocket from 'ws';
import { RedisEngine } from '../../src/server/redis/redis-engine';
import { type RunningHub, type StandaloneHubOptions, secretKey, signToken, startHub } from '../../src/server/index';
import type { TokenRequest } from '../../src/server/auth';
import { NO_CONNECTION_LIMITS } from '../../src/server/options';

export const SECRET = 'test-secret-that-is-at-least-32-bytes-long';

/**
 * For load tests: hundreds of clients from 127.0.0.1 with one token are the
 * test, not an abuse, so the per-token and per-address caps and the HTTP
 * publishing rate limit are lifted (test/server/hub-boundary.test.ts tests them).
 */
export const LOAD_TEST_LIMITS = NO_CONNECTION_LIMITS;
export const KEY = secretKey(SECRET);

/**
 * Which engine the hub suite runs on: `memory`, or `redis` when the vitest
 * project "redis" runs it again against a real redis-server (the global setup
 * provides its URL). The suite must pass on both.
 */
export const TEST_ENGINE: 'memory' | 'redis' =
  process.env.FALCON_TEST_ENGINE === 'redis' && inject('redisUrl') ? 'redis' : 'memory';

/** A hub on port 0 with test defaults, on the engine under test; close it in afterEach. */
export async function startTestHub(
  options: Partial<StandaloneHubOptions> & { redisPrefix?: string; redisUrl?: string } = {},
): Promise<RunningHub> {
  if ((TEST_ENGINE === 'memory' && !options.redisUrl) || options.engine) {
    return startHub({ secret: SECRET, port: 0, host: '127.0.0.1', ...options });
  }
  // Each test hub gets its own key prefix: tests share one redis-server but never each other's data,
  // unless a test passes the same `redisPrefix` to simulate hubs sharing one deployment.
  const engine = await RedisEngine.connect({
    url: options.redisUrl ?? inject('redisUrl'),
    prefix: testPrefix(options),
    history: options.history,
  });
  const running = await startHub({ secret: SECRET, port: 0, host: '127.0.0.1', ...options, engine });
  const close = running.close.bind(running);
  running.close = async () => {
    await close();
    await engine.close();
  };
  return running;
}

let prefixCounter = 0;
const ownPrefix = `falcon-test:${process.pid}:${Date.now().toString(36)}`;
function testPrefix(options: Partial<StandaloneHubOptions> & { redisPrefix?: string }): string {
  return options.redisPrefix ?? `${ownPrefix}:${++prefixCounter}:`;
}

export function token(request: Partial<TokenRequest> = {}): Promise<string> {
  return signToken({ user: 'tester', channels: ['*'], ...request }, KEY);
}

type Message = Record<string, unknown> & { type: string };

/** A raw WebSocket client that records every message, for asserting what the hub sends. */
export class TestClient {
  readonly messages: Message[] = [];
  closeCode: number | null = null;
  closeReason = '';
  private waiters: Array<() => void> = [];
  readonly closed: Promise<number>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as Message);
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeCode = code;
        this.closeReason = reason.toString();
        this.wake();
        resolve(code);
      });
    });
    ws.on('error', () => {});
  }

  static async connect(url: string, options?: WebSocket.ClientOptions): Promise<TestClient> {
    const ws = new WebSocket(url, options);
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
      ws.once('error', reject);
    });
    await client.waitFor((m) => m.type === 'connected');
    return client;
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /**
   * Resolves once the hub has read every frame sent before this call, and this
   * client every reply the hub sent meanwhile: a WebSocket ping, answered by
   * the hub's socket in order, after the frames before it. A barrier for tests
   * that must show a frame was refused (no reply is the reply).
   */
  roundTrip(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('pong', () => resolve());
      this.ws.ping((error?: Error) => error && reject(error));
    });
  }

  /** Resolves with the first recorded message matching `predicate` (searching from `from`). */
  async waitFor(predicate: (message: Message) => boolean, timeoutMs = 5000, from = 0): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.slice(from).find(predicate);
      if (found) return found;
      if (this.closeCode !== null) throw new Error(`closed (${this.closeCode}) before the message arrived`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; got ${JSON.stringify(this.messages.slice(-3))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits until `count` messages match. */
  async waitForCount(predicate: (message: Message) => boolean, count: number, timeoutMs = 10_000): Promise<Message[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.filter(predicate);
      if (found.length >= count) return found;
      if (this.closeCode !== null) throw new Error(`closed (${this.closeCode}) with ${found.length}/${count}`);
      if (Date.now() > deadline) throw new Error(`timed out with ${found.length}/${count}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  events(channel?: string): Message[] {
    return this.messages.filter((m) => m.type === 'event' && (channel === undefined || m.channel === channel));
  }

  async close(): Promise<void> {
    if (this.closeCode === null) this.ws.close();
    await this.closed;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** Connects with an HTTP-level outcome: the status code of a rejected upgrade, or 101. */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_request, response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    ws.once('error', (error) => {
      if (!/Unexpected server response/.test(error.message)) reject(error);
    });
  });
}
