import WebSocket from 'ws';
import { ReconnectingConnection, type WebSocketLike, nodeWebSocket } from '../../src/client/index';
import { secretKey, signToken } from '../../src/server/index';
import { serveParent, wallNow } from '../lib/processes';
import { SeedClient } from '../peers/seed-client';
import { CHANNEL } from './payload';

/**
 * The clients of the reconnect scenario, on their own core: N of our client
 * core (ReconnectingConnection, default backoff) or N seed clients (fixed 3 s
 * retry). Each records when it is back: ours when it has delivered the last
 * event published after the restart, the seed when it is subscribed again
 * (it cannot get what it missed).
 */
type Variant = 'ours' | 'seed';

interface Tracked {
  /** Highest offset (ours) or number of events (seed) delivered so far. */
  position: number;
  /** Events delivered since `arm`. */
  sinceArm: number;
  /** When the client counted as back after the restart (epoch ms), or null. */
  backAt: number | null;
  lost: number;
  /** Connection attempts since `arm`. */
  attempts: number;
  /** Where the client stands, for reporting one that never came back. */
  describe(): string;
  close(): void;
}

const key = secretKey(process.env.SECRET ?? '');
const createWebSocket = (url: string): WebSocketLike => nodeWebSocket(new WebSocket(url, { perMessageDeflate: false }));
let clients: Tracked[] = [];
let target = Number.POSITIVE_INFINITY;
let armed = false;

function ours(url: string, token: string, onSubscribed: () => void): Tracked {
  const connection = new ReconnectingConnection({ urls: url, token, createWebSocket });
  const tracked: Tracked = {
    position: 0,
    sinceArm: 0,
    backAt: null,
    lost: 0,
    attempts: 0,
    describe() {
      const { status, attempt, lastClose } = connection.state;
      return `${status}, attempt ${attempt}, last close ${lastClose?.code ?? '-'} ${lastClose?.reason ?? ''}`.trim();
    },
    close: () => connection.close(),
  };
  connection.onState((state) => {
    if (armed && state.status === 'connecting') tracked.attempts++;
  });
  connection.onDeliveries((batch) => {
    for (const delivery of batch) {
      if (delivery.kind === 'subscribed') onSubscribed();
      else if (delivery.kind === 'resync' || delivery.kind === 'gap') tracked.lost++;
      else if ((delivery.kind === 'event' || delivery.kind === 'output') && delivery.offset !== undefined) {
        tracked.position = delivery.offset;
        if (armed) tracked.sinceArm++;
        if (armed && tracked.backAt === null && delivery.offset >= target) tracked.backAt = wallNow();
      }
    }
  });
  connection.subscribe(CHANNEL);
  connection.start();
  return tracked;
}

function seed(url: string, token: string, onSubscribed: () => void): Tracked {
  const tracked: Tracked = {
    position: 0,
    sinceArm: 0,
    backAt: null,
    lost: 0,
    attempts: 0,
    describe: () => `${tracked.attempts} attempts`,
    close: () => client.close(),
  };
  const client = new SeedClient(`${url}?token=${encodeURIComponent(token)}`, CHANNEL, {
    onConnecting() {
      if (armed) tracked.attempts++;
    },
    onSubscribed() {
      onSubscribed();
      if (armed && tracked.backAt === null) tracked.backAt = wallNow();
    },
    onEvent() {
      tracked.position++;
      if (armed) tracked.sinceArm++;
    },
  });
  client.connect();
  return tracked;
}

async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

serveParent(
  {
    /** Starts `count` clients (50 handshakes at a time) and resolves once all are subscribed. */
    async start({ variant, url, count }: { variant: Variant; url: string; count: number }) {
      armed = false;
      target = Number.POSITIVE_INFINITY;
      const tokens = await Promise.all(
        Array.from({ length: count }, (_, i) => signToken({ user: `bench-${i}`, channels: ['project:*'] }, key)),
      );
      let subscribed = 0;
      clients = [];
      for (let i = 0; i < count; i += 50) {
        const wave = Math.min(50, count - i);
        const goal = subscribed + wave;
        for (let j = 0; j < wave; j++) {
          clients.push((variant === 'ours' ? ours : seed)(url, tokens[i + j], () => subscribed++));
        }
        await until(() => subscribed >= goal, 30_000, `${goal}/${count} subscriptions`);
      }
    },
    /** Resolves once every client has delivered up to `position`. */
    async caughtUp({ position, timeoutMs }: { position: number; timeoutMs: number }) {
      await until(() => clients.every((c) => c.position >= position), timeoutMs, `every client at ${position}`);
    },
    /** From now on, a client is back when it delivers position `back` (ours) or resubscribes (seed). */
    arm({ back }: { back: number }) {
      armed = true;
      target = back;
      for (const client of clients) {
        client.backAt = null;
        client.sinceArm = 0;
        client.lost = 0;
        client.attempts = 0;
      }
    },
    /** Waits (at most `timeoutMs`) for every client to be back, then reports each one. */
    async collect({ timeoutMs }: { timeoutMs: number }) {
      await until(() => clients.every((c) => c.backAt !== null), timeoutMs, 'every client back').catch(() => {});
      return clients.map((c) => ({
        backAt: c.backAt,
        sinceArm: c.sinceArm,
        lost: c.lost,
        attempts: c.attempts,
        state: c.backAt === null ? c.describe() : undefined,
      }));
    },
    stop() {
      for (const client of clients) client.close();
      clients = [];
    },
  },
  {},
);
