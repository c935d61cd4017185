import type { Configuration } from 'electron-builder';

/** Types for electron-builder.config.mjs (imported by test/build/packaging.test.ts). */
declare const config: Configuration;
export default config;
