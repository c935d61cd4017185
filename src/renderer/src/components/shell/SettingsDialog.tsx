import { type FormEvent, useEffect, useState } from 'react';
import { usePreferences, useServices } from '../../services';
import type { NotificationSettings } from '../../../../shared/ipc';
import { Dialog } from './Dialog';

const NOTIFY_STATUSES = [
  ['waiting_for_input', 'Agent waiting for input'],
  ['failed', 'Agent failed'],
  ['done', 'Issue done'],
  ['blocked', 'Issue blocked'],
] as const;

/** Server URL and token, notifications, theme and scrollback. */
export function SettingsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog title="Settings" open={open} onClose={onClose}>
      {/* Mounted only while open, so every opening starts from the stored settings. */}
      <SettingsForm />
    </Dialog>
  );
}

function SettingsForm() {
  const { bridge, preferences } = useServices();
  const theme = usePreferences((s) => s.theme);
  const scrollback = usePreferences((s) => s.scrollback);
  const tailLines = usePreferences((s) => s.tailLines);
  const [url, setUrl] = useState('');
  const [hasToken, setHasToken] = useState(false);
  const [secureStorage, setSecureStorage] = useState(true);
  const [allowPlaintext, setAllowPlaintext] = useState(false);
  const [error, setError] = useState('');
  const [token, setToken] = useState('');
  const [saved, setSaved] = useState('');

  useEffect(() => {
    let current = true;
    void bridge.getServer().then((server) => {
      if (!current) return;
      setUrl(server.url);
      setHasToken(server.hasToken);
      setSecureStorage(server.secureTokenStorage !== false);
    });
    return () => {
      current = false;
    };
  }, [bridge]);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    const before = (await bridge.getServer()).url;
    setError('');
    try {
      await bridge.setServer({ url, token: token ? token : undefined, allowPlaintextToken: allowPlaintext });
    } catch (failure) {
      setError(
        failure instanceof Error
          ? failure.message.replace(/^Error invoking remote method '[^']+': /, '')
          : String(failure),
      );
      return;
    }
    setToken('');
    setSaved('Saved.');
    // The web edition's connection belongs to one server: switching means reloading the page.
    if (bridge.kind === 'web' && url.trim() && url.trim() !== before) window.location.reload();
  };

  return (
    <form className="settings" onSubmit={(event) => void save(event)}>
      <fieldset>
        <legend>Server</legend>
        <label>
          Hub URL
          <input
            type="url"
            value={url}
            placeholder={bridge.kind === 'desktop' ? 'empty: built-in demo hub' : 'ws://host:3002/ws'}
            onChange={(event) => setUrl(event.target.value)}
          />
        </label>
        <label>
          Token {hasToken && <span className="muted">(one is stored; leave empty to keep it)</span>}
          <input type="password" autoComplete="off" value={token} onChange={(event) => setToken(event.target.value)} />
        </label>
        {!secureStorage && (
          <div className="warning" role="note">
            This system has no keyring, so the token cannot be stored encrypted (Electron safeStorage reports{' '}
            <code>basic_text</code>); it would only be obfuscated.
            <label className="inline">
              <input
                type="checkbox"
                checked={allowPlaintext}
                onChange={(event) => setAllowPlaintext(event.target.checked)}
              />
              Store the token anyway
            </label>
          </div>
        )}
        <button type="submit" className="primary">
          Save and reconnect
        </button>
        <span role="status">{saved}</span>
        {error && (
          <span role="alert" className="error">
            {error}
          </span>
        )}
      </fieldset>
      <fieldset>
        <legend>Appearance</legend>
        <label>
          Theme
          <select
            value={theme}
            onChange={(event) => preferences.getState().setTheme(event.target.value as 'dark' | 'light')}
          >
            <option value="dark">Dark</option>
            <option value="light">Light</option>
          </select>
        </label>
        <label>
          Scrollback lines per pane
          <input
            type="number"
            min={100}
            max={200000}
            // Any whole number: a coarser step would make the store's own values (10 000, or 150 typed
            // earlier) invalid, and an invalid field here blocks the whole form, the server part included.
            step={1}
            value={scrollback}
            onChange={(event) => preferences.getState().setScrollback(Number(event.target.value))}
          />
        </label>
        <label>
          Lines of history when a pane opens
          <input
            type="number"
            min={0}
            max={10000}
            step={1}
            value={tailLines}
            onChange={(event) => preferences.getState().setTailLines(Number(event.target.value))}
          />
        </label>
      </fieldset>
      <AgentStateFields />
      {bridge.getNotificationSettings && <NotificationFields />}
      {bridge.kind === 'web' && <BrowserNotificationFields />}
    </form>
  );
}

/**
 * Desktop notifications and the tray: kept by the main process (it notifies
 * with no window open), so read and written through the bridge.
 */
function NotificationFields() {
  const { bridge } = useServices();
  const [settings, setSettings] = useState<NotificationSettings | null>(null);
  useEffect(() => {
    let current = true;
    void bridge.getNotificationSettings?.().then((loaded) => {
      if (current) setSettings(loaded);
    });
    return () => {
      current = false;
    };
  }, [bridge]);
  if (!settings) return null;
  const change = (patch: Partial<NotificationSettings>) => {
    setSettings({ ...settings, ...patch });
    void bridge.setNotificationSettings?.(patch).then(setSettings);
  };
  const pausedUntil = settings.pausedUntil;
  return (
    <fieldset>
      <legend>Notifications and tray</legend>
      <label className="inline">
        <input
          type="checkbox"
          checked={settings.enabled}
          onChange={(event) => change({ enabled: event.target.checked })}
        />
        Notify on status changes
      </label>
      <StatusChoices statuses={settings.statuses} onChange={(statuses) => change({ statuses })} />
      {pausedUntil !== null && (
        <p className="muted">
          Paused until {new Date(pausedUntil).toLocaleTimeString()}{' '}
          <button type="button" onClick={() => change({ pausedUntil: null })}>
            Resume now
          </button>
        </p>
      )}
      <label className="inline">
        <input
          type="checkbox"
          checked={settings.trayEnabled}
          onChange={(event) => change({ trayEnabled: event.target.checked })}
        />
        Show the tray icon (keeps watching with no window open)
      </label>
    </fieldset>
  );
}

type PermissionState = NotificationPermission | 'unsupported';

/**
 * The web edition's browser notifications: opt-in, kept in this browser's
 * preferences. The browser is asked for permission only here, when the box
 * is ticked (a user gesture), never on load.
 */
function BrowserNotificationFields() {
  const { preferences } = useServices();
  const settings = usePreferences((s) => s.webNotifications);
  // Notifications need a secure context (https, or http on localhost); elsewhere the API is absent.
  const api = typeof Notification === 'undefined' ? undefined : Notification;
  const [permission, setPermission] = useState<PermissionState>(api?.permission ?? 'unsupported');
  const setEnabled = async (on: boolean) => {
    if (!on || !api) {
      preferences.getState().setWebNotifications({ enabled: false });
      return;
    }
    const granted = api.permission === 'default' ? await api.requestPermission() : api.permission;
    setPermission(granted);
    preferences.getState().setWebNotifications({ enabled: granted === 'granted' });
  };
  const on = settings.enabled && permission === 'granted';
  return (
    <fieldset data-testid="browser-notifications">
      <legend>Browser notifications</legend>
      <label className="inline">
        <input
          type="checkbox"
          checked={on}
          disabled={permission === 'unsupported' || permission === 'denied'}
          onChange={(event) => void setEnabled(event.target.checked)}
        />
        Notify in this browser while this tab is open
      </label>
      {permission === 'unsupported' && (
        <p className="muted" role="note">
          This page cannot notify: browsers allow notifications only on https or on localhost.
        </p>
      )}
      {permission === 'denied' && (
        <p className="muted" role="note">
          This browser blocks notifications for this page; allow them in its site settings, then reopen Settings.
        </p>
      )}
      <StatusChoices
        statuses={settings.statuses}
        onChange={(statuses) => preferences.getState().setWebNotifications({ statuses })}
      />
      <p className="muted">
        Not for the pane in focus while this tab has the focus. Changes within 2 s come together; three or more become
        one summary. Click one to open the agent’s pane.
      </p>
    </fieldset>
  );
}

/** Stuck detection (docs/renderer.md, "Honest state"). */
function AgentStateFields() {
  const { preferences } = useServices();
  const stuckAfterMinutes = usePreferences((s) => s.stuckAfterMinutes);
  return (
    <fieldset>
      <legend>Agents</legend>
      <label>
        Show a working agent as stuck after this many minutes without output (0: never)
        <input
          type="number"
          min={0}
          max={1440}
          step={1}
          value={stuckAfterMinutes}
          onChange={(event) => preferences.getState().setStuckAfterMinutes(Number(event.target.value))}
        />
      </label>
    </fieldset>
  );
}

/** One checkbox per status that can notify (desktop and browser notifications share the list). */
function StatusChoices({ statuses, onChange }: { statuses: readonly string[]; onChange(statuses: string[]): void }) {
  const toggle = (status: string, on: boolean) => {
    const next = new Set(statuses);
    if (on) next.add(status);
    else next.delete(status);
    onChange([...next]);
  };
  return NOTIFY_STATUSES.map(([status, label]) => (
    <label className="inline" key={status}>
      <input
        type="checkbox"
        checked={statuses.includes(status)}
        onChange={(event) => toggle(status, event.target.checked)}
      />
      {label}
    </label>
  ));
}
