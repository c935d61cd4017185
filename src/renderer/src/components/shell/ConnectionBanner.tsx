import { useEffect, useState } from 'react';
import { useConnection, useServices } from '../../services';

/**
 * Always-visible connection status: connected / reconnecting in N s with
 * "Retry now" / auth failed with a way to fix it / offline.
 */
export function ConnectionBanner({ onOpenSettings }: { onOpenSettings: () => void }) {
  const { bridge } = useServices();
  const state = useConnection((s) => s.state);
  const [now, setNow] = useState(() => Date.now());
  const counting = state.status === 'reconnecting' || state.status === 'authFailed';
  useEffect(() => {
    if (!counting) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [counting]);
  // Whether a token was given at all: without one, the hub's refusal is not about a bad token.
  const [hasToken, setHasToken] = useState(true);
  useEffect(() => {
    if (state.status !== 'authFailed') return;
    let current = true;
    void bridge.getServer().then(
      (server) => {
        if (current) setHasToken(server.hasToken);
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [bridge, state.status]);
  const hub = bridge.hubInfo();
  const seconds = state.retryAt ? Math.max(0, Math.ceil((state.retryAt - now) / 1000)) : 0;

  let tone: 'ok' | 'warn' | 'error' = 'ok';
  let text: string;
  let action: { label: string; run: () => void } | null = null;
  switch (state.status) {
    case 'open':
      text = state.resumable
        ? `Connected to ${hub.label}`
        : `Connected to ${hub.label} (no resume: output may have gaps)`;
      break;
    case 'idle':
    case 'connecting':
      tone = 'warn';
      text = `Connecting to ${hub.label}…`;
      break;
    case 'reconnecting':
      tone = 'warn';
      text = `Connection lost${state.lastClose?.reason ? ` (${state.lastClose.reason})` : ''}. Reconnecting in ${seconds} s`;
      action = { label: 'Retry now', run: () => bridge.retryNow() };
      break;
    case 'authFailed':
      tone = 'error';
      if (!hasToken) {
        text = `${hub.label} needs a token: sign in to see its issues and agents.`;
        action = { label: 'Sign in', run: onOpenSettings };
      } else {
        text =
          state.lastClose?.code === 4001
            ? 'The token expired. Sign in with a new one.'
            : 'The hub refused the token. Sign in again or check Settings.';
        action = { label: 'Fix sign-in', run: onOpenSettings };
      }
      break;
    case 'offline':
      tone = 'warn';
      text = 'Offline: waiting for the network to come back';
      action = { label: 'Retry now', run: () => bridge.retryNow() };
      break;
    case 'closed':
      tone = 'error';
      text = 'Disconnected';
      break;
  }
  return (
    <div
      className={`connection-banner tone-${tone}`}
      role="status"
      aria-live="polite"
      data-testid="connection-banner"
      data-status={state.status}
    >
      <span className="connection-dot" aria-hidden="true" />
      <span>{text}</span>
      {hub.builtIn && <span className="hub-chip">Demo hub (built-in)</span>}
      {action && (
        <button type="button" onClick={action.run}>
          {action.label}
        </button>
      )}
    </div>
  );
}
