import type { UserConfig } from 'electron-vite';
import config from '../../electron.vite.config';

/**
 * The web edition as it was built before issue 18 (the peer of
 * bench/scenarios/web-start.ts): the same sources and electron-vite setup,
 * but unminified (electron-vite's default), in one eager bundle (every
 * dynamic import inlined, so xterm.js and the WebGL addon load at start). The
 * .br/.gz copies are still written: the `eager-br` peer is this build served
 * by the hub's static handler (issue 16), `eager-plain` the same files served
 * uncompressed.
 */
const renderer = config.renderer ?? {};
const build = renderer.build ?? {};
const eager: UserConfig = {
  ...config,
  renderer: {
    ...renderer,
    build: {
      ...build,
      minify: false,
      rollupOptions: { ...build.rollupOptions, output: { codeSplitting: false } },
    },
  },
};
export default eager;
