/**
 * The subscriber of the redis-hop scenario, in its own process (pinned to the
 * load core): one raw WebSocket to a hub, subscribed to one channel, taking
 * publish → deliver latency from the send time each payload carries. A raw
 * socket (not the client core) so its 16 ms delivery batching stays out of a
 * sub-millisecond measurement; it is the same for both engines anyway.
 */
import WebSocket from 'ws';
import { serveParent, wallNow } from '../lib/processes';

let socket: WebSocket | null = null;
let latencies: number[] = [];
let received = 0;
let skipBelow = 0;
let onEvent: (() => void) | null = null;

function disconnect(): void {
  socket?.terminate();
  socket = null;
}

serveParent(
  {
    connect({ url, token, channel }: { url: string; token: string; channel: string }) {
      disconnect();
      const ws = new WebSocket(`${url}?token=${encodeURIComponent(token)}`);
      socket = ws;
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('never subscribed')), 10_000);
        ws.on('error', reject);
        ws.on('message', (data: Buffer) => {
          const at = wallNow();
          const message = JSON.parse(data.toString()) as { type: string; data?: { seq: number; sentAt: number } };
          if (message.type === 'event' && message.data) {
            received++;
            if (message.data.seq >= skipBelow) latencies.push(at - message.data.sentAt);
            onEvent?.();
          } else if (message.type === 'connected') {
            ws.send(JSON.stringify({ type: 'subscribe', channel }));
          } else if (message.type === 'subscribed') {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    },

    /** Starts counting; events numbered below `skip` (the warm-up) are not measured. */
    arm({ skip }: { skip: number }) {
      latencies = [];
      received = 0;
      skipBelow = skip;
    },

    /** Resolves once `expected` events have arrived, with the latencies measured. */
    result({ expected, timeoutMs }: { expected: number; timeoutMs: number }) {
      return new Promise((resolve, reject) => {
        const finish = (): void => {
          if (received < expected) return;
          clearTimeout(timer);
          onEvent = null;
          resolve({ received, latencies });
        };
        const timer = setTimeout(() => {
          onEvent = null;
          reject(new Error(`received ${received} of ${expected} events`));
        }, timeoutMs);
        onEvent = finish;
        finish();
      });
    },

    disconnect,
  },
  { pid: process.pid },
  disconnect,
);
