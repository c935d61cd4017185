import type { AgentInput, InputOutcome } from '../../../shared/agent-input';
import { ReconnectingConnection, type WebSocketLike } from '../../../client/index';
import type { BridgeSubscription, FalconBridge, HubInfo, ServerSettings } from '../../../shared/bridge';
import type { Channel } from '../../../shared/protocol';
import type { SubscribeOptions } from '../../../shared/delivery';
import { tokenExpiresAt } from '../../../shared/token-expiry';
import { type PageVisibility, VisibleUrgency, documentVisibility } from './visible-urgency';

const TOKEN_KEY = 'falcon.token';
const SERVER_KEY = 'falcon.server';

export interface DirectBridgeOptions {
  /** Where the page came from: the hub that served the web edition. */
  location: Pick<Location, 'protocol' | 'host' | 'hash'>;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  createWebSocket?: (url: string) => WebSocketLike;
  fetch?: typeof fetch;
  /** Whether the page is seen (default: the document's visibility): the focused pane is urgent only then. */
  page?: PageVisibility;
}

/** Without a document (tests in Node) the page counts as always visible. */
const ALWAYS_VISIBLE: PageVisibility = { visible: () => true, onChange: () => () => {} };

/**
 * The web edition's bridge: the client core runs in the page over the
 * browser's WebSocket, against the hub that served the page (or a server set
 * in Settings). The token comes from the sign-in field or the URL fragment
 * (`#token=…`, never a query string, which would land in server logs) and is
 * kept in this browser's localStorage.
 */
export class DirectBridge implements FalconBridge {
  readonly kind = 'web' as const;
  readonly connection: ReconnectingConnection;
  private serverUrl: string;
  private readonly doFetch: typeof fetch;
  private readonly urgency: VisibleUrgency;

  constructor(private readonly options: DirectBridgeOptions) {
    const { location, storage } = options;
    this.doFetch = options.fetch ?? fetch.bind(globalThis);
    this.urgency = new VisibleUrgency(
      options.page ?? (typeof document === 'undefined' ? ALWAYS_VISIBLE : documentVisibility(document)),
    );
    DirectBridge.storeFragmentToken(location.hash, storage);
    const sameOrigin = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
    this.serverUrl = storage.getItem(SERVER_KEY) || sameOrigin;
    this.connection = new ReconnectingConnection({
      urls: this.serverUrl,
      token: storage.getItem(TOKEN_KEY),
      createWebSocket: options.createWebSocket ?? ((url) => new WebSocket(url) as unknown as WebSocketLike),
      // A page has no late joiners to serve (a pane reopened subscribes afresh and gets the hub's tail),
      // and its panes keep their own scrollback: no second copy of the output here.
      outputTail: false,
      probeAuth: async (_url, token) => {
        try {
          const response = await this.api('/api/whoami', token);
          return response.status === 401 ? 'unauthorized' : 'ok';
        } catch {
          return 'unknown';
        }
      },
    });
    this.connection.start();
  }

  /** True when a token was passed in the URL fragment (the page then removes it from the address bar). */
  static hasFragmentToken(hash: string): boolean {
    return new URLSearchParams(hash.replace(/^#/, '')).has('token');
  }

  /** Keeps a token passed in the URL fragment (`#token=…`) as this browser's token; true when there was one. */
  static storeFragmentToken(hash: string, storage: Pick<Storage, 'setItem'>): boolean {
    const token = new URLSearchParams(hash.replace(/^#/, '')).get('token');
    if (!token) return false;
    storage.setItem(TOKEN_KEY, token);
    return true;
  }

  connectionState() {
    return this.connection.state;
  }

  onConnectionState(listener: Parameters<FalconBridge['onConnectionState']>[0]) {
    return this.connection.onState(listener);
  }

  onDeliveries(listener: Parameters<FalconBridge['onDeliveries']>[0]) {
    return this.connection.onDeliveries(listener);
  }

  subscribe(channel: Channel, options?: SubscribeOptions): BridgeSubscription {
    const wantsUrgent = options?.urgent === true;
    const handle = this.connection.subscribe(channel, { ...options, urgent: this.urgency.initial(wantsUrgent) });
    return this.urgency.track({ unsubscribe: handle, setUrgent: handle.setUrgent }, wantsUrgent);
  }

  retryNow(): void {
    const status = this.connection.state.status;
    if (status === 'authFailed') this.connection.setToken(this.options.storage.getItem(TOKEN_KEY));
    else this.connection.wake();
  }

  hubInfo(): HubInfo {
    let label = this.serverUrl;
    try {
      label = new URL(this.serverUrl).host;
    } catch {
      // Keep the raw text: it is only a label.
    }
    return { label, url: this.serverUrl, builtIn: false };
  }

  async getServer(): Promise<ServerSettings> {
    const token = this.options.storage.getItem(TOKEN_KEY);
    return { url: this.serverUrl, hasToken: Boolean(token), tokenExpiresAt: tokenExpiresAt(token) };
  }

  async setServer(settings: { url: string; token?: string | null }): Promise<void> {
    const { storage } = this.options;
    if (settings.token !== undefined) {
      if (settings.token) storage.setItem(TOKEN_KEY, settings.token);
      else storage.removeItem(TOKEN_KEY);
    }
    const url = settings.url.trim();
    if (url && url !== this.serverUrl) {
      // A new server means a new page load: every subscription and position belongs to the old one.
      storage.setItem(SERVER_KEY, url);
      this.serverUrl = url;
    }
    this.connection.setToken(storage.getItem(TOKEN_KEY));
    if (this.connection.state.status !== 'open') this.connection.wake();
  }

  sendInput(agentId: string, input: AgentInput): Promise<InputOutcome> {
    return this.connection.sendInput(agentId, input);
  }

  async listProjects(): Promise<string[]> {
    const response = await this.api('/api/projects', this.options.storage.getItem(TOKEN_KEY));
    if (!response.ok) return [];
    const body = (await response.json()) as { projects?: unknown };
    return Array.isArray(body.projects) ? body.projects.filter((id): id is string => typeof id === 'string') : [];
  }

  openExternal(url: string): void {
    const parsed = safeHttpUrl(url);
    if (parsed) window.open(parsed, '_blank', 'noopener,noreferrer');
  }

  async writeClipboard(text: string): Promise<void> {
    if (!navigator.clipboard) throw new Error('the clipboard is not available here');
    await navigator.clipboard.writeText(text);
  }

  private api(path: string, token: string | null): Promise<Response> {
    const base = this.serverUrl.replace(/^ws/, 'http').replace(/\/ws$/, '');
    return this.doFetch(`${base}${path}`, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  }
}

/** An http(s) URL, re-serialized by a real URL parser; anything else is null. */
export function safeHttpUrl(text: string): string | null {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}
