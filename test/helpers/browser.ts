import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { requireSystemProgram } from './system';

const root = join(import.meta.dirname, '../..');
export const WEB_ROOT = join(root, 'out/renderer');

/** Debian's Chromium (or CHROMIUM_PATH); null (suite skipped with a notice) when absent outside CI. */
export function chromiumPath(): string | null {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  return requireSystemProgram('chromium', ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']);
}

/** How every test launches Chromium (headless, no sandbox, nothing phoning home). */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    headless: true,
    args: [...CHROMIUM_FLAGS, '--disable-quic'],
  });
}

/** The web edition must be built; `npm test` builds first, a lone run builds here. */
export function ensureWebBuild(): void {
  if (!existsSync(join(WEB_ROOT, 'index.html'))) {
    execFileSync('npx', ['electron-vite', 'build'], { cwd: root, stdio: 'ignore' });
  }
}
