import { type IpcMainEvent, type IpcMainInvokeEvent, type WebContents, ipcMain, shell } from 'electron';
import type { InvokeChannels, SendChannels } from '../../shared/ipc';
import type { DesktopCore } from '../desktop-core';
import { validateIpcArgs } from '../ipc-schemas';
import { isAllowedNavigation, isSafeExternalUrl } from '../link-policy';
import type { FocusTarget, PaneTarget } from '../../shared/bridge';

export interface IpcWindows {
  /** The window id of a webContents that belongs to one of our windows, or null. */
  windowIdOf(contents: WebContents): number | null;
  targetOf(windowId: number): PaneTarget | null;
  openWindow(target: PaneTarget): void;
  /**
   * The window said hello: from now on it may be sent events. Returns a focus
   * request that was waiting for its page (a notification clicked while only
   * the tray ran), or null.
   */
  helloFrom(windowId: number): FocusTarget | null;
  writeClipboard(text: string): void;
}

type Frame = { url: string; processId?: number; routingId?: number };
type Sender = { senderFrame: Frame | null; sender: WebContents };

/** Whether `frame` is its page's main frame (not an iframe of our origin). */
function isMainFrame(frame: Frame, contents: WebContents): boolean {
  const main = (contents as { mainFrame?: Frame }).mainFrame;
  if (!main) return true;
  return frame.processId === main.processId && frame.routingId === main.routingId;
}

/**
 * Registers every IPC handler of the contract. Each checks that the message
 * comes from one of our windows' main frame, loaded from the app itself, and
 * validates its arguments before anything happens. Returns its undo.
 */
export function registerIpc(core: () => DesktopCore, windows: IpcWindows, origins: string[]): () => void {
  const trusted = (event: Sender): number | null => {
    const frame = event.senderFrame;
    if (!frame?.url || !isAllowedNavigation(frame.url, origins) || !isMainFrame(frame, event.sender)) return null;
    return windows.windowIdOf(event.sender);
  };

  const on = <K extends keyof SendChannels>(
    channel: K,
    handler: (windowId: number, ...args: SendChannels[K]) => void,
  ) => {
    const listener = (event: IpcMainEvent, ...raw: unknown[]) => {
      const windowId = trusted(event);
      if (windowId === null) return;
      const checked = validateIpcArgs(channel, raw);
      if (!checked.ok) return;
      handler(windowId, ...(checked.args as SendChannels[K]));
    };
    ipcMain.on(channel, listener);
    return () => void ipcMain.removeListener(channel, listener);
  };

  const handle = <K extends keyof InvokeChannels>(
    channel: K,
    handler: (
      windowId: number,
      ...args: InvokeChannels[K]['args']
    ) => InvokeChannels[K]['result'] | Promise<InvokeChannels[K]['result']>,
  ) => {
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, ...raw: unknown[]) => {
      const windowId = trusted(event);
      if (windowId === null) throw new Error('IPC from an unexpected sender');
      const checked = validateIpcArgs(channel, raw);
      if (!checked.ok) throw new Error(`invalid arguments for ${channel}: ${checked.error}`);
      return handler(windowId, ...(checked.args as InvokeChannels[K]['args']));
    });
    return () => ipcMain.removeHandler(channel);
  };

  const undo = [
    on('falcon:subscribe', (windowId, id, channel, options) => core().relay.subscribe(windowId, id, channel, options)),
    on('falcon:unsubscribe', (windowId, id) => core().relay.unsubscribe(windowId, id)),
    on('falcon:set-urgent', (windowId, id, urgent) => core().relay.setUrgent(windowId, id, urgent)),
    on('falcon:retry-now', () => core().wake()),
    on('falcon:open-external', (_windowId, url) => {
      const safe = isSafeExternalUrl(url);
      if (safe) shell.openExternal(safe.href).catch((error: unknown) => console.error('opening a link failed', error));
    }),
    on('falcon:open-window', (_windowId, target) => windows.openWindow(target)),
    on('falcon:viewing', (windowId, target) => core().setViewing(windowId, target)),
    on('falcon:copy-text', (_windowId, text) => windows.writeClipboard(text)),
    handle('falcon:hello', (windowId) => core().hello(windows.targetOf(windowId), windows.helloFrom(windowId))),
    handle('falcon:get-server', () => core().getServer()),
    handle('falcon:set-server', (_windowId, settings) => core().setServer(settings)),
    handle('falcon:list-projects', () => core().listProjects()),
    handle('falcon:send-input', (_windowId, agentId, input) => core().sendInput(agentId, input)),
    handle('falcon:get-notification-settings', () => core().readNotificationSettings()),
    handle('falcon:set-notification-settings', (_windowId, settings) => core().setNotificationSettings(settings)),
  ];
  return () => undo.forEach((fn) => fn());
}
