import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Locates a system program a test needs (redis-server, chromium). Locally a
 * missing one skips the suite with a visible notice; under CI=true it is an
 * error, unless FALCON_TEST_ALLOW_SKIP is set (CI runners on OSes that lack it).
 */
export function findSystemProgram(name: string, candidates: string[] = []): string | null {
  for (const path of candidates) if (existsSync(path)) return path;
  try {
    const found = execFileSync(process.platform === 'win32' ? 'where' : 'which', [name], { encoding: 'utf8' })
      .split(/\r?\n/)[0]
      ?.trim();
    return found || null;
  } catch {
    return null;
  }
}

export function requireSystemProgram(name: string, candidates: string[] = []): string | null {
  const path = findSystemProgram(name, candidates);
  if (path) return path;
  const strict = process.env.CI === 'true' && !process.env.FALCON_TEST_ALLOW_SKIP;
  if (strict) throw new Error(`${name} is required under CI=true (.ci/run installs it)`);
  console.warn(
    `\n  ⚠ SKIPPED: ${name} is not installed; the tests that need it are skipped (apt-get install ${name})\n`,
  );
  return null;
}
