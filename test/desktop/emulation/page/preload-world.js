/* global window, location, createWorldBridge, BINDING, PRELOAD */
/**
 * Runs the real preload bundle (out/preload/index.cjs) in the page's
 * isolated world at document start, as Electron runs a sandboxed preload
 * (https://www.electronjs.org/docs/latest/tutorial/sandbox#preload-scripts):
 * `require` gives only `electron` (contextBridge, ipcRenderer); no Node.
 * Prefixed at injection with `const createWorldBridge = …; const BINDING = …;
 * const PRELOAD = function (require, module, exports, process) { … };`.
 */
(() => {
  if (window.top !== window) return;
  const bridge = createWorldBridge('falcon-emulation:to-main', 'falcon-emulation:to-isolated');
  const binding = globalThis[BINDING];
  delete globalThis[BINDING];

  // contextBridge (https://www.electronjs.org/docs/latest/api/context-bridge)
  let peerReady = false;
  const exposed = [];
  bridge.handlers.ready = () => {
    peerReady = true;
    for (const message of exposed.splice(0)) bridge.post(message);
  };
  const contextBridge = {
    exposeInMainWorld(key, api) {
      const message = { kind: 'expose', key, value: bridge.encode(api) };
      if (peerReady) bridge.post(message);
      else exposed.push(message);
    },
  };

  // ipcRenderer (https://www.electronjs.org/docs/latest/api/ipc-renderer): arguments are
  // copied with the structured clone algorithm (functions throw), carried as JSON.
  const listeners = new Map();
  const invokes = new Map();
  let nextInvoke = 0;
  const toMain = (message) => binding(JSON.stringify({ ...message, url: location.href }));
  const copy = (args) => structuredClone(args);
  const ipcRenderer = {
    send(channel, ...args) {
      toMain({ type: 'send', channel, args: copy(args) });
    },
    invoke(channel, ...args) {
      const id = ++nextInvoke;
      const cloned = copy(args);
      return new Promise((resolve, reject) => {
        invokes.set(id, { resolve, reject });
        toMain({ type: 'invoke', id, channel, args: cloned });
      });
    },
    on(channel, listener) {
      if (!listeners.has(channel)) listeners.set(channel, []);
      listeners.get(channel).push(listener);
      return ipcRenderer;
    },
    once(channel, listener) {
      const wrapped = (...args) => {
        ipcRenderer.removeListener(channel, wrapped);
        listener(...args);
      };
      return ipcRenderer.on(channel, wrapped);
    },
    removeListener(channel, listener) {
      const list = listeners.get(channel) || [];
      const index = list.indexOf(listener);
      if (index >= 0) list.splice(index, 1);
      return ipcRenderer;
    },
    off(channel, listener) {
      return ipcRenderer.removeListener(channel, listener);
    },
    removeAllListeners(channel) {
      if (channel === undefined) listeners.clear();
      else listeners.delete(channel);
      return ipcRenderer;
    },
    sendSync() {
      throw new Error('ipcRenderer.sendSync is not emulated (the app must not block its renderer)');
    },
  };

  globalThis.__falconEmulation = {
    fromMain(json) {
      // Uint8Arrays come as base64 (web-contents.ts carryBytes): revive them, as Electron's clone would give them.
      const message = JSON.parse(json, (_key, value) => {
        if (value === null || typeof value !== 'object' || typeof value.__falconBytes !== 'string') return value;
        const binary = atob(value.__falconBytes);
        const bytes = new Uint8Array(binary.length);
        for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
        return bytes;
      });
      if (message.type === 'reply') {
        const pending = invokes.get(message.id);
        invokes.delete(message.id);
        if (!pending) return;
        if (message.ok) pending.resolve(message.value);
        else pending.reject(new Error(message.error));
      } else if (message.type === 'message') {
        const event = { sender: ipcRenderer, senderId: 0, ports: [] };
        for (const listener of [...(listeners.get(message.channel) || [])]) listener(event, ...message.args);
      }
    },
  };

  const electron = { contextBridge, ipcRenderer };
  const require = (name) => {
    if (name === 'electron') return electron;
    throw new Error(`Cannot find module '${name}' (a sandboxed preload can require only electron)`);
  };
  const module = { exports: {} };
  const process = {
    type: 'renderer',
    sandboxed: true,
    contextIsolated: true,
    env: {},
    platform: 'linux',
    versions: {},
  };
  bridge.post({ kind: 'ping' });
  PRELOAD(require, module, module.exports, process);
})();
