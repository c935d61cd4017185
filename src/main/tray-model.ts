/**
 * What the tray shows, as plain data: main turns `TrayState` into the icon and
 * tooltip and `MenuItemModel[]` into an Electron `Menu`, and runs each item's
 * `TrayAction`. No Electron here, so every state is tested under Node.
 */
import type { PaneTarget } from '../shared/bridge';
import { APP_NAME } from './app-identity';
import type { ConnectionState, ConnectionStatus } from '../shared/connection-state';
import type { AgentState } from '../shared/protocol';
import { needsAttention } from '../shared/board-state';

export type TrayIcon = 'connected' | 'reconnecting' | 'authFailed' | 'offline';

export interface TrayState {
  icon: TrayIcon;
  /** Agents waiting for input or failed. */
  attention: number;
  tooltip: string;
}

export type TrayAction =
  | { type: 'show' }
  | { type: 'open'; target: PaneTarget }
  /** Resolved when clicked (`pauseUntil`), not when the menu was built: a menu can stay open for hours. */
  | { type: 'pause'; for: 'hour' | 'morning' }
  | { type: 'resume' }
  | { type: 'quit' };

export interface MenuItemModel {
  id: string;
  label: string;
  enabled?: boolean;
  type?: 'separator' | 'normal' | 'checkbox';
  checked?: boolean;
  action?: TrayAction;
}

export interface TrayMenuInput {
  state: TrayState;
  agentsNeedingAttention: AgentState[];
  pausedUntil: number | null;
  now: number;
  /** Whether the tray is shown at all (the app then keeps running there when its windows close). */
  trayEnabled: boolean;
}

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;
/** More agents than this are one "and N more" item that opens the app. */
const MAX_ATTENTION_ITEMS = 10;

const ICONS: Record<ConnectionStatus, TrayIcon> = {
  open: 'connected',
  // Not connected yet, but on the way: the same icon as a retry.
  idle: 'reconnecting',
  connecting: 'reconnecting',
  reconnecting: 'reconnecting',
  authFailed: 'authFailed',
  offline: 'offline',
  closed: 'offline',
};

const CONNECTION_TEXT: Record<ConnectionStatus, string> = {
  open: 'connected',
  idle: 'connecting…',
  connecting: 'connecting…',
  reconnecting: 'reconnecting…',
  authFailed: 'token refused',
  offline: 'offline',
  closed: 'disconnected',
};

const STATUS_ITEM: Record<TrayIcon, string> = {
  connected: 'Connected',
  reconnecting: 'Connecting…',
  authFailed: 'Token refused: check the server settings',
  offline: 'Offline',
};

export { needsAttention };

/** Icon, attention count and tooltip ("Falcon Monitor — connected · 2 agents need attention · …"). */
export function trayState(
  connection: ConnectionState,
  agents: readonly AgentState[],
  pausedUntil: number | null,
  now: number,
): TrayState {
  const attention = agents.filter(needsAttention).length;
  const parts = [`${APP_NAME} — ${CONNECTION_TEXT[connection.status]}`];
  if (attention > 0) parts.push(attention === 1 ? '1 agent needs attention' : `${attention} agents need attention`);
  if (isPaused(pausedUntil, now)) parts.push(`notifications paused until ${formatUntil(pausedUntil, now)}`);
  return { icon: ICONS[connection.status], attention, tooltip: parts.join(' · ') };
}

/** The tray's context menu: status, agents needing attention, pause or resume, quit. */
export function trayMenu(input: TrayMenuInput): MenuItemModel[] {
  const { state, agentsNeedingAttention, pausedUntil, now, trayEnabled } = input;
  // No tray, no menu: callers can build and hand it over unconditionally.
  if (!trayEnabled) return [];
  const items: MenuItemModel[] = [
    { id: 'status', label: STATUS_ITEM[state.icon], enabled: false },
    { id: 'show', label: `Show ${APP_NAME}`, action: { type: 'show' } },
    { id: 'separator-attention', label: '', type: 'separator' },
  ];
  if (agentsNeedingAttention.length === 0) {
    items.push({ id: 'no-attention', label: 'No agent needs attention', enabled: false });
  } else {
    items.push({ id: 'attention-header', label: 'Needs attention', enabled: false });
    for (const agent of agentsNeedingAttention.slice(0, MAX_ATTENTION_ITEMS)) {
      items.push({
        id: `attention:${agent.agentId}`,
        label: attentionLabel(agent),
        action: { type: 'open', target: { kind: 'agent', id: agent.agentId } },
      });
    }
    const rest = agentsNeedingAttention.length - MAX_ATTENTION_ITEMS;
    if (rest > 0) items.push({ id: 'attention-more', label: `and ${rest} more…`, action: { type: 'show' } });
  }
  items.push({ id: 'separator-notifications', label: '', type: 'separator' });
  if (isPaused(pausedUntil, now)) {
    items.push({
      id: 'resume',
      label: `Resume notifications (paused until ${formatUntil(pausedUntil, now)})`,
      action: { type: 'resume' },
    });
  } else {
    const morning = nextMorning(now);
    items.push(
      { id: 'pause-hour', label: 'Pause notifications for 1 hour', action: { type: 'pause', for: 'hour' } },
      {
        id: 'pause-morning',
        label: `Pause until ${formatUntil(morning, now)}`,
        action: { type: 'pause', for: 'morning' },
      },
    );
  }
  items.push(
    { id: 'separator-quit', label: '', type: 'separator' },
    { id: 'quit', label: 'Quit', action: { type: 'quit' } },
  );
  return items;
}

/** When a pause chosen at `now` ends. */
export function pauseUntil(action: Extract<TrayAction, { type: 'pause' }>, now: number): number {
  return action.for === 'hour' ? now + HOUR : nextMorning(now);
}

/**
 * The next local `hour`:00 strictly after `now`: today's if it is still ahead,
 * else tomorrow's. Uses local calendar arithmetic (`setHours(24 + hour)`), so a
 * DST change in between still lands on `hour`:00, not an hour off.
 */
export function nextMorning(now: number, hour = 8): number {
  if (!Number.isInteger(hour) || hour < 0 || hour > 23) throw new RangeError('hour must be an integer from 0 to 23');
  const date = new Date(now);
  if (date.getHours() < hour) date.setHours(hour, 0, 0, 0);
  else date.setHours(24 + hour, 0, 0, 0);
  return date.getTime();
}

function isPaused(pausedUntil: number | null, now: number): pausedUntil is number {
  return pausedUntil !== null && pausedUntil > now;
}

function attentionLabel(agent: AgentState): string {
  const what = agent.status === 'failed' ? 'failed' : 'waiting for input';
  return `${agent.agentId} — ${what}${agent.issueId ? ` on #${agent.issueId}` : ''}`;
}

/** "14:00" today, "tomorrow 08:00", or "2025-01-17 08:00" further out (local time, no locale). */
function formatUntil(time: number, now: number): string {
  const date = new Date(time);
  const clock = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  const dayDiff = Math.round((startOfDay(time) - startOfDay(now)) / DAY);
  if (dayDiff === 0) return clock;
  if (dayDiff === 1) return `tomorrow ${clock}`;
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${clock}`;
}

function startOfDay(time: number): number {
  const date = new Date(time);
  date.setHours(0, 0, 0, 0);
  return date.getTime();
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
