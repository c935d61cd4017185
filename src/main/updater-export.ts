/**
 * electron-updater is CommonJS and defines `autoUpdater` as a lazy getter on
 * `module.exports`; Node's ESM loader cannot see such getters as named
 * exports, so `import { autoUpdater }` (or destructuring the namespace) gives
 * `undefined`. The default export is `module.exports` itself.
 */
export function autoUpdaterOf<T extends { autoUpdater: unknown }>(module: T): T['autoUpdater'] {
  const exports = (module as { default?: T }).default ?? module;
  return exports.autoUpdater;
}
