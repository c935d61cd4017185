/**
 * The contract every benchmark scenario follows, so `bench/run.ts` can run
 * them all, alternate peers (A B A B …), and print one table.
 *
 * Conventions the runner relies on: the system under test is the variant
 * named `ours` (see OURS); every other variant in `Figure.values` is a peer.
 */
export interface BenchOptions {
  /** `npm run bench -- --quick`: fewer repetitions and smaller loads, whole suite under 3 minutes. */
  quick: boolean;
  /** Repetitions per variant (≥ 5 normally, 3 with --quick). */
  repeats: number;
  log: (line: string) => void;
}

/** The variant name of the system under test in `Figure.values`. */
export const OURS = 'ours';

/** One measured figure of one variant (ours or a peer) in one repetition. */
export interface Sample {
  variant: string;
  metric: string;
  value: number;
}

export interface Summary {
  median: number;
  low: number;
  high: number;
  n: number;
}

export interface Figure {
  /** e.g. "deliveries per hub CPU-second" */
  metric: string;
  unit: string;
  /** Per variant: median and spread (min–max or p25–p75) over the repetitions. */
  values: Record<string, Summary>;
  /** The headline ratio: ours against the named peer (ours / peer, or peer / ours when lower is better). */
  ratio?: { against: string; value: number; betterWhen: 'higher' | 'lower' };
  /** The goal from the issue, e.g. "≥ 1.2× seed loop", and whether it was met. */
  goal?: { text: string; met: boolean };
  /** A sentence when the load generator, not the system, was the limit, or when a goal is missed: why and what would close it. */
  note?: string;
}

/** A distribution worth drawing (the runner writes it as an SVG under docs/images/). */
export interface CdfPlot {
  /** Unique within the scenario; the file is `docs/images/bench-<scenario>-<id>.svg`. */
  id: string;
  kind: 'cdf';
  title: string;
  unit: string;
  /** Raw observations per variant (e.g. one latency per event or per client). */
  series: Record<string, number[]>;
  /** The x axis ends just past this percentile of the widest series (default 99). */
  clipAt?: number;
}

/** How a figure changes with a load parameter: one line per variant through its points (e.g. cost per connection count). */
export interface LinesPlot {
  /** Unique within the scenario; the file is `docs/images/bench-<scenario>-<id>.svg`. */
  id: string;
  kind: 'lines';
  title: string;
  /** What x is, e.g. "connections". */
  xLabel: string;
  /** The unit of y, e.g. "µs per delivery". */
  unit: string;
  /** Per variant, its points (medians), in any order. */
  series: Record<string, { x: number; y: number }[]>;
}

export type Plot = CdfPlot | LinesPlot;

export interface ScenarioResult {
  id: string;
  title: string;
  figures: Figure[];
  /** Free-form details (histograms, raw samples) stored in latest.json. */
  details?: Record<string, unknown>;
  /** Sentences about the run as a whole (e.g. "300 clients with --quick"), shown under the table. */
  notes?: string[];
  /** Distributions to draw; bar charts of `figures` are drawn without asking. */
  plots?: Plot[];
  /** Set by the runner: why `run` threw (figures is then empty). */
  error?: string;
  /** Set by the runner. */
  ranAt?: string;
  quick?: boolean;
  durationMs?: number;
}

export interface Scenario {
  id: string;
  title: string;
  run(options: BenchOptions): Promise<ScenarioResult>;
}
