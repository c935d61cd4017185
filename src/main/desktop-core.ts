import { ReconnectingConnection, type WebSocketFactory } from '../client/index';
import { type ReadonlyBoard, createBoardState } from '../shared/board-state';
import type { HubInfo, PaneTarget, ServerSettings, ServerUpdate } from '../shared/bridge';
import {
  type AgentInput,
  INPUT_SENT_EVENT,
  InputClientCode,
  type InputOutcome,
  type InputSent,
} from '../shared/agent-input';
import type { ConnectionState } from '../shared/connection-state';
import type { Delivery } from '../shared/delivery';
import type { HelloResult, NotificationSettings } from '../shared/ipc';
import { channelOf } from '../shared/protocol';
import { tokenExpiresAt } from '../shared/token-expiry';
import { type EmbeddedHub, startEmbeddedHub } from './embedded-hub';
import { type DesktopNotification, NotificationPolicy } from '../shared/notification-policy';
import type { SettingsStore } from './settings-store';
import { type MenuItemModel, type TrayState, needsAttention, trayMenu, trayState } from './tray-model';
import { RELAYED_CONNECTION, WindowRelay } from './window-relay';
import {
  type NotificationAnswer,
  NotificationAnswerer,
  type NotificationOffer,
  type NotificationResponse,
  notificationOffer,
} from './notification-actions';

/** What the core needs from Electron; the adapter in ./electron implements it. */
export interface DesktopHost {
  createWebSocket: WebSocketFactory;
  /** Shows a notification with what it offers (buttons, an inline reply, where a click goes). */
  showNotification(notification: DesktopNotification, offer: NotificationOffer): void;
  updateTray(state: TrayState, menu: MenuItemModel[]): void;
  broadcastConnectionState(state: ConnectionState): void;
  /** A new server: every window reloads, so its subscriptions start over on the new connection. */
  reloadWindows(): void;
  /** Called before each connection is made to `url` (main resolves the system proxy for it). */
  prepareConnection?(url: string): Promise<void>;
}

export interface DesktopCoreOptions {
  now?: () => number;
  demoSpeed?: number;
  /** How often the list of projects is refreshed (default 30 s). */
  projectRefreshMs?: number;
  /** Electron's `net.fetch` in the app: Chromium's network stack, with the system's proxies and certificates. */
  fetch?: typeof fetch;
  /** The OS, for which notification actions exist (default `process.platform`). */
  platform?: string;
}

const BUILT_IN_LABEL = 'Demo hub (built-in)';
/** Until the first connection exists. */
const NO_BOARD: ReadonlyBoard = createBoardState();

/**
 * Everything the desktop app decides, without Electron: the one connection,
 * the relay to windows, notifications and the tray model. Main's Electron
 * glue only adapts windows, IPC, the tray and notifications to it.
 */
export class DesktopCore {
  connection!: ReconnectingConnection;
  relay!: WindowRelay;
  readonly policy: NotificationPolicy;
  readonly answerer: NotificationAnswerer;
  private embedded: EmbeddedHub | null = null;
  private hub: HubInfo = { label: BUILT_IN_LABEL, url: '', builtIn: true };
  private readonly viewing = new Map<number, { target: PaneTarget | null; focused: boolean }>();
  /** The hub's projects for this token, as last fetched: the one list windows read. */
  private projects: string[] = [];
  private projectsFetch: Promise<string[] | null> | null = null;
  private projectSubscriptions = new Map<string, () => void>();
  private projectTimer: ReturnType<typeof setInterval> | null = null;
  private wasOpen = false;
  private undoConnection: Array<() => void> = [];
  private serverChange: Promise<void> = Promise.resolve();
  private readonly now: () => number;
  private readonly doFetch: typeof fetch;

  constructor(
    private readonly settings: SettingsStore,
    private readonly host: DesktopHost,
    private readonly options: DesktopCoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.doFetch = options.fetch ?? fetch.bind(globalThis);
    this.policy = new NotificationPolicy({
      board: () => this.board,
      settings: () => this.getNotificationSettings(),
      viewing: () =>
        [...this.viewing.values()].flatMap((v) => (v.target ? [{ target: v.target, focused: v.focused }] : [])),
      show: (notification) => this.present(notification),
      now: this.now,
    });
    this.answerer = new NotificationAnswerer({
      sendInput: (agentId, input) => this.sendInput(agentId, input),
      // A confirmation only tells; it opens and focuses nothing (a click on it opens the pane).
      confirm: (notification) => host.showNotification(notification, { answer: null, click: notification.target }),
    });
  }

  /** A policy notification with what it offers, decided from the agent's record as it is now. */
  private present(notification: DesktopNotification): void {
    const { target } = notification;
    const agent = target?.kind === 'agent' ? this.board.agents.get(target.id) : undefined;
    const actOn = this.connection?.state.actOn ?? null;
    this.host.showNotification(
      notification,
      notificationOffer(notification, agent, actOn, this.options.platform ?? process.platform),
    );
  }

  /**
   * A button pressed or a reply typed on a notification: sends it and shows
   * the confirmation, without opening or focusing a window. Null when that
   * notification was answered already.
   */
  answerFromNotification(answer: NotificationAnswer, response: NotificationResponse): Promise<InputOutcome | null> {
    return this.answerer.respond(answer, response);
  }

  /** Connects to the configured server, or starts the built-in demo hub when none is set. */
  async start(): Promise<void> {
    const { serverUrl } = this.settings.get();
    let url = serverUrl;
    let token = this.settings.getToken();
    if (!serverUrl) {
      this.embedded ??= await startEmbeddedHub({ demoSpeed: this.options.demoSpeed });
      url = this.embedded.wsUrl;
      token = this.embedded.token;
      this.hub = { label: BUILT_IN_LABEL, url, builtIn: true };
    } else {
      this.hub = { label: hostOf(serverUrl), url: serverUrl, builtIn: false };
    }
    await this.host.prepareConnection?.(url);
    this.wasOpen = false;
    this.connection = new ReconnectingConnection({
      urls: url,
      token,
      createWebSocket: this.host.createWebSocket,
      // The relay batches, joins output into bytes and keeps the output tail: the core does neither.
      ...RELAYED_CONNECTION,
    });
    this.relay = new WindowRelay(this.connection);
    this.undoConnection = [
      this.connection.onDeliveries((batch) => this.onDeliveries(batch)),
      this.connection.onState((state) => {
        const wasOpen = this.wasOpen;
        this.wasOpen = state.status === 'open';
        this.host.broadcastConnectionState(state);
        this.refreshTray();
        // Back after an outage (perhaps a restarted hub): its project list may differ.
        if (state.status === 'open' && !wasOpen) void this.refreshProjects();
      }),
    ];
    this.connection.start();
    // Not awaited: an unreachable hub must not hold the first window back for the fetch's timeout.
    void this.refreshProjects();
    this.projectTimer = setInterval(() => void this.refreshProjects(), this.options.projectRefreshMs ?? 30_000);
    this.refreshTray();
  }

  hello(target: PaneTarget | null, focus: PaneTarget | null = null): HelloResult {
    return { connection: this.connection.state, hub: this.hub, target, focus };
  }

  hubInfo(): HubInfo {
    return this.hub;
  }

  /** The server settings for the Settings dialog; asks the OS about encryption first (once, lazily). */
  async getServer(): Promise<ServerSettings> {
    await this.settings.checkEncryption();
    return {
      url: this.settings.get().serverUrl,
      hasToken: this.settings.hasToken(),
      secureTokenStorage: this.settings.tokenSecurity().secure,
      // Main holds the token; the UI gets only when it expires, to warn in time.
      tokenExpiresAt: tokenExpiresAt(this.hub.builtIn ? this.embedded?.token : this.settings.getToken()),
    };
  }

  /** Switches server (or back to the built-in hub with an empty URL): a new connection, and windows reload. */
  async setServer(next: ServerUpdate): Promise<void> {
    // One change at a time: two overlapping changes would each start a connection, and one would leak.
    const run = this.serverChange.then(() => this.applyServer(next));
    this.serverChange = run.catch(() => undefined);
    return run;
  }

  private async applyServer(next: ServerUpdate): Promise<void> {
    // The URL first: a rejected URL must not leave a half-applied change behind.
    await this.settings.update({ serverUrl: next.url.trim() });
    if (next.token !== undefined)
      await this.settings.setToken(next.token, { allowPlaintext: next.allowPlaintextToken === true });
    await this.stopConnection();
    await this.start();
    this.host.reloadWindows();
  }

  /** Answers an agent over the one connection (a window's answer, or a notification's). */
  sendInput(agentId: string, input: AgentInput): Promise<InputOutcome> {
    if (!this.connection)
      return Promise.resolve({ ok: false, code: InputClientCode.NotConnected, message: 'not connected yet' });
    return this.connection.sendInput(agentId, input);
  }

  /** The project list windows get: the last one fetched (waiting for the first fetch, if it is under way). */
  async listProjects(): Promise<string[]> {
    if (this.projectsFetch) await this.projectsFetch;
    return this.projects;
  }

  /** The board every consumer in main reads: the connection's store. */
  get board(): ReadonlyBoard {
    return this.connection?.store.board ?? NO_BOARD;
  }

  /** The hub's list; null when it could not be asked (it may be restarting: keep the last list). */
  private async fetchProjects(): Promise<string[] | null> {
    const base = this.hub.url.replace(/^ws/, 'http').replace(/\/ws$/, '');
    const token = this.hub.builtIn ? this.embedded?.token : this.settings.getToken();
    try {
      const response = await this.doFetch(`${base}/api/projects`, {
        headers: token ? { Authorization: `Bearer ${token}` } : {},
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) return [];
      const body = (await response.json()) as { projects?: unknown };
      return Array.isArray(body.projects) ? body.projects.filter((id): id is string => typeof id === 'string') : [];
    } catch {
      return null;
    }
  }

  /** For the Settings dialog: `secureStorage` is accurate (the encryption check is done first, once). */
  async readNotificationSettings(): Promise<NotificationSettings> {
    await this.settings.checkEncryption();
    return this.getNotificationSettings();
  }

  getNotificationSettings(): NotificationSettings {
    const { notifications, trayEnabled } = this.settings.get();
    return { ...notifications, trayEnabled, secureStorage: this.settings.tokenSecurity().secure };
  }

  async setNotificationSettings(patch: Partial<NotificationSettings>): Promise<NotificationSettings> {
    const { secureStorage: _ignored, trayEnabled, ...rest } = patch;
    await this.settings.update({
      notifications: { ...this.settings.get().notifications, ...rest },
      ...(trayEnabled === undefined ? {} : { trayEnabled }),
    });
    this.refreshTray();
    return this.getNotificationSettings();
  }

  /** What a window shows (its focused pane's target) and whether it has focus: notifications skip it. */
  setViewing(windowId: number, target: PaneTarget | null): void {
    this.viewing.set(windowId, { focused: this.viewing.get(windowId)?.focused ?? false, target });
  }

  setFocused(windowId: number, focused: boolean): void {
    this.viewing.set(windowId, { target: this.viewing.get(windowId)?.target ?? null, focused });
  }

  forgetWindow(windowId: number): void {
    this.viewing.delete(windowId);
  }

  /** The OS resumed, the screen unlocked or the network changed. */
  wake(): void {
    this.connection.wake();
  }

  async dispose(): Promise<void> {
    this.policy.dispose();
    await this.stopConnection();
    await this.embedded?.close();
    this.embedded = null;
  }

  private async stopConnection(): Promise<void> {
    if (this.projectTimer) clearInterval(this.projectTimer);
    this.projectTimer = null;
    this.projects = [];
    this.projectsFetch = null;
    for (const undo of this.projectSubscriptions.values()) undo();
    this.projectSubscriptions.clear();
    for (const undo of this.undoConnection) undo();
    this.undoConnection = [];
    this.relay?.dispose();
    this.connection?.close();
  }

  /**
   * The one place the project list is polled: windows read it from here.
   * Main holds every project itself, so notifications and the tray work with no window open.
   */
  private async refreshProjects(): Promise<void> {
    const connection = this.connection;
    const fetching = this.fetchProjects();
    this.projectsFetch = fetching;
    const projects = await fetching;
    if (this.projectsFetch === fetching) this.projectsFetch = null;
    // The server changed (or the app is quitting) while this was under way: the list is the old hub's.
    if (this.connection !== connection || !this.projectTimer || projects === null) return;
    this.projects = projects;
    // A project the hub no longer lists is not held any more (the windows drop it from their lists too).
    for (const [id, undo] of this.projectSubscriptions) {
      if (!projects.includes(id)) {
        undo();
        this.projectSubscriptions.delete(id);
      }
    }
    for (const id of projects) {
      if (!this.projectSubscriptions.has(id)) {
        this.projectSubscriptions.set(id, this.relay.hold(channelOf.project(id), { snapshot: true }));
      }
    }
  }

  private onDeliveries(batch: Delivery[]): void {
    this.relay.route(batch);
    this.policy.ingest(batch);
    for (const delivery of batch) {
      if (delivery.kind !== 'event' || delivery.event !== INPUT_SENT_EVENT) continue;
      const data = delivery.data as Partial<Record<keyof InputSent, unknown>> | null;
      if (typeof data?.agentId === 'string' && typeof data.by === 'string')
        this.answerer.noteAnswered(
          data.agentId,
          typeof data.requestId === 'string' ? data.requestId : undefined,
          data.by,
        );
    }
    // The tray shows agents' statuses: only a snapshot or a status change redraws it.
    const statusMoved = batch.some(
      (delivery) =>
        (delivery.kind === 'snapshot' &&
          (delivery.data.agents.length > 0 || Boolean(delivery.removed?.agents.length))) ||
        (delivery.kind === 'event' &&
          delivery.change?.agent !== undefined &&
          delivery.change.agent.status !== delivery.change.before.agent?.status),
    );
    if (statusMoved) this.refreshTray();
  }

  private refreshTray(): void {
    if (!this.connection) return;
    const agents = [...this.board.agents.values()];
    const now = this.now();
    const { pausedUntil, enabled } = this.settings.get().notifications;
    const state = trayState(this.connection.state, agents, pausedUntil, now);
    const menu = trayMenu({
      state,
      agentsNeedingAttention: agents.filter(needsAttention),
      pausedUntil: enabled ? pausedUntil : null,
      now,
      trayEnabled: this.settings.get().trayEnabled,
    });
    this.host.updateTray(state, menu);
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
