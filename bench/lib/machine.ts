import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { allowedCpus, canPin } from './processes';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  totalMemGiB: number;
  node: string;
  /** `chromium --version`, or null when Chromium is not installed. */
  chromium: string | null;
  os: string;
  /** Whether the system under test and the load generator were pinned to separate cores. */
  pinned: boolean;
  /** 1-minute load average when the run started: a hint of how busy the shared machine was. */
  loadAverage: number;
}

/** What the figures were measured on; stored with every run because ratios, not absolutes, travel. */
export function machineInfo(): MachineInfo {
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: allowedCpus().length,
    totalMemGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    chromium: chromiumVersion(),
    os: `${distribution() ?? os.type()} (${os.platform()} ${os.release()}, ${os.arch()})`,
    pinned: canPin(),
    loadAverage: Math.round(os.loadavg()[0] * 100) / 100,
  };
}

function chromiumVersion(): string | null {
  for (const binary of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      const output = execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000, stdio: 'pipe' });
      // Debian's wrapper script may print shell noise before the version line.
      const version = /(Chromium|Google Chrome)\s+[\d.]+/.exec(output)?.[0];
      if (version) return version;
    } catch {
      // Not installed under this name; try the next.
    }
  }
  return null;
}

function distribution(): string | null {
  try {
    return /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? null;
  } catch {
    return null;
  }
}

/**
 * CPU time the whole machine spent busy so far, in ms summed over cores
 * (Linux /proc/stat), or null elsewhere. Compared with the CPU time of our
 * own processes it shows how much other jobs on a shared machine took.
 */
export function machineBusyMs(): number | null {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal …: everything but idle and iowait was busy.
    const busy = fields.reduce((sum, value, index) => (index === 3 || index === 4 ? sum : sum + value), 0);
    return (busy * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}
