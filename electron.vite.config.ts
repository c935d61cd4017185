import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * The dev server only: the page's CSP meta tag lets inline scripts run, for the
 * React refresh preamble electron-vite injects inline (main relaxes its CSP
 * header the same way, in dev only: src/main/renderer-source.ts). Built and
 * packaged renderers keep `script-src 'self'`.
 */
function devInlineScripts(): Plugin {
  return {
    name: 'falcon:dev-inline-scripts',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace("script-src 'self';", "script-src 'self' 'unsafe-inline';"),
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: { input: { index: resolve('src/main/index.ts') } },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // A sandboxed preload can `require` only "electron" (and a few Node
      // built-ins Electron polyfills): bundle everything else in, emit CommonJS.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    plugins: [react(), devInlineScripts()],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
