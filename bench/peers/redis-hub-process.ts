/**
 * One hub of the redis-hop scenario, in its own process (pinned to the system
 * core): on the in-memory engine, or on the Redis engine sharing a prefix
 * with the other hub process. It can also publish, in-process as falcon-pm's
 * server does: at a fixed rate with the send time in each payload, or as fast
 * as a number of publishes in flight allows.
 */
import { RedisEngine } from '../../src/server/redis/redis-engine';
import { type RunningHub, secretKey, signToken, startHub } from '../../src/server/index';
import { serveParent, wallNow } from '../lib/processes';
import { NO_CONNECTION_LIMITS } from '../../src/server/options';

const SECRET = 'redis-hop-benchmark-secret-0123456789abcdef';

let running: RunningHub | null = null;
let engine: RedisEngine | null = null;

const cpuMs = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function hub(): RunningHub {
  if (!running) throw new Error('no hub is running');
  return running;
}

/** An issue update like falcon-pm publishes, plus the benchmark's sequence number and send time. */
function payload(seq: number, sentAt: number) {
  return {
    issueId: 'bench-1',
    projectId: 'bench',
    title: 'Keep the relay hop under a millisecond at 5 000 events/s',
    status: 'in_progress',
    stage: 'implement',
    seq,
    sentAt,
  };
}

async function stop(): Promise<void> {
  const [hubNow, engineNow] = [running, engine];
  running = null;
  engine = null;
  await hubNow?.close();
  await engineNow?.close();
}

serveParent(
  {
    async start({ redisUrl, prefix }: { redisUrl?: string; prefix?: string }) {
      await stop();
      (globalThis as { gc?: () => void }).gc?.();
      if (redisUrl) engine = await RedisEngine.connect({ url: redisUrl, prefix });
      running = await startHub({
        ...NO_CONNECTION_LIMITS,
        secret: SECRET,
        port: 0,
        host: '127.0.0.1',
        engine: engine ?? undefined,
      });
      const token = await signToken({ user: 'bench', channels: ['*'] }, secretKey(SECRET));
      return { url: running.wsUrl, token };
    },

    stop,

    /** Publishes `rate` events per second for `durationMs`, each stamped with its send time. */
    async pace({
      channel,
      rate,
      durationMs,
      warmUp = 0,
    }: {
      channel: string;
      rate: number;
      durationMs: number;
      warmUp?: number;
    }) {
      const answered: number[] = [];
      const target = hub().hub;
      let published = 0;
      let failures = 0;
      const cpuAtStart = cpuMs();
      const startedAt = wallNow();
      const pending = new Set<Promise<unknown>>();
      for (;;) {
        const elapsed = wallNow() - startedAt;
        if (elapsed >= durationMs) break;
        const due = Math.floor((rate * elapsed) / 1000);
        while (published < due) {
          const sentAt = wallNow();
          const seq = published;
          const publish = target.publish(channel, 'issue_updated', payload(seq, sentAt)).then(
            () => {
              // Publish → answered: on the Redis engine, the script call's round trip as the publisher sees it.
              if (seq >= warmUp) answered.push(wallNow() - sentAt);
            },
            () => {
              failures++;
            },
          );
          published++;
          pending.add(publish);
          void publish.then(() => pending.delete(publish));
        }
        await sleep(1);
      }
      await Promise.all(pending);
      const wallMs = wallNow() - startedAt;
      answered.sort((x, y) => x - y);
      const at = (p: number) => answered[Math.min(answered.length - 1, Math.floor((answered.length * p) / 100))] ?? 0;
      return { published, failures, cpuMs: cpuMs() - cpuAtStart, wallMs, answeredP50: at(50), answeredP99: at(99) };
    },

    /** Publishes `count` events keeping `concurrency` publishes in flight. */
    async burst({ channel, count, concurrency }: { channel: string; count: number; concurrency: number }) {
      const target = hub().hub;
      let next = 0;
      let failures = 0;
      const cpuAtStart = cpuMs();
      const startedAt = wallNow();
      const worker = async (): Promise<void> => {
        while (next < count) {
          const seq = next++;
          try {
            await target.publish(channel, 'issue_updated', payload(seq, 0));
          } catch {
            failures++;
          }
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      return { count, failures, cpuMs: cpuMs() - cpuAtStart, wallMs: wallNow() - startedAt };
    },
  },
  { pid: process.pid },
  stop,
);
