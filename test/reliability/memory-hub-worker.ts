import { serveParent } from '../../bench/lib/processes';
import { type HubOptions, startHub } from '../../src/server/index';

/**
 * A real hub in its own process, for the memory-bound scenarios: the parent
 * reads this process's memory (after a full collection, and its peak RSS)
 * while the hostile input arrives. The input is made here, so hundreds of MiB
 * need not cross the IPC channel: it enters through `hub.publish` and
 * `hub.streamAgentOutput`, where the HTTP API's routes end too.
 */
const options = JSON.parse(process.env.HUB_OPTIONS ?? '{}') as Partial<HubOptions>;
const running = await startHub({ secret: process.env.SECRET ?? '', port: 0, host: '127.0.0.1', ...options });
const { hub } = running;
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

serveParent(
  {
    /** `count` events of about `bytes` each, round robin over `channels`. */
    async publishLarge({ channels, count, bytes }: { channels: string[]; count: number; bytes: number }) {
      for (let i = 0; i < count; i++) {
        await hub.publish(channels[i % channels.length], 'note', { i, text: String(i % 10).repeat(bytes) });
        if (i % 16 === 15) await turn();
      }
    },
    /** One small event on each of `count` new channels. */
    async publishChannels({ count }: { count: number }) {
      for (let i = 0; i < count; i++) {
        await hub.publish(`issue:flood-${i}`, 'note', { i });
        if (i % 256 === 255) await turn();
      }
    },
    /** `count` writes of `bytes` of agent output, none with a newline. */
    async streamLine({ agentId, count, bytes }: { agentId: string; count: number; bytes: number }) {
      for (let i = 0; i < count; i++) {
        hub.streamAgentOutput(agentId, String(i % 10).repeat(bytes));
        await turn();
      }
      while (hub.pendingOutputAgents > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    },
    /** Peak resident set size since the process started, in bytes. */
    peakRss: () => process.resourceUsage().maxRSS * 1024,
    /** Memory after a full collection, and what the engine says it holds. */
    memory: () => {
      const gc = (globalThis as { gc?: () => void }).gc;
      gc?.();
      gc?.();
      const usage = process.memoryUsage();
      const engine = hub.engine as { usage?: () => unknown };
      return { rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external, engine: engine.usage?.() };
    },
  },
  { wsUrl: running.wsUrl },
  () => running.close(),
);
