import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const file = join(import.meta.dirname, '../../bench/results/reliability.json');

export interface ReliabilityFigure {
  scenario: string;
  figure: string;
  value: number | string;
  unit?: string;
  goal: string;
  met: boolean;
}

/**
 * Records a measured figure of the reliability suite (bench/results/reliability.json,
 * summarized in docs/reliability.md). Call it before asserting, so a missed
 * figure is recorded too.
 */
export function recordFigure(figure: ReliabilityFigure): void {
  mkdirSync(join(file, '..'), { recursive: true });
  let all: { date: string; figures: ReliabilityFigure[] } = { date: new Date().toISOString(), figures: [] };
  try {
    all = JSON.parse(readFileSync(file, 'utf8')) as typeof all;
  } catch {
    // First figure of the run.
  }
  all.figures = all.figures.filter((f) => !(f.scenario === figure.scenario && f.figure === figure.figure));
  all.figures.push(figure);
  all.date = new Date().toISOString();
  writeFileSync(file, `${JSON.stringify(all, null, 2)}\n`);
  console.info(
    `[reliability] ${figure.scenario} · ${figure.figure}: ${figure.value}${figure.unit ? ` ${figure.unit}` : ''} (goal ${figure.goal}) ${figure.met ? 'met' : 'MISSED'}`,
  );
}

/** Heap in use after a full collection (the suite runs with --expose-gc). */
export function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed;
}
