import WebSocket from 'ws';
import { ReconnectingConnection, nodeWebSocket } from '../../src/client/index';
import { RELAYED_CONNECTION, type RelayWindow, WindowRelay } from '../../src/main/window-relay';
import type { RelayDelivery } from '../../src/shared/relay-delivery';
import { serveParent } from '../lib/processes';

/**
 * The desktop app's main side without Electron, for the memory soak: the
 * client core's one connection and the window relay, relaying agent output
 * to one visible window whose panes follow AGENTS (the first one focused,
 * hence urgent). The window's `send` stands in for IPC: it counts lines and
 * drops the batch, as the renderer would take it over.
 */
const url = process.env.HUB_URL ?? '';
const token = process.env.HUB_TOKEN ?? '';
const agents = (process.env.AGENTS ?? '').split(',').filter(Boolean);
/** What the app's panes ask for when they subscribe. */
const TAIL_LINES = 1000;

const received = new Map<string, number>(agents.map((agent) => [`agent:${agent}`, 0]));
let subscribed = 0;
let wake: (() => void) | null = null;

const paneWindow: RelayWindow = {
  id: 1,
  isDestroyed: () => false,
  isVisible: () => true,
  send(batch: RelayDelivery[]) {
    for (const delivery of batch) {
      if (delivery.kind === 'subscribed') subscribed++;
      if (delivery.kind !== 'output') continue;
      received.set(delivery.channel, (received.get(delivery.channel) ?? 0) + countNewlines(delivery.data));
    }
    wake?.();
  },
};

const connection = new ReconnectingConnection({
  urls: url,
  token,
  createWebSocket: (address) => nodeWebSocket(new WebSocket(address)),
  // As the app's DesktopCore makes it.
  ...RELAYED_CONNECTION,
});
const relay = new WindowRelay(connection);
const undo = [connection.onDeliveries((batch) => relay.route(batch)), relay.addWindow(paneWindow)];
agents.forEach((agent, index) =>
  relay.subscribe(paneWindow.id, `pane-${index}`, `agent:${agent}`, { tail: TAIL_LINES, urgent: index === 0 }),
);
connection.start();

/** Resolves when `done()` holds, re-checking after every batch the window gets. */
async function until(done: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`timed out waiting for ${what()}`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.min(left, 1000));
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    wake = null;
  }
}

serveParent(
  {
    subscribed: () =>
      until(
        () => subscribed >= agents.length,
        20_000,
        () => `${agents.length} subscriptions (${subscribed} so far, ${connection.state.status})`,
      ),
    /** Resolves once the window got at least `lines` lines of every agent. */
    received: ({ lines, timeoutMs }: { lines: number; timeoutMs: number }) =>
      until(
        () => [...received.values()].every((count) => count >= lines),
        timeoutMs,
        () => `${lines} lines per agent (have ${Math.min(...received.values())}, ${connection.state.status})`,
      ),
  },
  { pid: process.pid },
  () => {
    for (const step of undo.reverse()) step();
    relay.dispose();
    connection.close();
  },
);

function countNewlines(data: Uint8Array): number {
  let count = 0;
  for (let at = data.indexOf(0x0a); at >= 0; at = data.indexOf(0x0a, at + 1)) count++;
  return count;
}
