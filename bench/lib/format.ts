import type { Figure, Summary } from './scenario';

/** A number as a table shows it: 126.9 k, 412, 12.3, 0.42. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const size = Math.abs(value);
  if (size >= 10_000) return `${(value / 1000).toFixed(1)} k`;
  if (size >= 100) return value.toFixed(0);
  if (size >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** Median with its spread: `126.9 k (118.0 k–131.2 k)`; a single run shows just the value. */
export function formatSummary(summary: Summary): string {
  const median = formatNumber(summary.median);
  if (summary.n <= 1 || summary.low === summary.high) return median;
  return `${median} (${formatNumber(summary.low)}–${formatNumber(summary.high)})`;
}

/** Names as the table shows them. */
export const VARIANT_LABELS: Record<string, string> = {
  ours: 'ours',
  seed: 'seed',
  socketio: 'Socket.IO',
  prebuilt: 'prebuilt frame',
};

export const label = (variant: string): string => VARIANT_LABELS[variant] ?? variant;

export function formatRatio(figure: Figure): string {
  if (!figure.ratio) return '—';
  return `${figure.ratio.value.toFixed(2)}× vs ${label(figure.ratio.against)}`;
}

export function formatMet(figure: Figure): string {
  if (!figure.goal) return '—';
  return figure.goal.met ? 'yes' : 'NO';
}
