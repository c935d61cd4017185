/** The desktop bridge over a stand-in for the preload's window.falcon (plain callbacks, as IPC delivers them). */
import { describe, expect, it } from 'vitest';
import type { PaneTarget } from '../../../src/shared/bridge';
import { INITIAL_STATE } from '../../../src/shared/connection-state';
import type { FalconPreloadApi, HelloResult } from '../../../src/shared/ipc';
import { IpcBridge } from '../../../src/renderer/src/bridge/ipc-bridge';

function preload(hello: Partial<HelloResult> = {}) {
  const focusListeners: Array<(target: PaneTarget) => void> = [];
  const copied: string[] = [];
  const api = {
    version: 1,
    hello: () =>
      Promise.resolve({
        connection: INITIAL_STATE,
        hub: { label: 'hub', url: 'ws://127.0.0.1:1/ws', builtIn: true },
        target: null,
        focus: null,
        ...hello,
      }),
    onConnectionState: () => () => {},
    onFocusTarget: (listener: (target: PaneTarget) => void) => {
      focusListeners.push(listener);
      return () => {};
    },
    copyText: (text: string) => void copied.push(text),
    // As ipcRenderer.invoke: main's answer, or a rejection when main refused the arguments.
    sendInput: async (agentId: string, input: { action: string }) => {
      if (agentId === 'refused') throw new Error("Error invoking remote method 'falcon:send-input': invalid arguments");
      return { ok: true, inputId: `${agentId}:${input.action}` };
    },
  } as unknown as FalconPreloadApi;
  return { api, copied, sendFocus: (target: PaneTarget) => focusListeners.forEach((listener) => listener(target)) };
}

const agent: PaneTarget = { kind: 'agent', id: 'opus-1' };

describe('IpcBridge', () => {
  it('hands the focus request that came with hello to the first listener (a notification clicked before the page existed)', async () => {
    const { api } = preload({ focus: agent });
    const bridge = await IpcBridge.connect(api);
    const seen: PaneTarget[] = [];
    bridge.onFocusTarget((target) => seen.push(target));
    await Promise.resolve();
    expect(seen).toEqual([agent]);
  });

  it('keeps a focus request sent before the UI listens, and delivers later ones live', async () => {
    const { api, sendFocus } = preload();
    const bridge = await IpcBridge.connect(api);
    sendFocus(agent);
    const seen: PaneTarget[] = [];
    bridge.onFocusTarget((target) => seen.push(target));
    await Promise.resolve();
    sendFocus({ kind: 'issue', id: '42' });
    expect(seen).toEqual([agent, { kind: 'issue', id: '42' }]);
  });

  it('answers agents through main, and turns a refusal of the arguments into an outcome, never a rejection', async () => {
    const { api } = preload();
    const bridge = await IpcBridge.connect(api);
    expect(await bridge.sendInput('opus-1', { action: 'interrupt' })).toEqual({
      ok: true,
      inputId: 'opus-1:interrupt',
    });
    expect(await bridge.sendInput('refused', { action: 'interrupt' })).toMatchObject({
      ok: false,
      code: 'invalid_input',
      message: expect.stringContaining('invalid arguments'),
    });
  });

  it('passes a focus request with the reply box asked for', async () => {
    const { api, sendFocus } = preload();
    const bridge = await IpcBridge.connect(api);
    const seen: PaneTarget[] = [];
    bridge.onFocusTarget((target) => seen.push(target));
    sendFocus({ kind: 'agent', id: 'opus-1', reply: true } as PaneTarget);
    expect(seen).toEqual([{ kind: 'agent', id: 'opus-1', reply: true }]);
  });

  it('copies through main', async () => {
    const { api, copied } = preload();
    const bridge = await IpcBridge.connect(api);
    await bridge.writeClipboard('copy me');
    expect(copied).toEqual(['copy me']);
  });
});
