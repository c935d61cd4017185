import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { MachineInfo } from './machine';
import type { ScenarioResult } from './scenario';

/** bench/results/latest.json */
export interface ResultsFile {
  /** When this run finished. */
  date: string;
  /** When it started: results whose `ranAt` is earlier were kept from a previous run (see mergeResults). */
  startedAt?: string;
  machine: MachineInfo;
  quick: boolean;
  results: ScenarioResult[];
}

export function readResults(path: string): ResultsFile | null {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ResultsFile;
  } catch {
    return null;
  }
}

/**
 * This run's results, plus (after `--only`) the previous file's results for
 * the scenarios that did not run, each keeping its own `ranAt`, so running
 * one scenario does not erase the others from the table.
 */
export function mergeResults(
  previous: ResultsFile | null,
  current: ResultsFile,
  order: readonly string[],
): ResultsFile {
  const byId = new Map<string, ScenarioResult>();
  for (const result of previous?.results ?? []) byId.set(result.id, result);
  for (const result of current.results) byId.set(result.id, result);
  const rank = (id: string): number => {
    const index = order.indexOf(id);
    return index === -1 ? order.length : index;
  };
  const results = [...byId.values()].sort((a, b) => rank(a.id) - rank(b.id) || a.id.localeCompare(b.id));
  return { ...current, results };
}

export function writeResults(path: string, file: ResultsFile): void {
  mkdirSync(dirname(path), { recursive: true });
  // NaN and Infinity are not JSON; null says "not measured".
  writeFileSync(
    path,
    `${JSON.stringify(file, (_key, value) => (Number.isFinite(value) || typeof value !== 'number' ? value : null), 2)}\n`,
  );
}
