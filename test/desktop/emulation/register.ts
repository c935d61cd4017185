/**
 * `node --import tsx --import ./register.ts out/main/index.js`: resolves
 * `electron` to the emulation (./loader-hooks.mjs). Test-only, never shipped.
 */
import { register } from 'node:module';

register('./loader-hooks.mjs', import.meta.url);
