import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The directory holding our package.json. The CLI runs from source
 * (`src/cli/…` via tsx) and built (`out/cli/index.js`), so the path is found
 * by walking up rather than assumed.
 */
export function findPackageRoot(from: string = fileURLToPath(import.meta.url)): string | null {
  let dir = dirname(from);
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** The built web edition (`out/renderer`) when `npm run build` has produced it; otherwise null. */
export function defaultWebRoot(): string | null {
  const root = findPackageRoot();
  if (root === null) return null;
  const webRoot = join(root, 'out', 'renderer');
  return hasIndexHtml(webRoot) ? webRoot : null;
}

export function hasIndexHtml(dir: string): boolean {
  try {
    return statSync(join(dir, 'index.html')).isFile();
  } catch {
    return false;
  }
}
