import { startHub } from '../../src/server/index';
import { type ParentLink, serveParent, wallNow } from '../lib/processes';
import { PrebuiltFrameServer } from '../peers/prebuilt-frame-server';
import { SeedWsServer } from '../peers/seed-ws-server';
import { SocketIoPeer } from '../peers/socketio-server';
import { CHANNEL, EVENT, payload } from './payload';
import { NO_CONNECTION_LIMITS } from '../../src/server/options';

/**
 * The system under test of the fan-out scenario, one variant per process
 * (VARIANT = ours | seed | prebuilt | socketio), pinned to its own core. The
 * parent drives it over IPC; CPU time is read with process.cpuUsage here.
 */
interface Target {
  port: number;
  path: string;
  /** One broadcast; ours returns the publish promise (its fan-out runs synchronously inside). */
  publish(sequence: number): unknown;
  close(): Promise<void>;
}

async function startTarget(variant: string, secret: string): Promise<Target> {
  switch (variant) {
    case 'ours': {
      const running = await startHub({ ...NO_CONNECTION_LIMITS, secret, port: 0, host: '127.0.0.1' });
      return {
        port: running.port,
        path: '/ws',
        publish: (sequence) => running.hub.publish(CHANNEL, EVENT, payload(sequence)),
        close: () => running.close(),
      };
    }
    case 'seed':
    case 'prebuilt': {
      const server = variant === 'seed' ? new SeedWsServer(secret) : new PrebuiltFrameServer(secret);
      const port = await server.listen();
      return {
        port,
        path: '/ws',
        publish: (s) => server.broadcast(CHANNEL, EVENT, payload(s)),
        close: () => server.close(),
      };
    }
    case 'socketio': {
      const peer = new SocketIoPeer(secret);
      const port = await peer.listen();
      return {
        port,
        path: '/socket.io/?EIO=4&transport=websocket',
        publish: (s) => peer.broadcast(CHANNEL, EVENT, payload(s)),
        close: () => peer.close(),
      };
    }
    default:
      throw new Error(`unknown variant ${variant}`);
  }
}

const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const target = await startTarget(process.env.VARIANT ?? '', process.env.SECRET ?? '');
let sequence = 0;
// The slowest client's event count, reported by the load generator (via the parent).
let acked = 0;
let wakeOnAck: (() => void) | null = null;

const link: ParentLink = serveParent(
  {
    /**
     * Publishes `events` as fast as the server can, staying at most `window`
     * events ahead of the slowest client so no buffer grows without bound
     * (the hub would close a client past 1 MiB of backlog as a slow consumer).
     */
    async blast({ events, window }: { events: number; window: number }) {
      const base = sequence;
      acked = 0;
      for (let sent = 0; sent < events; sent++) {
        while (sent - acked >= window) await new Promise<void>((resolve) => (wakeOnAck = resolve));
        await target.publish(sequence++);
        // Let socket writes and the parent's acks through now and then.
        if ((sent & 7) === 7) await turn();
      }
      return { first: base, last: sequence - 1 };
    },
    /**
     * Publishes `perSecond` single events for `seconds` on a drift-free
     * schedule: the CPU this costs, and for each event the time from before
     * the broadcast call until it has handed the event to every socket (ours:
     * `await hub.publish()`, whose fan-out runs synchronously inside).
     */
    async fixedRate({ perSecond, seconds }: { perSecond: number; seconds: number }) {
      const total = Math.round(perSecond * seconds);
      const times: number[] = [];
      const startWall = wallNow();
      const startCpu = cpuMs();
      for (let i = 0; i < total; i++) {
        const due = startWall + (i * 1000) / perSecond;
        const wait = due - wallNow();
        if (wait > 0) await sleep(wait);
        const start = performance.now();
        await target.publish(sequence++);
        times.push(performance.now() - start);
      }
      // One more interval so the last event's writes are counted like the others'.
      await sleep(1000 / perSecond);
      return { cpuMs: cpuMs() - startCpu, wallMs: wallNow() - startWall, events: total, times };
    },
  },
  { port: target.port, path: target.path },
  () => target.close(),
);

link.on('progress', (slowest) => {
  acked = Number(slowest);
  const wake = wakeOnAck;
  wakeOnAck = null;
  wake?.();
});
