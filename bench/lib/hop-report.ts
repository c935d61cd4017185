import { loadavg } from 'node:os';
import { allowedCpus } from './processes';

/** The sorted series cut to at most `max` evenly spaced values, so a CDF plot stays small. */
export function thin(values: readonly number[], max = 4000): number[] {
  const sorted = [...values].sort((a, b) => a - b);
  const step = Math.max(1, Math.ceil(sorted.length / max));
  return sorted.filter((_, index) => index % step === 0);
}

/**
 * A sentence when other work was competing for the cores during the run
 * (1-minute load average above the core count), or null. Taken at the end of
 * a scenario, so it covers the minute the scenario ran in.
 */
export function sharedMachineNote(): string | null {
  const load = loadavg()[0];
  const cores = allowedCpus().length;
  if (load <= cores) return null;
  return (
    `Other work shared the machine (load average ${load.toFixed(1)} on ${cores} cores): wall-clock figures ` +
    'are noisy; the per-CPU-second figures are the steadier ones.'
  );
}
