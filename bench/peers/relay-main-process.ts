/**
 * The "main process" of the relay-hop scenario (pinned to the system core):
 * output deliveries go through one relay into a "renderer" child process
 * (pinned to the load core) over a structured-clone IPC channel, the closest
 * stand-in for Electron's main → renderer IPC that runs without Electron.
 *
 * Relays: ours (main's real pipeline after the client core's decode, made as
 * DesktopCore makes it: the connection's `DeliveryBatcher` and `ChannelStore`
 * configured by `RELAYED_CONNECTION` — each decoded batch handed on at once,
 * output unjoined, no text tail — and a real `WindowRelay` with one visible
 * window subscribed to the agent channel: its `RelayBatcher` joins each
 * flush's output into one UTF-8 buffer per channel, its `RecentBytes` keeps
 * the tail for late joiners, and it sends `RelayDelivery[]`), Hyper's
 * DataBatcher and VS Code's TerminalDataBufferer (both sending strings), and
 * `none` (the pacer alone, to subtract its own CPU). The direct variant runs
 * in the renderer itself.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { ChannelStore, DEFAULT_DELIVERY_BATCH, DeliveryBatcher } from '../../src/client/index';
import { RELAYED_CONNECTION, WindowRelay } from '../../src/main/window-relay';
import type { Delivery } from '../../src/shared/delivery';
import type { RelayDelivery } from '../../src/shared/relay-delivery';
import type { Channel } from '../../src/shared/protocol';
import { corpusChunks } from '../lib/hop-corpus';
import { pinned } from '../lib/hop-pin';
import { REPO_ROOT, serveParent, wallNow } from '../lib/processes';
import { HyperDataBatcher } from './relay-hyper-batcher';
import type { FromRenderer, ToRenderer } from './relay-protocol';
import { VsCodeDataBufferer } from './relay-vscode-batcher';

export type RelayVariant = 'ours' | 'hyper' | 'vscode' | 'none';

const CHANNEL: Channel = 'agent:relay-bench';
/** One socket read's worth of output per turn of the event loop during a flood. */
const TURN_CHARS = 64 * 1024;

/** What the client core's decode makes of one `output` event. */
type OutputDelivery = Extract<Delivery, { kind: 'output' }>;

interface Sink {
  feed(turn: OutputDelivery[]): void;
  readonly strip: number;
  dispose(): void;
}

let renderer: ChildProcess | null = null;
let deliveries: OutputDelivery[] = [];
let floodTurns: OutputDelivery[][] = [];
let totalChars = 0;
let sent = 0;
/** Callers waiting for the renderer's next reply, oldest first. */
const waiting: Array<{ resolve: (message: FromRenderer) => void; reject: (error: Error) => void }> = [];
/** Longest a flood or a paced run may wait for the renderer. */
const REPLY_TIMEOUT_MS = 120_000;

const cpuMs = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

function send(message: ToRenderer): void {
  if (!renderer?.connected) throw new Error('the renderer is gone');
  renderer.send(message);
}

function nextReply(): Promise<FromRenderer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      const index = waiting.indexOf(entry);
      if (index >= 0) waiting.splice(index, 1);
      reject(new Error(`the renderer did not answer within ${REPLY_TIMEOUT_MS} ms`));
    }, REPLY_TIMEOUT_MS);
    const entry = {
      resolve: (message: FromRenderer) => {
        clearTimeout(timer);
        resolve(message);
      },
      reject: (error: Error) => {
        clearTimeout(timer);
        reject(error);
      },
    };
    waiting.push(entry);
  });
}

/** The relay under test, sending into the renderer; counts IPC messages. */
function sinkFor(variant: RelayVariant): Sink {
  const post = (message: RelayDelivery[] | string): void => {
    sent++;
    send(message);
  };
  const text = (turn: OutputDelivery[], write: (chunk: string) => void): void => {
    for (const delivery of turn) write(delivery.text);
  };
  switch (variant) {
    case 'ours': {
      // As DesktopCore makes main's connection: the core hands each batch on at once, the relay batches.
      // No text tail (RELAYED_CONNECTION): the relay keeps it, as bytes.
      const store = new ChannelStore(null);
      const relay = new WindowRelay({
        subscribe: () => Object.assign(() => {}, { setUrgent: () => {} }),
        store,
      });
      const batcher = new DeliveryBatcher({ ...DEFAULT_DELIVERY_BATCH, ...RELAYED_CONNECTION.batch }, (batch) => {
        store.apply(batch, Date.now());
        relay.route(batch);
      });
      relay.addWindow({ id: 1, isDestroyed: () => false, isVisible: () => true, send: post });
      relay.subscribe(1, 'pane-1', CHANNEL, { tail: 1000 });
      // The channel's first `subscribed`, as the hub sends it: the relay now keeps its tail for late joiners.
      relay.route([{ kind: 'subscribed', channel: CHANNEL, resumed: false }]);
      relay.flush();
      return {
        // The decoded objects are made before the run (the client core's decode is not measured here);
        // nothing in this pipeline changes their text.
        feed: (turn) => {
          for (const delivery of turn) batcher.push(delivery);
        },
        strip: 0,
        dispose: () => {
          batcher.dispose();
          relay.dispose();
        },
      };
    }
    case 'hyper': {
      const uid = randomUUID();
      const batcher = new HyperDataBatcher(uid, post);
      return {
        feed: (turn) => text(turn, (chunk) => batcher.write(chunk)),
        strip: uid.length,
        dispose: () => batcher.dispose(),
      };
    }
    case 'vscode': {
      const bufferer = new VsCodeDataBufferer(post);
      return {
        feed: (turn) => text(turn, (chunk) => bufferer.write(chunk)),
        strip: 0,
        dispose: () => bufferer.dispose(),
      };
    }
    case 'none':
      return { feed: () => {}, strip: 0, dispose: () => {} };
  }
}

function startRenderer(core: number | undefined): Promise<void> {
  const entry = fileURLToPath(new URL('./relay-renderer-process.ts', import.meta.url));
  const [file, args] = pinned(core, [process.execPath, '--expose-gc', '--import', 'tsx', entry]);
  const child = spawn(file, args, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'advanced',
  });
  renderer = child;
  child.on('message', (message: FromRenderer) => waiting.shift()?.resolve(message));
  child.once('exit', (code, signal) => {
    for (const entry of waiting.splice(0)) entry.reject(new Error(`the renderer exited (${code ?? signal})`));
  });
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', reject);
  });
}

function stopRenderer(): void {
  renderer?.kill('SIGKILL');
  renderer = null;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

serveParent(
  {
    async start({ bytes, rendererCore }: { bytes: number; rendererCore?: number }) {
      await startRenderer(rendererCore);
      const corpus = corpusChunks(bytes);
      const epoch = 'bench';
      deliveries = corpus.chunks.map((text, index): OutputDelivery => ({
        kind: 'output',
        channel: CHANNEL,
        text,
        offset: index + 1,
        epoch,
      }));
      floodTurns = [];
      let turn: OutputDelivery[] = [];
      let size = 0;
      for (const delivery of deliveries) {
        turn.push(delivery);
        size += delivery.text.length;
        if (size >= TURN_CHARS) {
          floodTurns.push(turn);
          turn = [];
          size = 0;
        }
      }
      if (turn.length > 0) floodTurns.push(turn);
      totalChars = corpus.chars;
      const prepared = nextReply();
      send({ ctl: 'prepare', bytes });
      await prepared;
      return { chars: corpus.chars, bytes: corpus.bytes, chunks: corpus.chunks.length };
    },

    /** The whole corpus as fast as it comes, one socket read per turn. */
    async flood({ variant }: { variant: RelayVariant | 'direct' }) {
      (globalThis as { gc?: () => void }).gc?.();
      if (variant === 'direct') {
        const done = nextReply();
        send({ ctl: 'reset', strip: 0 });
        send({ ctl: 'direct', bytes: 0, turnChars: TURN_CHARS });
        const result = await done;
        if (result.ctl !== 'done' || result.startedAt === undefined) throw new Error('unexpected renderer reply');
        return {
          startedAt: result.startedAt,
          doneAt: result.at,
          mainCpuMs: 0,
          messages: 0,
          rendererCpuMs: result.cpuMs,
        };
      }
      const sink = sinkFor(variant);
      sent = 0;
      const done = nextReply();
      send({ ctl: 'reset', strip: sink.strip });
      send({ ctl: 'expect', chars: totalChars });
      const cpuAtStart = cpuMs();
      const startedAt = wallNow();
      try {
        for (const turn of floodTurns) {
          sink.feed(turn);
          await nextTurn();
        }
        const result = await done;
        if (result.ctl !== 'done') throw new Error('unexpected renderer reply');
        return {
          startedAt,
          doneAt: result.at,
          mainCpuMs: cpuMs() - cpuAtStart,
          messages: sent,
          rendererCpuMs: result.cpuMs,
        };
      } finally {
        sink.dispose();
      }
    },

    /** Output arriving at `rate` characters per second, in whatever chunks came due each millisecond. */
    async paced({ variant, rate, durationMs }: { variant: RelayVariant; rate: number; durationMs: number }) {
      (globalThis as { gc?: () => void }).gc?.();
      const sink = sinkFor(variant);
      sent = 0;
      send({ ctl: 'reset', strip: sink.strip });
      const cpuAtStart = cpuMs();
      const startedAt = wallNow();
      let pushed = 0;
      let next = 0;
      try {
        for (;;) {
          const elapsed = wallNow() - startedAt;
          if (elapsed >= durationMs) break;
          const due = (rate * elapsed) / 1000;
          const turn: OutputDelivery[] = [];
          while (pushed < due) {
            const delivery = deliveries[next];
            next = (next + 1) % deliveries.length;
            turn.push(delivery);
            pushed += delivery.text.length;
          }
          if (turn.length > 0) sink.feed(turn);
          await sleep(1);
        }
        if (variant !== 'none') {
          const done = nextReply();
          send({ ctl: 'expect', chars: pushed });
          await done;
        }
        return { chars: pushed, mainCpuMs: cpuMs() - cpuAtStart, messages: sent, wallMs: wallNow() - startedAt };
      } finally {
        sink.dispose();
      }
    },
  },
  { pid: process.pid },
  stopRenderer,
);
