/**
 * The preload: exposes `window.falcon` (FalconPreloadApi) through
 * contextBridge — one named function per action, never raw ipcRenderer. It
 * runs sandboxed, so it imports only `electron` and small shared modules (bundled in).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { EventChannels, FalconPreloadApi, InvokeChannels, SendChannels } from '../shared/ipc';
import { checkRelayBatch } from '../shared/relay-delivery';

function send<K extends keyof SendChannels>(channel: K, ...args: SendChannels[K]): void {
  ipcRenderer.send(channel, ...args);
}

function invoke<K extends keyof InvokeChannels>(
  channel: K,
  ...args: InvokeChannels[K]['args']
): Promise<InvokeChannels[K]['result']> {
  return ipcRenderer.invoke(channel, ...args) as Promise<InvokeChannels[K]['result']>;
}

function listen<K extends keyof EventChannels>(channel: K, listener: (...args: EventChannels[K]) => void): () => void {
  // The IPC event object (with its sender) never reaches the page.
  const wrapped = (_event: IpcRendererEvent, ...args: unknown[]) => listener(...(args as EventChannels[K]));
  ipcRenderer.on(channel, wrapped);
  return () => {
    ipcRenderer.removeListener(channel, wrapped);
  };
}

const api: FalconPreloadApi = {
  version: 1,
  hello: () => invoke('falcon:hello'),
  subscribe: (id, channel, options) => send('falcon:subscribe', id, channel, options),
  unsubscribe: (id) => send('falcon:unsubscribe', id),
  setUrgent: (id, urgent) => send('falcon:set-urgent', id, urgent),
  retryNow: () => send('falcon:retry-now'),
  getServer: () => invoke('falcon:get-server'),
  setServer: (settings) => invoke('falcon:set-server', settings),
  listProjects: () => invoke('falcon:list-projects'),
  sendInput: (agentId, input) => invoke('falcon:send-input', agentId, input),
  getNotificationSettings: () => invoke('falcon:get-notification-settings'),
  setNotificationSettings: (settings) => invoke('falcon:set-notification-settings', settings),
  openExternal: (url) => send('falcon:open-external', url),
  openWindow: (target) => send('falcon:open-window', target),
  setViewing: (target) => send('falcon:viewing', target),
  copyText: (text) => send('falcon:copy-text', text),
  onConnectionState: (listener) => listen('falcon:connection-state', listener),
  // Checked where it enters the window: a batch that breaks the contract is dropped, with its code, not half-shown.
  onDeliveries: (listener) =>
    listen('falcon:deliveries', (batch) => {
      const checked = checkRelayBatch(batch);
      if (checked.ok) listener(checked.batch);
      else console.error(`[falcon] ${checked.code}: ${checked.error}`);
    }),
  onFocusTarget: (listener) => listen('falcon:focus-target', listener),
};

contextBridge.exposeInMainWorld('falcon', api);
