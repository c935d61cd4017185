/* global window, createWorldBridge */
/**
 * The main world's half of contextBridge.exposeInMainWorld
 * (https://www.electronjs.org/docs/latest/api/context-bridge): receives what
 * the preload exposes and defines it, frozen, on `window` before any page
 * script runs. Prefixed at injection with `const createWorldBridge = …;`.
 */
(() => {
  if (window.top !== window) return;
  const bridge = createWorldBridge('falcon-emulation:to-isolated', 'falcon-emulation:to-main');
  bridge.handlers.expose = (message) => {
    Object.defineProperty(window, message.key, {
      value: Object.freeze(bridge.decode(message.value)),
      enumerable: true,
      configurable: false,
      writable: false,
    });
  };
  bridge.handlers.ping = () => bridge.post({ kind: 'ready' });
  bridge.post({ kind: 'ready' });
})();
