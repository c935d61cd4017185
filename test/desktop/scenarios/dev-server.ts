/**
 * The renderer's dev server, as `npm run dev` (electron-vite dev) starts it:
 * Vite with the renderer section of electron.vite.config.ts (React with fast
 * refresh, whose preamble is an inline script). electron-vite would then
 * launch Electron's binary with ELECTRON_RENDERER_URL; the suite launches the
 * app through its driver with that variable instead.
 */
import { resolve } from 'node:path';
import { createServer } from 'vite';
import config from '../../../electron.vite.config';
import { ROOT } from '../drivers/emulated';

export async function startRendererDevServer(): Promise<{ url: string; close(): Promise<void> }> {
  const renderer = (config as { renderer?: { root?: string; plugins?: unknown[] } }).renderer ?? {};
  const server = await createServer({
    configFile: false,
    root: resolve(ROOT, renderer.root ?? 'src/renderer'),
    plugins: renderer.plugins as never,
    logLevel: 'error',
    server: { host: '127.0.0.1', port: 0, hmr: true },
  });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('the renderer dev server has no local URL');
  return { url, close: () => server.close() };
}
