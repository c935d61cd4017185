/**
 * The "renderer" of the relay-hop scenario: a child process of the relay's
 * main process, reached over Node's IPC channel with `serialization:
 * 'advanced'` (V8's structured clone, as Electron IPC uses). It writes every
 * output character it receives into a real xterm.js terminal (120×40, never
 * opened: xterm parses and fills its buffer without a DOM, only rendering is
 * left out) and says when the terminal has processed the expected amount.
 * Exits when its parent goes away.
 */
import { createRequire } from 'node:module';
import { OutputRouter } from '../../src/renderer/src/lib/output-router';
import type { RelayDelivery } from '../../src/shared/relay-delivery';
import { type ChunkedCorpus, corpusChunks } from '../lib/hop-corpus';
import { wallNow } from '../lib/processes';
import type { FromRenderer, ToRenderer } from './relay-protocol';

// The package's Node entry is a UMD bundle, whose named exports ESM cannot see.
const { Terminal } = createRequire(import.meta.url)('@xterm/xterm') as typeof import('@xterm/xterm');
const terminal = new Terminal({ cols: 120, rows: 40, allowProposedApi: true });
let corpus: ChunkedCorpus | null = null;
let strip = 0;
let chars = 0;
let messages = 0;
let expected = Number.POSITIVE_INFINITY;
let cpuAtReset = 0;

const cpuMs = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

function reply(message: FromRenderer): void {
  process.send?.(message);
}

/** Once the expected characters have arrived, answers when the terminal has parsed them all. */
function checkDone(): void {
  if (chars < expected) return;
  expected = Number.POSITIVE_INFINITY;
  const [total, count] = [chars, messages];
  terminal.write('', () =>
    reply({ ctl: 'done', at: wallNow(), chars: total, messages: count, cpuMs: cpuMs() - cpuAtReset }),
  );
}

// The renderer's own output router: it decodes each run (one TextDecoder per channel) for the pane.
const router = new OutputRouter();
router.add('agent:relay-bench', {
  write(text) {
    terminal.write(text);
    chars += text.length;
  },
  marker() {},
});

function writeDeliveries(batch: RelayDelivery[]): void {
  router.route(batch);
}

async function direct(bytes: number, turnChars: number): Promise<void> {
  corpus ??= corpusChunks(bytes);
  const cpuAtStart = cpuMs();
  const startedAt = wallNow();
  let written = 0;
  let sinceTurn = 0;
  for (const chunk of corpus.chunks) {
    terminal.write(chunk);
    written += chunk.length;
    sinceTurn += chunk.length;
    if (sinceTurn >= turnChars) {
      sinceTurn = 0;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
  terminal.write('', () =>
    reply({ ctl: 'done', at: wallNow(), startedAt, chars: written, messages: 0, cpuMs: cpuMs() - cpuAtStart }),
  );
}

process.on('message', (message: ToRenderer) => {
  if (typeof message === 'string') {
    messages++;
    terminal.write(strip > 0 ? message.slice(strip) : message);
    chars += message.length - strip;
    return checkDone();
  }
  if (Array.isArray(message)) {
    messages++;
    writeDeliveries(message);
    return checkDone();
  }
  switch (message.ctl) {
    case 'prepare':
      corpus = corpusChunks(message.bytes);
      return reply({ ctl: 'prepared', chars: corpus.chars });
    case 'reset':
      (globalThis as { gc?: () => void }).gc?.();
      strip = message.strip;
      chars = 0;
      messages = 0;
      expected = Number.POSITIVE_INFINITY;
      cpuAtReset = cpuMs();
      return;
    case 'expect':
      expected = message.chars;
      return checkDone();
    case 'direct':
      void direct(message.bytes, message.turnChars);
      return;
  }
});

process.on('disconnect', () => process.exit(0));
