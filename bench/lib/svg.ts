import { OURS, type CdfPlot, type Figure, type LinesPlot } from './scenario';
import { formatNumber, formatSummary, label } from './format';
import { percentile } from './stats';

/**
 * Hand-written SVG charts for docs/performance.md: no plotting library, just
 * rectangles, polylines and text, so the files diff well and render on GitHub.
 */
const WIDTH = 720;
const FONT = 'font-family="system-ui, -apple-system, Segoe UI, sans-serif"';
const PALETTE = ['#2563eb', '#9ca3af', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6'];

const escape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function colorFor(variant: string, index: number): string {
  return variant === OURS ? PALETTE[0] : PALETTE[1 + (index % (PALETTE.length - 1))];
}

function document(height: number, title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT} font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    `<text x="16" y="24" font-size="15" font-weight="600" fill="#111827">${escape(title)}</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

/**
 * One panel per figure: a bar per variant at its median, a whisker over its
 * min–max. Figures repeating the same values (one metric, two ratios) are drawn once.
 */
export function barChart(title: string, figures: readonly Figure[]): string {
  const seen = new Set<string>();
  const panels = figures.filter((figure) => {
    const key = JSON.stringify(figure.values);
    if (seen.has(key) || Object.keys(figure.values).length === 0) return false;
    seen.add(key);
    return true;
  });
  const body: string[] = [];
  const labelWidth = 120;
  const barLeft = 16 + labelWidth;
  const barSpace = WIDTH - barLeft - 190;
  let y = 44;
  for (const figure of panels) {
    const entries = Object.entries(figure.values);
    const max = Math.max(...entries.map(([, s]) => (Number.isFinite(s.high) ? s.high : s.median))) || 1;
    const better = figure.ratio?.betterWhen ?? 'lower';
    body.push(
      `<text x="16" y="${y + 12}" font-weight="600" fill="#374151">${escape(figure.metric)} ` +
        `<tspan font-weight="400" fill="#6b7280">(${escape(figure.unit)}, ${better} is better)</tspan></text>`,
    );
    y += 20;
    entries.forEach(([variant, summary], index) => {
      const width = Math.max(1, (summary.median / max) * barSpace);
      const low = barLeft + (summary.low / max) * barSpace;
      const high = barLeft + (summary.high / max) * barSpace;
      body.push(
        `<text x="${barLeft - 8}" y="${y + 13}" text-anchor="end" fill="#374151">${escape(label(variant))}</text>`,
        `<rect x="${barLeft}" y="${y + 2}" width="${width.toFixed(1)}" height="14" rx="2" fill="${colorFor(variant, index)}"/>`,
        `<line x1="${low.toFixed(1)}" x2="${high.toFixed(1)}" y1="${y + 9}" y2="${y + 9}" stroke="#111827" stroke-width="1.2"/>`,
        `<line x1="${low.toFixed(1)}" x2="${low.toFixed(1)}" y1="${y + 5}" y2="${y + 13}" stroke="#111827"/>`,
        `<line x1="${high.toFixed(1)}" x2="${high.toFixed(1)}" y1="${y + 5}" y2="${y + 13}" stroke="#111827"/>`,
        `<text x="${(Math.max(barLeft + width, high) + 8).toFixed(1)}" y="${y + 13}" fill="#111827">${escape(formatSummary(summary))}</text>`,
      );
      y += 20;
    });
    y += 14;
  }
  body.push(
    `<text x="16" y="${y + 4}" fill="#6b7280">Bars: median over the repetitions; whiskers: min–max. Same run, same machine.</text>`,
  );
  return document(y + 20, title, body);
}

/** 1, 2, 2.5 or 5 × 10ⁿ: at least `raw`, so five ticks cover the range with round labels. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  return ([1, 2, 2.5, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
}

/** Cumulative distributions, one line per variant; the x axis stops near the largest p99 (or `clipAt`) so outliers do not squash it. */
export function cdfChart(plot: CdfPlot): string {
  const series = Object.entries(plot.series).filter(([, values]) => values.length > 0);
  const height = 320;
  const left = 64;
  const right = WIDTH - 24;
  const top = 44;
  const bottom = height - 50;
  const clipAt = plot.clipAt ?? 99;
  const step = niceStep(Math.max(...series.map(([, values]) => percentile(values, clipAt)), 1e-9) / 5);
  const xMax = step * 5;
  const x = (value: number): number => left + (Math.min(value, xMax) / xMax) * (right - left);
  const y = (fraction: number): number => bottom - fraction * (bottom - top);
  const legendTop = bottom - 12 - series.length * 18;
  const body: string[] = [];
  for (const fraction of [0, 0.25, 0.5, 0.75, 1]) {
    body.push(
      `<line x1="${left}" x2="${right}" y1="${y(fraction).toFixed(1)}" y2="${y(fraction).toFixed(1)}" stroke="#e5e7eb"/>`,
      `<text x="${left - 6}" y="${(y(fraction) + 4).toFixed(1)}" text-anchor="end" fill="#6b7280">${fraction * 100}%</text>`,
    );
  }
  body.push(
    `<line x1="${left}" x2="${right}" y1="${y(0.99).toFixed(1)}" y2="${y(0.99).toFixed(1)}" stroke="#9ca3af" stroke-dasharray="4 3"/>`,
    `<text x="${right}" y="${(y(0.99) + 12).toFixed(1)}" text-anchor="end" fill="#6b7280">p99</text>`,
  );
  for (let tick = 0; tick <= 5; tick++) {
    const value = step * tick;
    body.push(
      `<line x1="${x(value).toFixed(1)}" x2="${x(value).toFixed(1)}" y1="${bottom}" y2="${bottom + 4}" stroke="#6b7280"/>`,
      `<text x="${x(value).toFixed(1)}" y="${bottom + 18}" text-anchor="middle" fill="#6b7280">${formatNumber(value)}</text>`,
    );
  }
  body.push(
    `<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#6b7280"/>`,
    `<text x="${(left + right) / 2}" y="${bottom + 36}" text-anchor="middle" fill="#374151">${escape(plot.unit)} (axis ends past the largest p${clipAt}; later points sit on the edge)</text>`,
  );
  series.forEach(([variant, values], index) => {
    const sorted = [...values].sort((a, b) => a - b);
    const step = Math.max(1, Math.floor(sorted.length / 400));
    const points: string[] = [`${x(sorted[0]).toFixed(1)},${y(0).toFixed(1)}`];
    for (let i = 0; i < sorted.length; i += step) {
      points.push(`${x(sorted[i]).toFixed(1)},${y((i + 1) / sorted.length).toFixed(1)}`);
    }
    points.push(`${x(sorted[sorted.length - 1]).toFixed(1)},${y(1).toFixed(1)}`);
    const color = colorFor(variant, index);
    body.push(
      `<polyline fill="none" stroke="${color}" stroke-width="2" points="${points.join(' ')}"/>`,
      // A CDF's lower right is empty: the legend goes there.
      `<rect x="${right - 250}" y="${legendTop + index * 18}" width="12" height="12" fill="${color}"/>`,
      `<text x="${right - 232}" y="${legendTop + index * 18 + 10}" fill="#374151">${escape(label(variant))} (n=${values.length}, p50 ${formatNumber(percentile(values, 50))})</text>`,
    );
  });
  return document(height, plot.title, body);
}

/**
 * One line per variant through its points (x: a load parameter such as the
 * connection count, y: a cost), both axes from zero, so a flat line means the
 * cost does not grow with the load.
 */
export function linesChart(plot: LinesPlot): string {
  const series = Object.entries(plot.series)
    .map(([variant, points]) => [variant, [...points].sort((a, b) => a.x - b.x)] as const)
    .filter(([, points]) => points.length > 0);
  const height = 320;
  const left = 64;
  const right = WIDTH - 200;
  const top = 44;
  const bottom = height - 50;
  const xs = [...new Set(series.flatMap(([, points]) => points.map((point) => point.x)))].sort((a, b) => a - b);
  const xMax = Math.max(...xs, 1);
  const yStep = niceStep(Math.max(...series.flatMap(([, points]) => points.map((point) => point.y)), 1e-9) / 5);
  const yMax = yStep * 5;
  const x = (value: number): number => left + (value / xMax) * (right - left);
  const y = (value: number): number => bottom - (Math.min(value, yMax) / yMax) * (bottom - top);
  const body: string[] = [];
  for (let tick = 0; tick <= 5; tick++) {
    const value = yStep * tick;
    body.push(
      `<line x1="${left}" x2="${right}" y1="${y(value).toFixed(1)}" y2="${y(value).toFixed(1)}" stroke="#e5e7eb"/>`,
      `<text x="${left - 6}" y="${(y(value) + 4).toFixed(1)}" text-anchor="end" fill="#6b7280">${formatNumber(value)}</text>`,
    );
  }
  for (const value of xs) {
    body.push(
      `<line x1="${x(value).toFixed(1)}" x2="${x(value).toFixed(1)}" y1="${bottom}" y2="${bottom + 4}" stroke="#6b7280"/>`,
      `<text x="${x(value).toFixed(1)}" y="${bottom + 18}" text-anchor="middle" fill="#6b7280">${formatNumber(value)}</text>`,
    );
  }
  body.push(
    `<line x1="${left}" x2="${right}" y1="${bottom}" y2="${bottom}" stroke="#6b7280"/>`,
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${bottom}" stroke="#6b7280"/>`,
    `<text x="${(left + right) / 2}" y="${bottom + 36}" text-anchor="middle" fill="#374151">${escape(plot.xLabel)}</text>`,
    `<text x="16" y="${top - 8}" fill="#374151">${escape(plot.unit)}</text>`,
  );
  series.forEach(([variant, points], index) => {
    const color = colorFor(variant, index);
    const path = points.map((point) => `${x(point.x).toFixed(1)},${y(point.y).toFixed(1)}`).join(' ');
    body.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${path}"/>`);
    for (const point of points) {
      body.push(`<circle cx="${x(point.x).toFixed(1)}" cy="${y(point.y).toFixed(1)}" r="3" fill="${color}"/>`);
    }
    const last = points[points.length - 1];
    body.push(
      `<rect x="${right + 16}" y="${top + index * 18}" width="12" height="12" fill="${color}"/>`,
      `<text x="${right + 34}" y="${top + index * 18 + 10}" fill="#374151">${escape(label(variant))} (${formatNumber(last.y)} at ${formatNumber(last.x)})</text>`,
    );
  });
  return document(height, plot.title, body);
}
