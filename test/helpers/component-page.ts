import { mkdtempSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import react from '@vitejs/plugin-react';
import sirv from 'sirv';
import { build } from 'vite';

const root = join(import.meta.dirname, '../..');

export interface ComponentPage {
  /** The page's URL on a loopback server. */
  url: string;
  close(): Promise<void>;
}

/**
 * Builds a test page (an HTML file under test/ and the modules it imports:
 * components, xterm, React) with Vite into a temporary folder and serves it on
 * 127.0.0.1, port 0, for Chromium (test/helpers/browser.ts). For components
 * that need a real browser: xterm cannot mount without a canvas and layout.
 * React is built in development mode, so `act` works and errors are legible.
 */
export async function buildComponentPage(html: string): Promise<ComponentPage> {
  const outDir = mkdtempSync(join(tmpdir(), 'falcon-component-page-'));
  await build({
    configFile: false,
    root,
    mode: 'development',
    logLevel: 'warn',
    plugins: [react()],
    build: {
      outDir,
      emptyOutDir: true,
      minify: false,
      sourcemap: 'inline',
      reportCompressedSize: false,
      rollupOptions: { input: html },
    },
  });
  const serve = sirv(outDir, { dev: true });
  const server: Server = createServer((request, response) =>
    serve(request, response, () => void response.writeHead(404).end()),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${relative(root, html).split('\\').join('/')}`,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
