import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'vite';

const BENCH_ROOT = resolve(import.meta.dirname, '..');

/** Paths of the built pages, relative to `dir`. */
export interface BuiltPages {
  dir: string;
  pages: { bare: string; ours: string };
}

let built: Promise<BuiltPages> | null = null;

/**
 * Builds the bare xterm page (bench/peers) and ours (bench/terminal/pages)
 * with Vite into a temp dir, once per process; the dir is removed on exit.
 */
export function buildTerminalPages(): Promise<BuiltPages> {
  built ??= buildInto(mkdtempSync(join(tmpdir(), 'falcon-bench-pages-')));
  return built;
}

async function buildInto(dir: string): Promise<BuiltPages> {
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  await build({
    root: BENCH_ROOT,
    configFile: false,
    logLevel: 'warn',
    base: './',
    publicDir: false,
    build: {
      outDir: dir,
      emptyOutDir: true,
      reportCompressedSize: false,
      rolldownOptions: {
        input: {
          bare: join(BENCH_ROOT, 'peers/terminal-bare-page.html'),
          ours: join(BENCH_ROOT, 'terminal/pages/ours.html'),
        },
      },
    },
  });
  return { dir, pages: { bare: 'peers/terminal-bare-page.html', ours: 'terminal/pages/ours.html' } };
}
