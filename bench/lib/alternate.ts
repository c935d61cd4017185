import { OURS, type Figure, type Sample } from './scenario';
import { summarize } from './stats';

/**
 * Runs each variant once per round, in the same order every round
 * (A B A B …), so slow drifts of a shared machine (another job starting, the
 * CPU clocking down) hit every variant alike. A failed run is logged and
 * left out; a variant with no successful run at all fails the scenario.
 */
export async function alternate(
  variants: readonly string[],
  repeats: number,
  runOnce: (variant: string, round: number) => Promise<Record<string, number>>,
  log: (line: string) => void,
): Promise<{ samples: Sample[]; errors: string[] }> {
  const samples: Sample[] = [];
  const errors: string[] = [];
  for (let round = 0; round < repeats; round++) {
    for (const variant of variants) {
      try {
        const metrics = await runOnce(variant, round);
        for (const [metric, value] of Object.entries(metrics)) samples.push({ variant, metric, value });
        log(`  round ${round + 1}/${repeats} ${variant}: ${formatMetrics(metrics)}`);
      } catch (error) {
        const message = `round ${round + 1} ${variant}: ${(error as Error).message}`;
        errors.push(message);
        log(`  ${message}`);
      }
    }
  }
  for (const variant of variants) {
    if (!samples.some((sample) => sample.variant === variant)) {
      throw new Error(`every run of ${variant} failed: ${errors.join('; ')}`);
    }
  }
  return { samples, errors };
}

function formatMetrics(metrics: Record<string, number>): string {
  return Object.entries(metrics)
    .map(([metric, value]) => `${metric}=${Number.isInteger(value) ? value : value.toPrecision(4)}`)
    .join(' ');
}

export function valuesOf(samples: readonly Sample[], variant: string, metric: string): number[] {
  return samples.filter((s) => s.variant === variant && s.metric === metric).map((s) => s.value);
}

export interface FigureSpec {
  /** The sample metric key. */
  key: string;
  /** Shown in the table. */
  metric: string;
  unit: string;
  betterWhen: 'higher' | 'lower';
  /** Peer the headline ratio is taken against (omit for no ratio). */
  against?: string;
  /** Goal on the ratio (ratio ≥ minRatio, where the ratio is always "× better than the peer"). */
  minRatio?: number;
  /** Goal on ours' median (≤ max when lower is better, ≥ min when higher is better). */
  limit?: number;
  goalText?: string;
  note?: string;
}

/**
 * Turns samples into a Figure: per-variant median and min–max, the ratio
 * against one peer, and whether the goal was met. The ratio is oriented so
 * that > 1 always means "ours is better": ours/peer when higher is better,
 * peer/ours when lower is better.
 */
export function figureOf(samples: readonly Sample[], spec: FigureSpec): Figure {
  const variants = [...new Set(samples.map((sample) => sample.variant))];
  const values: Figure['values'] = {};
  for (const variant of variants) {
    const found = valuesOf(samples, variant, spec.key);
    if (found.length > 0) values[variant] = summarize(found);
  }
  const figure: Figure = { metric: spec.metric, unit: spec.unit, values };
  const ours = values[OURS]?.median;
  const peer = spec.against ? values[spec.against]?.median : undefined;
  if (spec.against && ours !== undefined && peer !== undefined && ours > 0 && peer > 0) {
    figure.ratio = {
      against: spec.against,
      value: spec.betterWhen === 'higher' ? ours / peer : peer / ours,
      betterWhen: spec.betterWhen,
    };
  }
  if (spec.goalText) {
    let met = ours !== undefined && Number.isFinite(ours);
    if (spec.minRatio !== undefined) met &&= figure.ratio !== undefined && figure.ratio.value >= spec.minRatio;
    if (spec.limit !== undefined && ours !== undefined) {
      met &&= spec.betterWhen === 'lower' ? ours <= spec.limit : ours >= spec.limit;
    }
    figure.goal = { text: spec.goalText, met };
  }
  if (spec.note) figure.note = spec.note;
  return figure;
}
