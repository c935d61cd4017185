import { resolve } from 'node:path';
import { builtinModules } from 'node:module';
import { defineConfig } from 'vite';
import pkg from './package.json' with { type: 'json' };

// The CLI (`falcon hub`, `falcon tail`, …) and the hub library (`falcon-monitor/hub`,
// for falcon-pm to mount) built for plain Node into out/cli.
// Dependencies stay external: they are installed next to it.
const external = [...builtinModules, ...builtinModules.map((name) => `node:${name}`), ...Object.keys(pkg.dependencies)];

export default defineConfig({
  build: {
    ssr: true,
    target: 'node20',
    outDir: 'out/cli',
    emptyOutDir: true,
    sourcemap: true,
    rollupOptions: {
      input: { index: resolve('src/cli/index.ts'), hub: resolve('src/server/index.ts') },
      external: (id) => external.some((name) => id === name || id.startsWith(`${name}/`)),
      output: { format: 'esm', entryFileNames: '[name].js' },
    },
  },
});
