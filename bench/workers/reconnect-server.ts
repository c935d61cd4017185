import { type RunningHub, startHub } from '../../src/server/index';
import { RedisEngine } from '../../src/server/redis/redis-engine';
import { serveParent, wallNow } from '../lib/processes';
import { SeedWsServer } from '../peers/seed-ws-server';
import { CHANNEL } from './payload';
import { NO_CONNECTION_LIMITS } from '../../src/server/options';

/**
 * One life of the hub in the reconnect scenario (VARIANT = ours | seed),
 * started ahead of time and told when to `listen` on the fixed PORT, so every
 * restart has the same downtime whatever process start-up costs that moment.
 * Ours keeps history in Redis, so it survives the restart; the seed keeps nothing.
 */
const variant = process.env.VARIANT;
const port = Number(process.env.PORT);
const secret = process.env.SECRET ?? '';

interface Life {
  listen(): Promise<void>;
  /** Publishes one event; returns its offset (ours) or how many were sent (seed). */
  publish(sequence: number): Promise<number>;
  stop(): Promise<void>;
}

async function prepareOurs(): Promise<Life> {
  const engine = await RedisEngine.connect({ url: process.env.REDIS_URL ?? '', prefix: process.env.PREFIX });
  let running: RunningHub | null = null;
  return {
    async listen() {
      running = await startHub({ ...NO_CONNECTION_LIMITS, secret, port, host: '127.0.0.1', engine });
    },
    async publish(sequence) {
      if (!running) throw new Error('not listening');
      return (await running.hub.publish(CHANNEL, 'status_changed', { issueId: String(sequence), newStatus: 'done' }))
        .offset;
    },
    async stop() {
      await running?.close();
      await engine.close();
    },
  };
}

function prepareSeed(): Life {
  const server = new SeedWsServer(secret);
  let sent = 0;
  return {
    listen: async () => void (await server.listen(port)),
    async publish(sequence) {
      server.broadcast(CHANNEL, 'status_changed', { issueId: String(sequence), newStatus: 'done' });
      return ++sent;
    },
    stop: () => (server.server.listening ? server.close() : Promise.resolve()),
  };
}

const life = variant === 'ours' ? await prepareOurs() : prepareSeed();
let sequence = 0;
let stopping: Promise<void> | null = null;
const stop = (): Promise<void> => (stopping ??= life.stop());

serveParent(
  {
    /** Listens, then publishes `publishAfter` events at once: what a returning client must catch up on. */
    async listen({ publishAfter }: { publishAfter: number }) {
      await life.listen();
      const listenedAt = wallNow();
      let lastOffset = 0;
      for (let i = 0; i < publishAfter; i++) lastOffset = await life.publish(sequence++);
      return { listenedAt, lastOffset };
    },
    async publish({ count }: { count: number }) {
      let lastOffset = 0;
      for (let i = 0; i < count; i++) lastOffset = await life.publish(sequence++);
      return lastOffset;
    },
    /** A deliberate restart: ours closes every client with 1001; the seed's just drops them, as its process exit would. */
    async stop() {
      await stop();
      return wallNow();
    },
  },
  {},
  stop,
);
