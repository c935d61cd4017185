import type { Summary } from './scenario';

/** The p-th percentile (0–100) by linear interpolation between closest ranks; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (Math.min(Math.max(p, 0), 100) / 100) * (sorted.length - 1);
  const below = Math.floor(rank);
  const above = Math.ceil(rank);
  return sorted[below] + (sorted[above] - sorted[below]) * (rank - below);
}

export function median(values: readonly number[]): number {
  return percentile(values, 50);
}

/**
 * Median with min–max as the spread: with 3–5 repetitions on a shared machine
 * the extremes are the honest picture; quartiles of five numbers say little.
 */
export function summarize(values: readonly number[]): Summary {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length === 0) return { median: Number.NaN, low: Number.NaN, high: Number.NaN, n: 0 };
  return { median: median(finite), low: Math.min(...finite), high: Math.max(...finite), n: finite.length };
}

/** Half the min–max range as a percentage of the median: a quick "how noisy was this" figure. */
export function spreadPercent(summary: Summary): number {
  if (!Number.isFinite(summary.median) || summary.median === 0) return Number.NaN;
  return (((summary.high - summary.low) / 2) * 100) / Math.abs(summary.median);
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}
