import WebSocket from 'ws';
import { serveParent } from '../lib/processes';

/**
 * The clients of the hub memory soak, in a process of their own: N raw
 * WebSocket clients that connect, subscribe as the app's panes do (a project
 * with its snapshot, an agent with its tail) and later all leave.
 */
const url = process.env.HUB_URL ?? '';
const token = process.env.HUB_TOKEN ?? '';
/** Handshakes at a time: a burst of 1 000 SYNs overflows the listen backlog. */
const LANES = 50;

let sockets: WebSocket[] = [];

function open(index: number, agents: number): Promise<WebSocket> {
  const ws = new WebSocket(`${url}?token=${encodeURIComponent(token)}`, { perMessageDeflate: false });
  const channels = ['project:bench', `agent:bench-${index % agents}`];
  return new Promise((resolve, reject) => {
    let pending = channels.length;
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { type: string };
      if (message.type === 'connected') {
        ws.send(JSON.stringify({ type: 'subscribe', channel: channels[0], snapshot: true }));
        ws.send(JSON.stringify({ type: 'subscribe', channel: channels[1], tail: 1000 }));
      } else if (message.type === 'subscribed' && --pending === 0) resolve(ws);
      else if (message.type === 'error') reject(new Error(`hub error: ${data.toString().slice(0, 200)}`));
    });
    ws.on('error', reject);
    ws.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    ws.once('close', (code) => reject(new Error(`closed (${code}) before subscribing`)));
  });
}

serveParent(
  {
    /** Opens `count` clients and resolves once every one is subscribed to both its channels. */
    async connect({ count, agents }: { count: number; agents: number }) {
      const started = performance.now();
      sockets = [];
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < count) sockets.push(await open(next++, agents));
      };
      await Promise.all(Array.from({ length: LANES }, lane));
      return { connected: sockets.length, ms: performance.now() - started };
    },
    /** Every client closes (a normal 1000 close) and the call resolves once all are closed. */
    async leave() {
      const closing = sockets.map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            ws.once('close', () => resolve());
            ws.close(1000, 'bench done');
          }),
      );
      await Promise.all(closing);
      sockets = [];
    },
  },
  {},
  () => {
    for (const ws of sockets) ws.terminate();
  },
);
