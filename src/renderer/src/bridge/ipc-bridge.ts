import type { AgentInput, InputOutcome } from '../../../shared/agent-input';
import type {
  BridgeSubscription,
  FalconBridge,
  FocusTarget,
  HubInfo,
  PaneTarget,
  ServerUpdate,
} from '../../../shared/bridge';
import type { ConnectionState } from '../../../shared/connection-state';
import type { SubscribeOptions } from '../../../shared/delivery';
import type { FalconPreloadApi, NotificationSettings } from '../../../shared/ipc';
import type { Channel } from '../../../shared/protocol';

let nextId = 0;

/**
 * The desktop bridge: the main process holds the one connection; this window
 * subscribes through `window.falcon` and receives batches over IPC.
 */
export class IpcBridge implements FalconBridge {
  readonly kind = 'desktop' as const;
  private state: ConnectionState;
  private readonly hub: HubInfo;
  /** The pane or issue this window was opened for (a detached window), or null for the main window. */
  readonly target: PaneTarget | null;
  /** Focus requests that arrived before anyone listened (the hello's, or one right after it). */
  private pendingFocus: FocusTarget[] = [];
  private focusListeners = new Set<(target: FocusTarget) => void>();

  private constructor(
    private readonly api: FalconPreloadApi,
    hello: Awaited<ReturnType<FalconPreloadApi['hello']>>,
  ) {
    this.state = hello.connection;
    this.hub = hello.hub;
    this.target = hello.target;
    if (hello.focus) this.pendingFocus.push(hello.focus);
    api.onConnectionState((state) => {
      this.state = state;
    });
    // Listened to from the start, so a focus request sent before the UI mounts is kept, not lost.
    api.onFocusTarget((target) => {
      if (this.focusListeners.size === 0) this.pendingFocus.push(target);
      for (const listener of this.focusListeners) listener(target);
    });
  }

  static async connect(api: FalconPreloadApi): Promise<IpcBridge> {
    return new IpcBridge(api, await api.hello());
  }

  connectionState(): ConnectionState {
    return this.state;
  }

  onConnectionState(listener: (state: ConnectionState) => void): () => void {
    return this.api.onConnectionState(listener);
  }

  onDeliveries(listener: Parameters<FalconBridge['onDeliveries']>[0]): () => void {
    return this.api.onDeliveries(listener);
  }

  subscribe(channel: Channel, options: SubscribeOptions = {}): BridgeSubscription {
    const id = `s${++nextId}`;
    this.api.subscribe(id, channel, options);
    let active = true;
    return {
      unsubscribe: () => {
        if (!active) return;
        active = false;
        this.api.unsubscribe(id);
      },
      setUrgent: (urgent) => {
        if (active) this.api.setUrgent(id, urgent);
      },
    };
  }

  retryNow(): void {
    this.api.retryNow();
  }

  hubInfo(): HubInfo {
    return this.hub;
  }

  getServer() {
    return this.api.getServer();
  }

  setServer(settings: ServerUpdate) {
    return this.api.setServer(settings);
  }

  listProjects() {
    return this.api.listProjects();
  }

  async sendInput(agentId: string, input: AgentInput): Promise<InputOutcome> {
    try {
      return await this.api.sendInput(agentId, input);
    } catch (error) {
      // Main refused the arguments (it checks them as the hub would): say so, never drop it.
      return { ok: false, code: 'invalid_input', message: error instanceof Error ? error.message : String(error) };
    }
  }

  openExternal(url: string): void {
    this.api.openExternal(url);
  }

  openWindow(target: PaneTarget): void {
    this.api.openWindow(target);
  }

  getNotificationSettings(): Promise<NotificationSettings> {
    return this.api.getNotificationSettings();
  }

  setNotificationSettings(patch: Partial<NotificationSettings>): Promise<NotificationSettings> {
    return this.api.setNotificationSettings(patch);
  }

  setViewing(target: PaneTarget | null): void {
    this.api.setViewing(target);
  }

  onFocusTarget(listener: (target: FocusTarget) => void): () => void {
    this.focusListeners.add(listener);
    const pending = this.pendingFocus.splice(0);
    // After the caller's effect returns, as a live event would arrive.
    if (pending.length > 0) queueMicrotask(() => pending.forEach((target) => listener(target)));
    return () => void this.focusListeners.delete(listener);
  }

  writeClipboard(text: string): Promise<void> {
    this.api.copyText(text);
    return Promise.resolve();
  }
}
