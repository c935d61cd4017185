/**
 * Builds out/ (electron-vite build) when it is missing or older than the
 * sources: the suite runs the BUILT main, preload and renderer.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '../..');
const OUTPUTS = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
const SOURCES = [
  'src/main',
  'src/preload',
  'src/renderer',
  'src/shared',
  'src/client',
  'src/server',
  'electron.vite.config.ts',
];

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) latest = Math.max(latest, newest(join(path, entry)));
  return latest;
}

export default function setup(): void {
  const outputs = OUTPUTS.map((file) => join(root, file));
  const built = outputs.every((file) => existsSync(file))
    ? Math.min(...outputs.map((file) => statSync(file).mtimeMs))
    : 0;
  const sources = Math.max(...SOURCES.map((path) => newest(join(root, path))));
  if (built > sources) return;
  console.info('desktop suite: building out/ (electron-vite build)');
  execFileSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
}
