/**
 * The typed IPC contract between the Electron main process and its windows,
 * both directions in one place. The preload exposes `FalconPreloadApi` as
 * `window.falcon` (one named function per action, never raw ipcRenderer);
 * main registers a handler per `InvokeChannel` and validates every argument.
 */
import type { AgentInput, InputOutcome } from './agent-input';
import type { FocusTarget, HubInfo, PaneTarget, ServerSettings, ServerUpdate } from './bridge';
import type { ConnectionState } from './connection-state';
import type { SubscribeOptions } from './delivery';
import type { Channel } from './protocol';
import type { RelayDelivery } from './relay-delivery';

/** Renderer → main, fire and forget (`ipcRenderer.send`). */
export interface SendChannels {
  'falcon:subscribe': [id: string, channel: Channel, options: SubscribeOptions];
  'falcon:unsubscribe': [id: string];
  'falcon:set-urgent': [id: string, urgent: boolean];
  'falcon:retry-now': [];
  'falcon:open-external': [url: string];
  'falcon:open-window': [target: PaneTarget];
  /** What the window shows, for notification suppression: the focused pane's target, or null. */
  'falcon:viewing': [target: PaneTarget | null];
  /** Copy text to the system clipboard through main (the page itself has no clipboard permission). */
  'falcon:copy-text': [text: string];
}

/** Renderer → main, with an answer (`ipcRenderer.invoke`). */
export interface InvokeChannels {
  'falcon:hello': { args: []; result: HelloResult };
  'falcon:get-server': { args: []; result: ServerSettings };
  'falcon:set-server': { args: [settings: ServerUpdate]; result: void };
  'falcon:list-projects': { args: []; result: string[] };
  /** Answer an agent over main's connection; the outcome is the hub's ack or why not. */
  'falcon:send-input': { args: [agentId: string, input: AgentInput]; result: InputOutcome };
  'falcon:get-notification-settings': { args: []; result: NotificationSettings };
  'falcon:set-notification-settings': { args: [settings: Partial<NotificationSettings>]; result: NotificationSettings };
}

/**
 * The answer to a window's hello, sent once per document: main delivers
 * nothing to a page before it (focus requests wait, then come as `focus`).
 */
export interface HelloResult {
  connection: ConnectionState;
  hub: HubInfo;
  /** The pane or issue a detached window was opened for; null for the main window. */
  target: PaneTarget | null;
  /** A target to show now: a notification or tray item clicked before this page existed. */
  focus: FocusTarget | null;
}

/** Main → renderer (`webContents.send`). */
export interface EventChannels {
  'falcon:connection-state': [state: ConnectionState];
  /**
   * One message per window per flush: only the channels that window
   * subscribed, each channel's output joined into one UTF-8 `Uint8Array` per
   * run (`OutputRun`). Electron copies the bytes (structured clone: it cannot
   * transfer an ArrayBuffer over `webContents.send`); the preload checks the
   * batch (`checkRelayBatch`) before the page sees it.
   */
  'falcon:deliveries': [batch: RelayDelivery[]];
  /** Focus a target (a notification was clicked). */
  'falcon:focus-target': [target: FocusTarget];
}

export interface NotificationSettings {
  enabled: boolean;
  /** Statuses worth a notification: agent (waiting_for_input, failed, …) and issue (done, blocked, …). */
  statuses: string[];
  /** Projects to notify about; empty means all. */
  projects: string[];
  /** Notifications paused until this time (ms since epoch), or null. */
  pausedUntil: number | null;
  /** Show the tray icon (and keep running in the tray when the last window closes). */
  trayEnabled: boolean;
  /** Whether the token can be stored encrypted; false when only `basic_text` exists (Linux without a keyring). */
  secureStorage: boolean;
}

/** What the preload exposes as `window.falcon`. */
export interface FalconPreloadApi {
  readonly version: 1;
  hello(): Promise<InvokeChannels['falcon:hello']['result']>;
  subscribe(id: string, channel: Channel, options: SubscribeOptions): void;
  unsubscribe(id: string): void;
  setUrgent(id: string, urgent: boolean): void;
  retryNow(): void;
  getServer(): Promise<ServerSettings>;
  setServer(settings: ServerUpdate): Promise<void>;
  listProjects(): Promise<string[]>;
  sendInput(agentId: string, input: AgentInput): Promise<InputOutcome>;
  getNotificationSettings(): Promise<NotificationSettings>;
  setNotificationSettings(settings: Partial<NotificationSettings>): Promise<NotificationSettings>;
  openExternal(url: string): void;
  openWindow(target: PaneTarget): void;
  setViewing(target: PaneTarget | null): void;
  copyText(text: string): void;
  onConnectionState(listener: (state: ConnectionState) => void): () => void;
  onDeliveries(listener: (batch: RelayDelivery[]) => void): () => void;
  onFocusTarget(listener: (target: FocusTarget) => void): () => void;
}
