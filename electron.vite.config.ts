import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlib, gzip } from 'node:zlib';
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

const COMPRESSIBLE = /\.(js|css|html|svg|json|txt)$/;
/** Below this, a compressed copy saves less than its extra headers and file cost. */
const MIN_COMPRESS_BYTES = 1024;

/**
 * Writes `name.br` (brotli, quality 11) and `name.gz` (gzip -9) next to every
 * text asset of the build, for the hub to serve by Accept-Encoding
 * (src/server/static-files.ts): compressed once here at full strength, never
 * per request. A copy that would not be smaller is not written.
 */
function precompress(): Plugin {
  const brotli = promisify(brotliCompress);
  const gzipped = promisify(gzip);
  const written: string[] = [];
  return {
    name: 'falcon:precompress',
    apply: 'build',
    // Only note what was written here; compress after the bundle closed, outside the bundler's
    // timed hooks (it would warn that this plugin took most of the build, which is the point).
    writeBundle(output, bundle) {
      if (!output.dir) return;
      for (const name of Object.keys(bundle)) if (COMPRESSIBLE.test(name)) written.push(join(output.dir, name));
    },
    async closeBundle() {
      const paths = written.splice(0);
      await Promise.all(
        paths.map(async (path) => {
          const source = await readFile(path);
          if (source.length < MIN_COMPRESS_BYTES) return;
          const [br, gz] = await Promise.all([
            brotli(source, {
              params: {
                [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY,
                [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT,
                [zlib.BROTLI_PARAM_SIZE_HINT]: source.length,
              },
            }),
            gzipped(source, { level: zlib.Z_BEST_COMPRESSION }),
          ]);
          if (br.length < source.length) await writeFile(`${path}.br`, br);
          if (gz.length < source.length) await writeFile(`${path}.gz`, gz);
        }),
      );
    },
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
    plugins: [react(), devInlineScripts(), precompress()],
    build: {
      outDir: 'out/renderer',
      // electron-vite leaves the renderer unminified; the web edition goes over the network, and a
      // smaller script also parses sooner in the desktop app (sourcemaps stay off, as before).
      minify: true,
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
