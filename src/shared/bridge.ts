/**
 * The one interface the UI talks to, whatever carries the data: the desktop
 * app's IPC bridge (`window.falcon`, from the preload) or the web edition's
 * direct connection (the client core in the page). UI code never knows which.
 */
import type { AgentInput, InputOutcome } from './agent-input';
import type { ConnectionState } from './connection-state';
import type { SubscribeOptions } from './delivery';
import type { NotificationSettings } from './ipc';
import type { Channel } from './protocol';
import type { BridgeDelivery } from './relay-delivery';

export interface BridgeSubscription {
  unsubscribe(): void;
  /** Marks the subscription as what the user is looking at: its events arrive within a frame. */
  setUrgent(urgent: boolean): void;
}

export interface HubInfo {
  /** Shown in the UI: "Demo hub (built-in)", or the server's host. */
  label: string;
  url: string;
  builtIn: boolean;
}

export interface ServerSettings {
  /** WebSocket URL of the hub, e.g. wss://falcon.example/ws; empty for the built-in demo hub (desktop). */
  url: string;
  /** Whether a token is stored (the token itself never goes back to the UI). */
  hasToken: boolean;
  /**
   * Desktop: false when the OS offers no real encryption for secrets (Linux
   * without a keyring: safeStorage's `basic_text`): the UI warns and asks
   * before storing a token.
   */
  secureTokenStorage?: boolean;
  /**
   * When the stored token expires (ms since epoch, from its JWT `exp` claim),
   * so the UI can warn before it does; null or absent when unknown or never.
   */
  tokenExpiresAt?: number | null;
}

export interface ServerUpdate {
  url: string;
  /** A new token; undefined keeps the stored one, null removes it. */
  token?: string | null;
  /** The user agreed to store the token without OS encryption (see `secureTokenStorage`). */
  allowPlaintextToken?: boolean;
}

/** What can be opened in a window or pane. */
export type PaneTarget = { kind: 'agent'; id: string } | { kind: 'issue'; id: string };

/**
 * A target the host asks the UI to show, and how: `reply` puts the keyboard
 * in the agent pane's reply box (a notification of an agent waiting for input
 * was clicked, on a platform without inline replies).
 */
export type FocusTarget = PaneTarget & { reply?: boolean };

export interface FalconBridge {
  readonly kind: 'desktop' | 'web';
  connectionState(): ConnectionState;
  onConnectionState(listener: (state: ConnectionState) => void): () => void;
  /**
   * Every delivery of every subscribed channel, in order, in batches. Output
   * is text from the web edition's connection and UTF-8 bytes from the
   * desktop relay (`BridgeDelivery`): the output router decodes it.
   */
  onDeliveries(listener: (batch: BridgeDelivery[]) => void): () => void;
  subscribe(channel: Channel, options?: SubscribeOptions): BridgeSubscription;
  /** Project ids the hub knows of that the token may read. */
  listProjects(): Promise<string[]>;
  /**
   * Answers an agent (approve, deny, choose, reply, interrupt) over the one
   * connection. Resolves with the hub's ack or why not; never rejects, never
   * queues (`not_connected` when down).
   */
  sendInput(agentId: string, input: AgentInput): Promise<InputOutcome>;
  /** Reconnect now ("retry now" in the banner). */
  retryNow(): void;
  hubInfo(): HubInfo;
  getServer(): Promise<ServerSettings>;
  /** Switches server and/or token; `token: undefined` keeps the stored one. */
  setServer(settings: ServerUpdate): Promise<void>;
  /** Opens an http(s) link outside the app, after the bridge's own URL check. */
  openExternal(url: string): void;
  /** Opens a pane or issue in its own window (desktop); absent in the web edition. */
  openWindow?(target: PaneTarget): void;
  /** The pane or issue this window was opened for (a detached desktop window), else null/absent. */
  readonly target?: PaneTarget | null;
  /** Tells the host what the user is looking at, so it does not notify about it (desktop). */
  setViewing?(target: PaneTarget | null): void;
  /** Desktop notifications and the tray, kept by the main process (desktop only). */
  getNotificationSettings?(): Promise<NotificationSettings>;
  setNotificationSettings?(patch: Partial<NotificationSettings>): Promise<NotificationSettings>;
  /** Puts text on the system clipboard (desktop: through main; web: the Clipboard API). */
  writeClipboard(text: string): Promise<void>;
  /** The host asks to show a target (a notification or tray item was clicked) (desktop). */
  onFocusTarget?(listener: (target: FocusTarget) => void): () => void;
}
