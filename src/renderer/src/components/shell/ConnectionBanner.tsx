import { useEffect, useState } from 'react';
import { CloseCode } from '../../../../shared/errors';
import { clockTime } from '../../lib/agent-state';
import { useBoard, useConnection, useServices } from '../../services';
import { useNow } from '../board/use-now';
import './stale.css';

/** How long before the token expires the banner starts warning. */
export const TOKEN_WARNING_MS = 10 * 60_000;

/**
 * Always-visible connection status: connected / reconnecting in N s with
 * "Retry now" / auth failed with a way to fix it / offline, and since when
 * what the page shows is out of date (the page's root then carries
 * `data-stale`, which dims cards, rows and pane headers). Below it, when
 * needed: the notice that the board was reloaded from a restarted hub, and a
 * warning before the token expires.
 */
export function ConnectionBanner({ onOpenSettings }: { onOpenSettings: () => void }) {
  const { bridge } = useServices();
  const state = useConnection((s) => s.state);
  const staleSince = useConnection((s) => s.staleSince);
  useEffect(() => {
    const root = document.documentElement;
    if (staleSince === null) delete root.dataset.stale;
    else root.dataset.stale = 'true';
    return () => void delete root.dataset.stale;
  }, [staleSince]);
  const asOf = staleSince !== null ? ` Showing what was known at ${clockTime(staleSince)}.` : '';
  const [now, setNow] = useState(() => Date.now());
  const counting = state.status === 'reconnecting' || state.status === 'authFailed';
  useEffect(() => {
    if (!counting) return;
    const timer = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(timer);
  }, [counting]);
  // Whether a token was given at all: without one, the hub's refusal is not about a bad token.
  const [hasToken, setHasToken] = useState(true);
  // A refused upgrade carries no close code (4003 at best): the token's own exp tells an expired one.
  const [expiredToken, setExpiredToken] = useState(false);
  useEffect(() => {
    if (state.status !== 'authFailed') return;
    let current = true;
    void bridge.getServer().then(
      (server) => {
        if (!current) return;
        setHasToken(server.hasToken);
        setExpiredToken(server.tokenExpiresAt != null && server.tokenExpiresAt <= Date.now());
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
      text = `Connecting to ${hub.label}…${asOf}`;
      break;
    case 'reconnecting':
      tone = 'warn';
      text = `Connection lost${staleSince !== null ? ` at ${clockTime(staleSince)}` : ''}${state.lastClose?.reason ? ` (${state.lastClose.reason})` : ''}. Reconnecting in ${seconds} s.${asOf}`;
      action = { label: 'Retry now', run: () => bridge.retryNow() };
      break;
    case 'authFailed':
      tone = 'error';
      if (!hasToken) {
        text = `${hub.label} needs a token: sign in to see its issues and agents.`;
        action = { label: 'Sign in', run: onOpenSettings };
      } else {
        text =
          state.lastClose?.code === CloseCode.TokenExpired || expiredToken
            ? `The token expired. Sign in with a new one.${asOf}`
            : `The hub refused the token. Sign in again or check Settings.${asOf}`;
        action = { label: 'Fix sign-in', run: onOpenSettings };
      }
      break;
    case 'offline':
      tone = 'warn';
      text = `Offline: waiting for the network to come back.${asOf}`;
      action = { label: 'Retry now', run: () => bridge.retryNow() };
      break;
    case 'closed':
      tone = 'error';
      text = 'Disconnected';
      break;
  }
  return (
    <>
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
      <ReloadNotice />
      <TokenExpiryWarning open={state.status === 'open'} onSignIn={onOpenSettings} />
    </>
  );
}

/** "The hub restarted; the board was reloaded from it", until dismissed: a board must not reset without a word. */
function ReloadNotice() {
  const { board } = useServices();
  const reload = useBoard((s) => s.reload);
  if (!reload) return null;
  return (
    <div className="reload-notice" role="status" data-testid="reload-notice">
      <span>
        {reload.restarted
          ? 'The hub restarted; the board was reloaded from it'
          : 'The hub could not replay what was missed; the board was reloaded from it'}{' '}
        (at {clockTime(reload.at)}).
      </span>
      <button type="button" onClick={() => board.getState().dismissReload()}>
        Dismiss
      </button>
    </div>
  );
}

/** Warns before the token expires (its JWT `exp`, from the bridge), so a sign-in does not come as a surprise. */
function TokenExpiryWarning({ open, onSignIn }: { open: boolean; onSignIn: () => void }) {
  const { bridge } = useServices();
  const [expiresAt, setExpiresAt] = useState<number | null>(null);
  const now = useNow(10_000);
  // Asked again whenever the connection (re)opens: a new token may have been given.
  useEffect(() => {
    if (!open) return;
    let current = true;
    void bridge.getServer().then(
      (server) => {
        if (current) setExpiresAt(server.tokenExpiresAt ?? null);
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [bridge, open]);
  if (!open || expiresAt === null || expiresAt - now > TOKEN_WARNING_MS) return null;
  const minutes = Math.ceil((expiresAt - now) / 60_000);
  return (
    <div className="token-expiry-warning" role="status" data-testid="token-expiry-warning">
      <span>
        {minutes > 0
          ? `Your token expires in ${minutes} min (at ${clockTime(expiresAt)}) — sign in again.`
          : 'Your token has expired — sign in again.'}
      </span>
      <button type="button" onClick={onSignIn}>
        Sign in again
      </button>
    </div>
  );
}
