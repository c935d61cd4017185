/**
 * `ipcMain` (https://www.electronjs.org/docs/latest/api/ipc-main): messages
 * from a page's preload (ipcRenderer.send / invoke) arrive with an event
 * carrying `sender` (the webContents) and `senderFrame` ({url, origin}, app://
 * as main sees it); `handle` answers an invoke, a missing handler or a throw
 * rejects it with Electron's "Error invoking remote method" message.
 */
import { EventEmitter } from 'node:events';
import { fromStandIn, originOf } from './protocol';
import { electronEvent } from './web-contents';

type InvokeHandler = (event: unknown, ...args: unknown[]) => unknown;
const handlers = new Map<string, InvokeHandler>();

class IpcMain extends EventEmitter {
  handle(channel: string, handler: InvokeHandler): void {
    if (handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    handlers.set(channel, handler);
  }

  handleOnce(channel: string, handler: InvokeHandler): void {
    this.handle(channel, (event, ...args) => {
      handlers.delete(channel);
      return handler(event, ...args);
    });
  }

  removeHandler(channel: string): void {
    handlers.delete(channel);
  }
}

export const ipcMain = new IpcMain();

interface Sender {
  id: number;
  send(channel: string, ...args: unknown[]): void;
}

interface Payload {
  type: 'send' | 'invoke';
  id?: number;
  channel: string;
  args: unknown[];
  url: string;
}

/** A message from a page's preload world; `reply` answers in that same world. */
export function dispatchIpc(sender: Sender, json: string, reply: (json: string) => void): void {
  const message = JSON.parse(json) as Payload;
  const url = fromStandIn(message.url);
  const event = electronEvent({
    sender,
    senderFrame: { url, origin: originOf(url), name: '', routingId: 1, processId: 1, top: null, parent: null },
    frameId: 1,
    processId: 1,
    type: 'frame' as const,
    ports: [],
    reply: (channel: string, ...args: unknown[]) => sender.send(channel, ...args),
  });
  if (message.type === 'send') {
    ipcMain.emit(message.channel, event, ...message.args);
    return;
  }
  const answer = (ok: boolean, value: unknown) =>
    reply(
      JSON.stringify(
        ok ? { type: 'reply', id: message.id, ok, value } : { type: 'reply', id: message.id, ok, error: value },
      ),
    );
  const handler = handlers.get(message.channel);
  if (!handler) {
    answer(
      false,
      `Error invoking remote method '${message.channel}': Error: No handler registered for '${message.channel}'`,
    );
    return;
  }
  Promise.resolve()
    .then(() => handler(event, ...message.args))
    .then(
      (value) => answer(true, value === undefined ? undefined : structuredClone(value)),
      (error: unknown) => answer(false, `Error invoking remote method '${message.channel}': ${String(error)}`),
    );
}
