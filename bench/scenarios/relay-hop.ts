import { alternate, figureOf, valuesOf } from '../lib/alternate';
import { Worker, benchCores } from '../lib/processes';
import type { BenchOptions, Figure, Scenario, ScenarioResult } from '../lib/scenario';
import { sharedMachineNote } from '../lib/hop-report';
import { percentile } from '../lib/stats';

/**
 * Scenario 4 — relay hop: agent output through the main-process relay into a
 * renderer, against direct writes. Without Electron, the renderer is a child
 * process reached over Node's IPC channel with structured-clone
 * serialization; main and renderer are pinned to different cores, as
 * Electron's processes would spread over them. The input is the finest the
 * relay can face: one `output` delivery per PTY read (50 B–4 KiB), a socket
 * read's worth (64 KiB) per turn of the event loop in a flood, or what came
 * due each millisecond when paced.
 *
 *  - direct: the renderer writes the same chunks into its terminal itself (no
 *    hop: what a renderer holding the connection would do);
 *  - ours: main's pipeline after the client core's decode, as DesktopCore makes it — the
 *    core's DeliveryBatcher and ChannelStore under `RELAYED_CONNECTION` (each batch handed
 *    on at once, output unjoined, no text tail) and a real `WindowRelay` (visible window):
 *    its RelayBatcher (16 ms / 256 KiB) joins a flush's output into one UTF-8 `Uint8Array`
 *    per channel, its RecentBytes keeps that buffer as the channel's tail (one append per
 *    flush), and it sends `RelayDelivery[]`; the renderer decodes through the real
 *    OutputRouter (one streaming TextDecoder per channel);
 *  - hyper: Hyper's DataBatcher (16 ms / 200 KB, concatenated strings);
 *  - vscode: VS Code's TerminalDataBufferer (5 ms, joined strings).
 */

interface Plan {
  bytes: number;
  pacedMs: number;
}

// xterm.js discards input past 50 MB pending, and nothing here waits for it: floods stay well below.
const planFor = (quick: boolean): Plan => (quick ? { bytes: 10e6, pacedMs: 1200 } : { bytes: 20e6, pacedMs: 3000 });
// Characters per second: a build log scrolling by, well below what any variant carries, and high enough
// that the relays' own CPU stands out from the pacer's timer wake-ups (subtracted anyway).
const PACED_RATE = 4_000_000;
const VARIANTS = ['direct', 'ours', 'hyper', 'vscode'];

interface Flood {
  startedAt: number;
  doneAt: number;
  mainCpuMs: number;
  messages: number;
  rendererCpuMs: number;
}

interface Paced {
  chars: number;
  mainCpuMs: number;
  messages: number;
  wallMs: number;
}

interface Corpus {
  chars: number;
  bytes: number;
  chunks: number;
}

async function runOnce(
  variant: string,
  round: number,
  plan: Plan,
  main: Worker,
  corpus: Corpus,
  pacerCpuShare: Map<number, number>,
): Promise<Record<string, number>> {
  const mb = corpus.bytes / 1e6;
  const bytesPerChar = corpus.bytes / corpus.chars;
  const flood = await main.call<Flood>('flood', { variant });
  const floodMetrics = {
    floodMbPerSecond: mb / ((flood.doneAt - flood.startedAt) / 1000),
    rendererCpuMsPerMb: flood.rendererCpuMs / mb,
    rendererMbPerCpuSecond: mb / (flood.rendererCpuMs / 1000),
    rendererBusy: flood.rendererCpuMs / (flood.doneAt - flood.startedAt),
  };
  if (variant === 'direct') {
    // The pacer alone, without a relay: its CPU is subtracted from every relay's paced figure this round.
    const pacer = await main.call<Paced>('paced', { variant: 'none', rate: PACED_RATE, durationMs: plan.pacedMs });
    pacerCpuShare.set(round, pacer.mainCpuMs / pacer.wallMs);
    return { ...floodMetrics, pacerCpuPercent: (pacer.mainCpuMs / pacer.wallMs) * 100 };
  }
  const paced = await main.call<Paced>('paced', { variant, rate: PACED_RATE, durationMs: plan.pacedMs });
  const pacedMb = (paced.chars * bytesPerChar) / 1e6;
  const pacerMs = (pacerCpuShare.get(round) ?? 0) * paced.wallMs;
  return {
    ...floodMetrics,
    floodCpuMsPerMb: flood.mainCpuMs / mb,
    floodMessagesPerMb: flood.messages / mb,
    pacedCpuMsPerMb: Math.max(0, paced.mainCpuMs - pacerMs) / pacedMb,
    pacedMessagesPerMb: paced.messages / pacedMb,
  };
}

/** Strictly fewer messages than the peer, not merely as few. */
function strictlyFewer(figure: Figure): Figure {
  if (figure.goal) figure.goal.met = figure.ratio !== undefined && figure.ratio.value > 1;
  return figure;
}

async function run(options: BenchOptions): Promise<ScenarioResult> {
  const plan = planFor(options.quick);
  const cores = benchCores();
  let main: Worker | null = null;
  try {
    main = await Worker.spawn('bench/peers/relay-main-process.ts', {
      name: 'relay main',
      core: cores.system,
      exposeGc: true,
    });
    const corpus = await main.call<Corpus>('start', { bytes: plan.bytes, rendererCore: cores.load });
    options.log(
      `  corpus: ${(corpus.bytes / 1e6).toFixed(1)} MB in ${corpus.chunks} output deliveries; ` +
        `paced ${PACED_RATE / 1e6} MB/s for ${plan.pacedMs} ms`,
    );
    // Warm-up: one flood per variant, not recorded, so no variant pays for JIT compilation in round 1.
    for (const variant of VARIANTS) await main.call('flood', { variant });
    const pacerCpuShare = new Map<number, number>();
    const worker = main;
    const { samples, errors } = await alternate(
      VARIANTS,
      options.repeats,
      (variant, round) => runOnce(variant, round, plan, worker, corpus, pacerCpuShare),
      options.log,
    );
    const median = (variant: string, key: string) => percentile(valuesOf(samples, variant, key), 50);
    const direct = median('direct', 'floodMbPerSecond');
    const ours = median('ours', 'floodMbPerSecond');

    const throughput = figureOf(samples, {
      key: 'floodMbPerSecond',
      metric: `output into the renderer's terminal, ${(corpus.bytes / 1e6).toFixed(0)} MB flood`,
      unit: 'MB/s',
      betterWhen: 'higher',
      against: 'direct',
      minRatio: 0.9,
      goalText: '≥ 0.9× direct',
    });
    const rendererMs = (variant: string) => median(variant, 'rendererCpuMsPerMb');
    const extra = (variant: string) => (rendererMs(variant) - rendererMs('direct')).toFixed(1);
    const decodeNote =
      `Per MB the renderer spent ${rendererMs('direct').toFixed(1)} ms of CPU writing directly and ` +
      `${extra('ours')} ms more through our relay (Hyper-style +${extra('hyper')}, VS Code-style +${extra('vscode')}): ` +
      'every hop makes it read the pipe and decode a structured clone; ours copies one UTF-8 buffer per ' +
      'channel per flush and decodes it once (TextDecoder). Electron copies it too: webContents.send takes no ' +
      'transfer list, and ArrayBuffers transferred over MessagePorts are lost or crash main ' +
      '(electron/electron#34905, #37565). Handing the bytes to xterm.write (it takes Uint8Array) would drop the decode.';
    if (throughput.goal && !throughput.goal.met) {
      const busy = Math.min(...VARIANTS.map((variant) => median(variant, 'rendererBusy')));
      throughput.note =
        `The relay reached ${(ours / direct).toFixed(2)}× direct. ${decodeNote}` +
        (busy < 0.9
          ? ` The renderer's core was shared with other work (median busy as low as ${(busy * 100).toFixed(0)} %), ` +
            'and so was main’s, where our relay spends the most: wall-clock figures are noisy; the ' +
            'per-CPU-second figure below is steadier.'
          : '');
    }
    const perRendererCpu = figureOf(samples, {
      key: 'rendererMbPerCpuSecond',
      metric: "output per renderer CPU-second, flood (the renderer's core is the bottleneck)",
      unit: 'MB/CPU-s',
      betterWhen: 'higher',
      against: 'direct',
      minRatio: 0.9,
      goalText: '≥ 0.9× direct',
    });
    if (perRendererCpu.goal && !perRendererCpu.goal.met) perRendererCpu.note = decodeNote;
    const floodCpu = figureOf(samples, {
      key: 'floodCpuMsPerMb',
      metric: 'main-process CPU per MB, flood',
      unit: 'ms/MB',
      betterWhen: 'lower',
      against: 'hyper',
      minRatio: 1,
      goalText: '≤ Hyper-style batcher (16 ms / 200 KB)',
    });
    const pacedCpu = figureOf(samples, {
      key: 'pacedCpuMsPerMb',
      metric: `main-process CPU per MB at ${PACED_RATE / 1e6} MB/s (pacer's own CPU subtracted)`,
      unit: 'ms/MB',
      betterWhen: 'lower',
      against: 'hyper',
      minRatio: 1,
      goalText: '≤ Hyper-style batcher (16 ms / 200 KB)',
    });
    for (const [figure, key] of [
      [floodCpu, 'floodCpuMsPerMb'],
      [pacedCpu, 'pacedCpuMsPerMb'],
    ] as const) {
      if (!figure.goal || figure.goal.met) continue;
      figure.note =
        `Ours ${median('ours', key).toFixed(1)} ms/MB against Hyper-style ${median('hyper', key).toFixed(1)}. ` +
        'Fed one delivery per PTY read, ours encodes each flush to UTF-8 (about 1 ms/MB: the corpus has ' +
        'non-ASCII, so its strings are two-byte) where the Hyper-style batcher’s string is serialized as a copy ' +
        '(1.8× the bytes on the pipe); at 4 MB/s every 1 ms turn also costs ours a client-core microtask batch, an ' +
        'agent-activity record in the store (its time moves every millisecond) and the relay’s bookkeeping, each ' +
        'about what the Hyper-style path costs in all. The hub’s output_batch already decodes to one delivery. ' +
        'Next: touch agent activity per relay flush, not per socket message.';
    }
    const pacedMessages = strictlyFewer(
      figureOf(samples, {
        key: 'pacedMessagesPerMb',
        metric: `IPC messages per MB at ${PACED_RATE / 1e6} MB/s`,
        unit: 'messages/MB',
        betterWhen: 'lower',
        against: 'vscode',
        minRatio: 1,
        goalText: 'fewer than a VS Code-style batcher (5 ms)',
      }),
    );
    const floodMessages = figureOf(samples, {
      key: 'floodMessagesPerMb',
      metric: 'IPC messages per MB, flood',
      unit: 'messages/MB',
      betterWhen: 'lower',
      against: 'vscode',
    });
    if (floodMessages.ratio && floodMessages.ratio.value < 1) {
      floodMessages.note =
        'In a flood the 5 ms batcher, which has no size limit, sends fewer and larger messages; ' +
        'a size limit (ours 256 KiB, Hyper 200 KB) keeps each message bounded for the renderer.';
    }
    return {
      id: 'relay-hop',
      title: 'Relay hop: main-process relay → renderer vs direct writes',
      figures: [throughput, perRendererCpu, floodCpu, pacedCpu, pacedMessages, floodMessages],
      notes: [
        'No Electron here: the renderer is a child process over Node IPC with structured-clone ("advanced") ' +
          'serialization, main and renderer on separate cores. "Direct" is the renderer writing the same ' +
          'chunks into its terminal itself, with no hop.',
        'The renderer writes into a real xterm.js Terminal (120×40) that is never opened: parsing and buffer ' +
          'updates are measured, rendering is not, so the hop weighs more here than next to a rendering terminal.',
        'Input: one `output` delivery per PTY read (50 B–4 KiB), the finest the relay can be fed (a hub sending ' +
          'unbatched output); batched output_batch events would give every relay fewer, larger items.',
        ...errors.map((error) => `failed run: ${error}`),
        ...[sharedMachineNote()].filter((note) => note !== null),
      ],
      details: { plan, pacedRate: PACED_RATE, samples },
    };
  } finally {
    await main?.kill();
  }
}

const scenario: Scenario = {
  id: 'relay-hop',
  title: 'Relay hop',
  run,
};

export default scenario;
