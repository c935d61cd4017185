import WebSocket from 'ws';
import { secretKey, signToken } from '../../src/server/index';
import { serveParent } from '../lib/processes';
import { CHANNEL } from './payload';

/**
 * The load generator of the fan-out scenario, on its own core: N WebSocket
 * clients that subscribe to one channel and count events without parsing
 * them, so the generator costs as little as possible per delivery. Every
 * server variant gets the same client code; Socket.IO is spoken directly at
 * the engine.io level (open `0`, connect `40`, ping `2`/`3`, events `42[…]`)
 * rather than through socket.io-client, which would JSON-parse every event
 * and make the generator, not the server, the bottleneck.
 */
type Protocol = 'falcon' | 'socketio';

const key = secretKey(process.env.SECRET ?? '');
let sockets: WebSocket[] = [];
let counts = new Uint32Array(0);
let total = 0;
let closedEarly = 0;

/** True for a falcon/seed `{"type":"event"…` frame (`{"type":"error"` shares the `e`). */
const isFalconEvent = (data: Buffer): boolean => data[9] === 0x65 && data[10] === 0x76;
/** True for a Socket.IO event other than our `subscribed` ack: `42["issue_updated",…`. */
const isSocketIoEvent = (data: Buffer): boolean => data[0] === 0x34 && data[1] === 0x32 && data[4] !== 0x73;

function open(url: string, protocol: Protocol, index: number, token: string): Promise<WebSocket> {
  const ws = new WebSocket(`${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`, {
    perMessageDeflate: false,
    skipUTF8Validation: true,
  });
  return new Promise((resolve, reject) => {
    let subscribed = false;
    ws.on('message', (data: Buffer) => {
      if (subscribed) {
        if (protocol === 'falcon' ? isFalconEvent(data) : isSocketIoEvent(data)) {
          counts[index]++;
          total++;
        } else if (protocol === 'socketio' && data.length === 1 && data[0] === 0x32) ws.send('3');
        return;
      }
      const text = data.toString();
      if (protocol === 'falcon') {
        const message = JSON.parse(text) as { type: string };
        if (message.type === 'connected') ws.send(JSON.stringify({ type: 'subscribe', channel: CHANNEL }));
        else if (message.type === 'subscribed') {
          subscribed = true;
          resolve(ws);
        }
      } else if (text.startsWith('0{')) ws.send('40');
      else if (text.startsWith('40')) ws.send(`42${JSON.stringify(['subscribe', CHANNEL])}`);
      else if (text.startsWith('42["subscribed"')) {
        subscribed = true;
        resolve(ws);
      } else if (text === '2') ws.send('3');
    });
    ws.once('error', reject);
    ws.once('unexpected-response', (_request, response) => reject(new Error(`HTTP ${response.statusCode}`)));
    ws.once('close', () => {
      if (subscribed) closedEarly++;
      reject(new Error('closed before subscribing'));
    });
  });
}

let progressTimer: ReturnType<typeof setInterval> | null = null;
let lastReported = -1;

const link = serveParent(
  {
    /** Opens `count` clients, at most 50 handshakes at a time (a burst of 1 000 SYNs overflows the backlog). */
    async connect({ url, protocol, count }: { url: string; protocol: Protocol; count: number }) {
      const started = performance.now();
      const tokens = await Promise.all(
        Array.from({ length: count }, (_, i) => signToken({ user: `bench-${i}`, channels: ['project:*'] }, key)),
      );
      counts = new Uint32Array(count);
      total = 0;
      closedEarly = 0;
      sockets = new Array<WebSocket>(count);
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < count) {
          const index = next++;
          sockets[index] = await open(url, protocol, index, tokens[index]);
        }
      };
      await Promise.all(Array.from({ length: 50 }, lane));
      return { connected: count, ms: performance.now() - started };
    },
    /** Zeroes the counters and reports the slowest client's count every 5 ms until `stopProgress`. */
    track() {
      counts.fill(0);
      total = 0;
      lastReported = -1;
      progressTimer ??= setInterval(() => {
        let slowest = Infinity;
        for (let i = 0; i < counts.length; i++) if (counts[i] < slowest) slowest = counts[i];
        if (slowest !== lastReported) link.emit('progress', (lastReported = slowest));
      }, 5);
    },
    /** Resolves when every client has at least `perClient` events since `track`. */
    async waitFor({ perClient, timeoutMs }: { perClient: number; timeoutMs: number }) {
      const deadline = performance.now() + timeoutMs;
      for (;;) {
        let slowest = Infinity;
        for (let i = 0; i < counts.length; i++) if (counts[i] < slowest) slowest = counts[i];
        if (slowest >= perClient) return { total, closedEarly };
        if (closedEarly > 0) throw new Error(`${closedEarly} clients were closed by the server`);
        if (performance.now() > deadline) throw new Error(`timed out: slowest client has ${slowest}/${perClient}`);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    },
    stopProgress() {
      if (progressTimer) clearInterval(progressTimer);
      progressTimer = null;
      return { total, closedEarly };
    },
    async disconnect() {
      const closing = sockets.filter(Boolean).map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            ws.once('close', () => resolve());
            ws.terminate();
          }),
      );
      await Promise.all(closing);
      sockets = [];
      counts = new Uint32Array(0);
    },
  },
  {},
);
