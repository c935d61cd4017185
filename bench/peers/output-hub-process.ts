/**
 * The system under test of the output-pipeline scenario, in its own process
 * (pinned to the system core): either our hub (`startHub`, agent output via
 * `hub.streamAgentOutput`) or the seed's server and 100 ms interval batcher.
 * The producer runs here too, as it does in falcon-pm (the hub is a library
 * its server calls), so the CPU figure is hub + producer for both variants.
 */
import { type RunningHub, secretKey, signToken, startHub } from '../../src/server/index';
import { type ChunkedCorpus, corpusChunks } from '../lib/hop-corpus';
import { endMarker, marker } from '../lib/hop-marker';
import { serveParent, wallNow } from '../lib/processes';
import { SeedOutputServer } from './output-seed-batcher';
import { NO_CONNECTION_LIMITS } from '../../src/server/options';

export type OutputVariant = 'ours' | 'seed';

const SECRET = 'output-pipeline-benchmark-secret-0123456789';
/** A PTY read loop hands over at most this much per turn of the event loop. */
const YIELD_EVERY_CHARS = 64 * 1024;

let ours: RunningHub | null = null;
let seed: SeedOutputServer | null = null;
const corpora = new Map<number, ChunkedCorpus>();
/** What `watch` counts. */
const watched: { channel: string; bytes: number; undo?: () => void } = { channel: '', bytes: 0 };

function corpus(bytes: number): ChunkedCorpus {
  let found = corpora.get(bytes);
  if (!found) corpora.set(bytes, (found = corpusChunks(bytes)));
  return found;
}

function push(agentId: string, text: string): void {
  if (ours) ours.hub.streamAgentOutput(agentId, text);
  else if (seed) seed.streamAgentOutputThrottled(agentId, text);
  else throw new Error('no server is running');
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const cpuMs = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

async function closeServers(): Promise<void> {
  watched.undo?.();
  watched.undo = undefined;
  const running = [ours?.close(), seed?.close()];
  ours = null;
  seed = null;
  await Promise.all(running);
}

serveParent(
  {
    /** Builds the corpus ahead of the runs, so no run pays for it. */
    prepare({ bytes }: { bytes: number }) {
      const { chunks, chars } = corpus(bytes);
      return { chunks: chunks.length, chars, bytes: corpus(bytes).bytes };
    },

    /** Starts a fresh server; `maxBufferedBytes` overrides our hub's slow-consumer limit. */
    async serve({ variant, maxBufferedBytes }: { variant: OutputVariant; maxBufferedBytes?: number }) {
      await closeServers();
      (globalThis as { gc?: () => void }).gc?.();
      if (variant === 'ours') {
        ours = await startHub({
          ...NO_CONNECTION_LIMITS,
          secret: SECRET,
          port: 0,
          host: '127.0.0.1',
          maxBufferedBytes,
        });
        const token = await signToken({ user: 'bench', channels: ['*'] }, secretKey(SECRET));
        return { url: ours.wsUrl, token };
      }
      seed = new SeedOutputServer('seed-token');
      return { url: await seed.listen(), token: 'seed-token' };
    },

    close: closeServers,

    /** Pushes the whole corpus as fast as the producer can, yielding like a PTY read loop. */
    async flood({ agentId, bytes }: { agentId: string; bytes: number }) {
      const { chunks } = corpus(bytes);
      const cpuAtStart = cpuMs();
      const startedAt = wallNow();
      let sinceYield = 0;
      for (const chunk of chunks) {
        push(agentId, chunk);
        sinceYield += chunk.length;
        if (sinceYield >= YIELD_EVERY_CHARS) {
          sinceYield = 0;
          await nextTurn();
        }
      }
      return { startedAt, pushedAt: wallNow(), cpuAtStart };
    },

    /** Counts the event frame bytes published on `channel` from now on (for `finish`). */
    watch({ channel }: { channel: string }) {
      if (!ours) throw new Error('our hub is not running');
      watched.channel = channel;
      watched.bytes = 0;
      watched.undo?.();
      watched.undo = ours.hub.engine.onEvent((event) => {
        if (event.channel === watched.channel) watched.bytes += Buffer.byteLength(event.frame);
      });
    },

    /** Flushes the agent's pending output with a last event; its offset and the bytes published since `watch`. */
    async finish({ agentId }: { agentId: string }) {
      if (!ours) throw new Error('our hub is not running');
      const { offset } = await ours.hub.emitAgentOutput(agentId, 'the end\n');
      return { last: offset, publishedBytes: watched.bytes };
    },

    /**
     * Pushes output at `rate` characters per second for `durationMs`, with a
     * timestamped marker after every `markEvery` characters, then the end marker.
     */
    async paced({
      agentId,
      bytes,
      rate,
      durationMs,
      markEvery,
    }: {
      agentId: string;
      bytes: number;
      rate: number;
      durationMs: number;
      markEvery: number;
    }) {
      const { chunks } = corpus(bytes);
      const startedAt = wallNow();
      let pushed = 0;
      let sinceMark = 0;
      let seq = 0;
      let next = 0;
      for (;;) {
        const elapsed = wallNow() - startedAt;
        if (elapsed >= durationMs) break;
        const due = (rate * elapsed) / 1000;
        while (pushed < due) {
          const chunk = chunks[next];
          next = (next + 1) % chunks.length;
          push(agentId, chunk);
          pushed += chunk.length;
          sinceMark += chunk.length;
          if (sinceMark >= markEvery) {
            sinceMark = 0;
            push(agentId, marker(seq++, wallNow()));
          }
        }
        await sleep(1);
      }
      push(agentId, endMarker());
      return { markers: seq, chars: pushed };
    },
  },
  { pid: process.pid },
  closeServers,
);
