import { alternate, figureOf, valuesOf } from '../lib/alternate';
import { Worker, benchCores } from '../lib/processes';
import type { BenchOptions, Figure, Scenario, ScenarioResult } from '../lib/scenario';
import { sharedMachineNote, thin } from '../lib/hop-report';
import { percentile } from '../lib/stats';
import { FloodReader, accountFor } from '../lib/flood-reader';

/**
 * Scenario 2 — agent output pipeline: realistic ANSI agent output through
 * hub → client core → consumer, against the seed's 100 ms interval batcher
 * and a raw-`ws` seed client. The hub (with the producer, as in falcon-pm)
 * runs in one process pinned to the system core; the consumer in another,
 * pinned to the load core. Each round measures, on a fresh server:
 *  - flood: the whole corpus as fast as the producer pushes it (yielding every
 *    64 KiB, like a PTY read loop): MB/s end to end, and MB per hub CPU-second;
 *  - paced: 1 MB/s of output with a timestamped marker every 2 000
 *    characters: added latency from the producer's write to the consumer's
 *    hand-off, on a normal subscription and (ours) an urgent one: subscribed
 *    with `urgent: true`, as a focused pane is, so the hub flushes that agent
 *    every 8 ms (at once after a quiet spell) instead of every 100 ms.
 */

interface Plan {
  bytes: number;
  pacedMs: number;
}

const planFor = (quick: boolean): Plan => (quick ? { bytes: 20e6, pacedMs: 1500 } : { bytes: 50e6, pacedMs: 3000 });

const PACED_RATE = 1_000_000; // characters per second: a build log or a test run scrolling by
const MARK_EVERY = 2000;
/** The hub's default output batch interval; the goal (issue 18) allows 5 ms on top for normal channels. */
const BATCH_INTERVAL_MS = 100;
/** The hub's flush cadence for an urgent (focused) agent (outputBatch.urgentMs). */
const URGENT_BATCH_MS = 8;
/** Issue 18: the focused channel's added latency stays within a frame. */
const URGENT_LIMIT_MS = 16;
/**
 * Our hub with room for a whole burst in each client's send buffer: the
 * default (1 MiB) cuts a consumer that falls behind during a flood with 4008,
 * and it resumes from history after its backoff. This variant (256 MiB) shows
 * what the pipeline carries when that limit is out of the way; only the flood runs.
 */
const ROOMY = 'ours-big-buffer';
const ROOMY_BUFFER = 256 * 1024 * 1024;

interface Received {
  chars: number;
  firstAt: number;
  lastAt: number;
  latencies: number[];
  clientShares: number[];
  cpuMs: number;
  connects: number;
  skippedBytes: number;
  gaps: number;
}

interface Latency {
  p50: number;
  p99: number;
  clientP99: number;
  latencies: number[];
}

interface Corpus {
  chunks: number;
  chars: number;
  bytes: number;
}

async function flood(hub: Worker, consumer: Worker, agentId: string, plan: Plan, corpus: Corpus) {
  await consumer.call('arm', { kind: 'count', chars: corpus.chars });
  const received = consumer.call<Received>('result', { timeoutMs: 120_000 });
  received.catch(() => {});
  const pushed = await hub.call<{ startedAt: number; pushedAt: number; cpuAtStart: number }>('flood', {
    agentId,
    bytes: plan.bytes,
  });
  const got = await received;
  const usage = await hub.usage();
  const seconds = (got.lastAt - pushed.startedAt) / 1000;
  const hubCpuSeconds = (usage.cpuMs - pushed.cpuAtStart) / 1000;
  // Output the hub skipped for a consumer that fell behind (a gap notice) is not counted as carried.
  const delivered = corpus.bytes * Math.min(1, got.chars / corpus.chars);
  return {
    mbPerSecond: delivered / 1e6 / seconds,
    skippedMb: (got.skippedBytes ?? 0) / 1e6,
    mbPerHubCpuSecond: corpus.bytes / 1e6 / hubCpuSeconds,
    mbPerConsumerCpuSecond: corpus.bytes / 1e6 / (got.cpuMs / 1000),
    hubBusy: hubCpuSeconds / seconds,
    consumerBusy: got.cpuMs / 1000 / seconds,
    reconnects: got.connects - 1,
  };
}

async function paced(hub: Worker, consumer: Worker, agentId: string, plan: Plan): Promise<Latency> {
  await consumer.call('arm', { kind: 'latency' });
  const received = consumer.call<Received>('result', { timeoutMs: plan.pacedMs + 20_000 });
  received.catch(() => {});
  await hub.call('paced', {
    agentId,
    bytes: plan.bytes,
    rate: PACED_RATE,
    durationMs: plan.pacedMs,
    markEvery: MARK_EVERY,
  });
  const { latencies, clientShares } = await received;
  if (latencies.length === 0) throw new Error('no latency marker arrived');
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    clientP99: clientShares.length > 0 ? percentile(clientShares, 99) : 0,
    latencies,
  };
}

async function runOnce(
  variant: string,
  round: number,
  plan: Plan,
  hub: Worker,
  consumer: Worker,
  corpus: Corpus,
  pooled: Map<string, number[]>,
): Promise<Record<string, number>> {
  const kind = variant === 'seed' ? 'seed' : 'ours';
  const { url, token } = await hub.call<{ url: string; token: string }>('serve', {
    variant: kind,
    maxBufferedBytes: variant === ROOMY ? ROOMY_BUFFER : undefined,
  });
  const connect = (id: string, urgent: boolean) =>
    consumer.call('connect', { variant: kind, url, token, channel: `agent:${id}`, urgent });
  const keep = (name: string, values: number[]) => pooled.set(name, [...(pooled.get(name) ?? []), ...values]);
  try {
    await connect(`flood-${round}`, false);
    const throughput = await flood(hub, consumer, `flood-${round}`, plan, corpus);
    if (variant === ROOMY) return throughput;
    await connect(`paced-${round}`, false);
    const normal = await paced(hub, consumer, `paced-${round}`, plan);
    keep(variant, normal.latencies);
    let urgent = normal;
    if (variant === 'ours') {
      await connect(`focused-${round}`, true);
      urgent = await paced(hub, consumer, `focused-${round}`, plan);
      keep('ours (urgent)', urgent.latencies);
    }
    return {
      ...throughput,
      p50: normal.p50,
      p99: normal.p99,
      clientP99: normal.clientP99,
      // The seed has no notion of a focused channel: its one cadence is what a focused pane gets.
      p50Urgent: urgent.p50,
      p99Urgent: urgent.p99,
      clientP99Urgent: urgent.clientP99,
    };
  } finally {
    await consumer.call('disconnect').catch(() => {});
    await hub.call('close').catch(() => {});
  }
}

/** The throttled flood: 24 MB to one reader that takes at most 6 MB/s (a busy renderer). */
const THROTTLED = { bytes: 24e6, rate: 6e6 };

/**
 * One round of the throttled flood on our hub with its default 1 MiB send
 * buffer: the reader (in this process; it only counts) follows agent output
 * at 6 MB/s while the producer writes 24 MB as fast as it can. Whether it
 * stays connected, reaches the end, and how much the hub skipped (every skip
 * announced with a gap notice, delivered + skipped = published).
 */
async function throttledFloodRound(hub: Worker, round: number): Promise<Record<string, number>> {
  const agentId = `throttled-${round}`;
  const { url, token } = await hub.call<{ url: string; token: string }>('serve', { variant: 'ours' });
  const reader = await FloodReader.open(`${url}?token=${token}`, `agent:${agentId}`, THROTTLED.rate);
  try {
    await hub.call('watch', { channel: `agent:${agentId}` });
    await hub.call('flood', { agentId, bytes: THROTTLED.bytes });
    const { last, publishedBytes } = await hub.call<{ last: number; publishedBytes: number }>('finish', { agentId });
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([reader.reach(last), new Promise((resolve) => (timer = setTimeout(resolve, 60_000)))]);
    clearTimeout(timer);
    const skipped = reader.tally.gaps.reduce((sum, gap) => sum + gap.skippedBytes, 0);
    return {
      disconnects: reader.tally.closeCode === null ? 0 : 1,
      endReached: reader.reached >= last ? 1 : 0,
      unannounced: accountFor(reader.tally, last, publishedBytes).length,
      skippedMb: skipped / 1e6,
      deliveredMb: reader.tally.eventBytes / 1e6,
    };
  } finally {
    reader.close();
    await hub.call('close').catch(() => {});
  }
}

/** The throttled-flood figures: disconnects (goal 0), end reached, skipped bytes reported. */
async function throttledFloodFigures(hub: Worker, options: BenchOptions): Promise<{ figures: Figure[]; note: string }> {
  await hub.call('prepare', { bytes: THROTTLED.bytes });
  const { samples, errors } = await alternate(
    ['ours'],
    options.repeats,
    (_variant, round) => throttledFloodRound(hub, round),
    options.log,
  );
  const label = `${THROTTLED.bytes / 1e6} MB flood to a reader throttled to ${THROTTLED.rate / 1e6} MB/s`;
  const disconnects = figureOf(samples, {
    key: 'disconnects',
    metric: `${label}: disconnects`,
    unit: 'per run',
    betterWhen: 'lower',
    limit: 0,
    goalText: '0 disconnects',
  });
  const endReached = figureOf(samples, {
    key: 'endReached',
    metric: `${label}: end reached (1 = yes)`,
    unit: 'share',
    betterWhen: 'higher',
    limit: 1,
    goalText: 'every run reaches the end',
  });
  const unannounced = figureOf(samples, {
    key: 'unannounced',
    metric: `${label}: offsets or bytes lost without a gap notice`,
    unit: 'problems',
    betterWhen: 'lower',
    limit: 0,
    goalText: '0 (every skip announced)',
  });
  const skipped = figureOf(samples, {
    key: 'skippedMb',
    metric: `${label}: skipped (announced with gap notices)`,
    unit: 'MB',
    betterWhen: 'lower',
    goalText: 'reported',
  });
  const delivered = percentile(valuesOf(samples, 'ours', 'deliveredMb'), 50);
  const note =
    `Throttled flood: the reader got ${delivered.toFixed(1)} MB of event frames live or caught up from history; ` +
    'what history no longer held when it drained was skipped with a gap notice (docs/hub.md, "Slow consumers").' +
    errors.map((error) => ` Failed run: ${error}.`).join('');
  return { figures: [disconnects, endReached, unannounced, skipped], note };
}

async function run(options: BenchOptions): Promise<ScenarioResult> {
  const plan = planFor(options.quick);
  const cores = benchCores();
  const workers: Worker[] = [];
  try {
    // Each worker is recorded as soon as it runs, so a failed start still leaves nothing behind.
    const spawn = async (entry: string, name: string, core: number | undefined) => {
      const worker = await Worker.spawn(entry, { name, core, exposeGc: true });
      workers.push(worker);
      return worker;
    };
    const [hub, consumer] = await Promise.all([
      spawn('bench/peers/output-hub-process.ts', 'output hub', cores.system),
      spawn('bench/peers/output-consumer-process.ts', 'output consumer', cores.load),
    ]);
    const corpus = await hub.call<Corpus>('prepare', { bytes: plan.bytes });
    options.log(
      `  corpus: ${(corpus.bytes / 1e6).toFixed(1)} MB in ${corpus.chunks} chunks (50 B–4 KiB); ` +
        `paced phase ${PACED_RATE / 1e6} MB/s for ${plan.pacedMs} ms`,
    );
    const pooled = new Map<string, number[]>();
    const { samples, errors } = await alternate(
      ['ours', ROOMY, 'seed'],
      options.repeats,
      (variant, round) => runOnce(variant, round, plan, hub, consumer, corpus, pooled),
      options.log,
    );
    const median = (variant: string, key: string) => percentile(valuesOf(samples, variant, key), 50);
    const reconnects = Math.max(0, ...valuesOf(samples, 'ours', 'reconnects'));
    const consumerBound = ['ours', ROOMY, 'seed'].filter((v) => median(v, 'consumerBusy') > 0.9);

    const throughputFigure = figureOf(samples, {
      key: 'mbPerSecond',
      metric: `agent output end to end, ${(corpus.bytes / 1e6).toFixed(0)} MB flood (hub → client core → consumer)`,
      unit: 'MB/s',
      betterWhen: 'higher',
      against: 'seed',
      minRatio: 1,
      goalText: "≥ the seed's throughput, with no disconnect",
    });
    if (throughputFigure.goal && reconnects > 0) throughputFigure.goal.met = false;
    if (throughputFigure.goal && !throughputFigure.goal.met) {
      const seedRate = median('seed', 'mbPerSecond');
      const roomyRate = median(ROOMY, 'mbPerSecond');
      const hubCost =
        `our hub carries ${median('ours', 'mbPerHubCpuSecond').toFixed(0)} MB per CPU-second against the seed's ` +
        `${median('seed', 'mbPerHubCpuSecond').toFixed(0)} (it validates each batch, keeps it in history and the ` +
        'output tail, and flushes every 256 KiB where the seed sends one batch per 100 ms however large)';
      const why =
        reconnects > 0
          ? `The hub closed our consumer during the flood (${reconnects} reconnects) although a lagging subscriber of ` +
            'an output channel should be caught up from history or skipped ahead with a gap notice: a regression ' +
            `to look into. With room for the burst (${ROOMY}) the pipeline carried ${roomyRate.toFixed(1)} MB/s ` +
            `(${(roomyRate / seedRate).toFixed(2)}× the seed).`
          : `Our pipeline spends more CPU: ${hubCost}. Skipping the schema check for batches the hub built itself would narrow it.`;
      throughputFigure.note = why;
    }
    if (consumerBound.length > 0) {
      throughputFigure.note =
        `${throughputFigure.note ?? ''} The consumer's core was > 90 % busy for ${consumerBound.join(
          ' and ',
        )}: the load generator set the pace there.`.trim();
    }

    const figures = [
      throughputFigure,
      figureOf(samples, {
        key: 'mbPerHubCpuSecond',
        metric: 'agent output per hub CPU-second (hub + producer process)',
        unit: 'MB/CPU-s',
        betterWhen: 'higher',
        against: 'seed',
      }),
      figureOf(samples, {
        key: 'mbPerConsumerCpuSecond',
        metric: 'agent output per consumer CPU-second (ours: the client core)',
        unit: 'MB/CPU-s',
        betterWhen: 'higher',
        against: 'seed',
      }),
      figureOf(samples, {
        key: 'p50',
        metric: `added latency p50, ${PACED_RATE / 1e6} MB/s, normal channel`,
        unit: 'ms',
        betterWhen: 'lower',
        against: 'seed',
      }),
      figureOf(samples, {
        key: 'p99',
        metric: `added latency p99, ${PACED_RATE / 1e6} MB/s, normal channel`,
        unit: 'ms',
        betterWhen: 'lower',
        against: 'seed',
        limit: BATCH_INTERVAL_MS + 5,
        goalText: `≤ batch interval + 5 ms (${BATCH_INTERVAL_MS + 5} ms)`,
      }),
      figureOf(samples, {
        key: 'p99Urgent',
        metric: `added latency p99, ${PACED_RATE / 1e6} MB/s, urgent (focused) channel`,
        unit: 'ms',
        betterWhen: 'lower',
        against: 'seed',
        limit: URGENT_LIMIT_MS,
        goalText: `≤ ${URGENT_LIMIT_MS} ms`,
      }),
    ];
    const [, , , , normalP99, urgentP99] = figures;
    const oursSkipped = median('ours', 'skippedMb');
    if (oursSkipped > 0) {
      throughputFigure.note = (
        `${throughputFigure.note ?? ''} Our consumer fell behind and the hub skipped ${oursSkipped.toFixed(1)} MB ` +
        '(median) with gap notices; the figure counts only what was delivered.'
      ).trim();
    }
    const throttled = await throttledFloodFigures(hub, options);
    figures.push(...throttled.figures);
    const clientP99 = median('ours', 'clientP99');
    const clientUrgentP99 = median('ours', 'clientP99Urgent');
    if (normalP99.goal && !normalP99.goal.met) {
      normalP99.note =
        `The hub holds a normal channel's batch up to ${BATCH_INTERVAL_MS} ms; the client core hands output_batch ` +
        `events on at the next tick (its own share p99 ${clientP99.toFixed(1)} ms), so what is left above ` +
        `${BATCH_INTERVAL_MS} ms is the hop and the scheduling of two busy processes: a quiet machine is the next check.`;
    }
    if (urgentP99.goal && !urgentP99.goal.met) {
      urgentP99.note =
        `The urgent subscription makes the hub flush that agent every ${URGENT_BATCH_MS} ms (at once after a quiet ` +
        `spell); the client core hands it on once the frame is handled (its share p99 ${clientUrgentP99.toFixed(1)} ms). ` +
        'The rest is timer lateness and the hop on a loaded machine; a shorter urgentMs would trade hub CPU for it.';
    }
    return {
      id: 'output-pipeline',
      title: 'Agent output pipeline: hub → client core → consumer vs the seed batcher',
      figures,
      notes: [
        `${(corpus.bytes / 1e6).toFixed(0)} MB of generateCorpus output in PTY-sized chunks; hub + producer on one ` +
          `core, consumer on the other${cores.system === undefined ? ' (not pinned: taskset unavailable)' : ''}.`,
        'Added latency: producer write → lines handed to the consumer (ours: the client core’s onDeliveries; seed: ' +
          'after JSON.parse), clocks compared across processes with performance.timeOrigin + now().',
        throttled.note,
        ...errors.map((error) => `failed run: ${error}`),
        ...[sharedMachineNote()].filter((note) => note !== null),
      ],
      details: {
        plan,
        pacedRate: PACED_RATE,
        markEvery: MARK_EVERY,
        samples,
      },
      plots: [
        {
          id: 'added-latency',
          kind: 'cdf',
          title: `Added latency of agent output at ${PACED_RATE / 1e6} MB/s`,
          unit: 'ms',
          series: Object.fromEntries([...pooled].map(([name, values]) => [name, thin(values)])),
        },
      ],
    };
  } finally {
    await Promise.all(workers.map((worker) => worker.kill()));
  }
}

const scenario: Scenario = {
  id: 'output-pipeline',
  title: 'Agent output pipeline',
  run,
};

export default scenario;
