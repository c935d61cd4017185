import type { UserConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import config from '../../electron.vite.config';

/**
 * The web edition as it was built before issue 18 (the peer of
 * bench/scenarios/web-start.ts): the same sources and electron-vite setup,
 * but unminified (electron-vite's default), in one eager bundle (every
 * dynamic import inlined, so xterm.js and the WebGL addon load at start), and
 * with no .br/.gz copies.
 */
const renderer = config.renderer ?? {};
const build = renderer.build ?? {};
const eager: UserConfig = {
  ...config,
  renderer: {
    ...renderer,
    plugins: (renderer.plugins ?? []).filter((plugin) => (plugin as Plugin | null)?.name !== 'falcon:precompress'),
    build: {
      ...build,
      minify: false,
      rollupOptions: { ...build.rollupOptions, output: { codeSplitting: false } },
    },
  },
};
export default eager;
