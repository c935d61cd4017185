/**
 * The load generator of the output-pipeline scenario, in its own process
 * (pinned to the load core): a consumer of one agent channel that counts
 * output characters and reads latency markers. `ours` is the client core
 * (`ReconnectingConnection` over `ws`, deliveries in batches); `seed` is the
 * seed's client loop (raw `ws`, `JSON.parse` per frame).
 */
import WebSocket from 'ws';
import { type Delivery, ReconnectingConnection, nodeWebSocket } from '../../src/client/index';
import type { Channel } from '../../src/shared/protocol';
import { markersIn, readMarker } from '../lib/hop-marker';
import { serveParent, wallNow } from '../lib/processes';
import type { OutputVariant } from './output-hub-process';

type Mode = { kind: 'count'; chars: number } | { kind: 'latency' };

interface Received {
  chars: number;
  firstAt: number;
  lastAt: number;
  /** Marker written → lines handed to the consumer, ms. */
  latencies: number[];
  /** Frame off the socket → lines handed to the consumer (the client core's own share), ms. */
  clientShares: number[];
  cpuMs: number;
  connects: number;
  /** Frame bytes the hub skipped with gap notices (ours only: a consumer that fell behind). */
  skippedBytes: number;
  gaps: number;
}

/** Collects what one measurement receives and settles when it is complete. */
class Sink {
  chars = 0;
  firstAt = 0;
  lastAt = 0;
  readonly latencies: number[] = [];
  readonly clientShares: number[] = [];
  skippedBytes = 0;
  gaps = 0;
  readonly done: Promise<void>;
  private finish!: () => void;
  private readonly cpuAtStart = cpuMs();

  constructor(readonly mode: Mode) {
    this.done = new Promise((resolve) => (this.finish = resolve));
  }

  take(lines: readonly string[], now: number, arrivedAt: number | undefined): void {
    if (this.firstAt === 0) this.firstAt = now;
    this.lastAt = now;
    const latency = this.mode.kind === 'latency';
    for (const line of lines) {
      this.chars += line.length;
      if (!latency) continue;
      // A piece may be one line (the seed's lines) or an event's lines joined (the client core's text).
      for (const mark of line.length > 48 ? markersIn(line) : [readMarker(line)]) {
        if (mark === 'end') this.finish();
        else if (mark) {
          this.latencies.push(now - mark.at);
          if (arrivedAt !== undefined) this.clientShares.push(now - arrivedAt);
        }
      }
    }
    if (this.mode.kind === 'count' && this.chars >= this.mode.chars) this.finish();
  }

  /**
   * Output the hub skipped (a gap notice): in count mode it counts toward
   * the total, so a consumer that fell behind still completes; its frame
   * bytes include JSON overhead, so it may finish a little before the last
   * character (the figure then counts only what was delivered).
   */
  skip(bytes: number): void {
    this.skippedBytes += bytes;
    this.gaps++;
    if (this.mode.kind === 'count' && this.chars + this.skippedBytes >= this.mode.chars) this.finish();
  }

  result(connects: number): Received {
    return {
      chars: this.chars,
      firstAt: this.firstAt,
      lastAt: this.lastAt,
      latencies: this.latencies,
      clientShares: this.clientShares,
      cpuMs: cpuMs() - this.cpuAtStart,
      connects,
      skippedBytes: this.skippedBytes,
      gaps: this.gaps,
    };
  }
}

interface Session {
  connects(): number;
  close(): void;
}

let sink: Sink | null = null;
let session: Session | null = null;

const cpuMs = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

/** Our client core; frames are timestamped as they come off the socket, keyed by offset. */
function connectOurs(url: string, token: string, channel: Channel, urgent: boolean): Promise<Session> {
  const arrivals = new Map<number, number>();
  const connection = new ReconnectingConnection({
    urls: url,
    token,
    // The retry jitter at its mean (half of the first 1 s window), so a reconnect costs the same in every round.
    random: () => 0.5,
    // One delivery per event, so each event's arrival time can be matched by its offset.
    batch: { joinOutput: false },
    outputTail: false,
    createWebSocket: (address) => {
      const ws = new WebSocket(address);
      // Registered before the client core's onmessage, so it runs first.
      ws.on('message', (data: Buffer) => {
        if (sink?.mode.kind !== 'latency') return;
        const at = data.lastIndexOf('"offset":');
        if (at > 0) arrivals.set(Number.parseInt(data.toString('latin1', at + 9, at + 30), 10), wallNow());
      });
      return nodeWebSocket(ws);
    },
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('client core never got subscribed')), 10_000);
    connection.onDeliveries((batch: Delivery[]) => {
      const now = wallNow();
      for (const delivery of batch) {
        if (delivery.kind === 'subscribed') {
          clearTimeout(timer);
          resolve({ connects: () => connection.stats.connects, close: () => connection.close() });
        }
        if (delivery.kind === 'gap' && delivery.skipped && sink) sink.skip(delivery.skipped.bytes);
        if (delivery.kind !== 'output' || !sink) continue;
        let arrivedAt: number | undefined;
        if (delivery.offset !== undefined && arrivals.size > 0) {
          arrivedAt = arrivals.get(delivery.offset);
          arrivals.delete(delivery.offset);
        }
        sink.take([delivery.text], now, arrivedAt);
      }
    });
    connection.subscribe(channel, { urgent });
    connection.start();
  });
}

/** The seed's client: one socket, `JSON.parse` per frame, lines straight to the consumer. */
function connectSeed(url: string, token: string, channel: Channel): Promise<Session> {
  const ws = new WebSocket(`${url}?token=${encodeURIComponent(token)}`);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('seed client never got subscribed')), 10_000);
    ws.on('error', (error) => reject(error));
    ws.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as {
        type: string;
        event?: string;
        data?: { lines: string[] };
      };
      if (message.type === 'connected') ws.send(JSON.stringify({ type: 'subscribe', channel }));
      else if (message.type === 'subscribed') {
        clearTimeout(timer);
        resolve({ connects: () => 1, close: () => ws.terminate() });
      } else if (message.type === 'event' && message.event === 'output_batch' && sink) {
        const now = wallNow();
        sink.take(message.data!.lines, now, now);
      }
    });
  });
}

function closeSession(): void {
  session?.close();
  session = null;
  sink = null;
}

serveParent(
  {
    async connect({
      variant,
      url,
      token,
      channel,
      urgent,
    }: {
      variant: OutputVariant;
      url: string;
      token: string;
      channel: Channel;
      urgent: boolean;
    }) {
      closeSession();
      (globalThis as { gc?: () => void }).gc?.();
      session =
        variant === 'ours' ? await connectOurs(url, token, channel, urgent) : await connectSeed(url, token, channel);
    },

    /** Starts a measurement; call before the producer starts. */
    arm(mode: Mode) {
      sink = new Sink(mode);
    },

    /** Resolves when the armed measurement is complete (all characters, or the end marker). */
    async result({ timeoutMs }: { timeoutMs: number }) {
      const current = sink;
      if (!current) throw new Error('nothing armed');
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`incomplete after ${timeoutMs} ms: ${current.chars} characters`)),
          timeoutMs,
        );
      });
      try {
        await Promise.race([current.done, timedOut]);
      } finally {
        clearTimeout(timer);
      }
      return current.result(session?.connects() ?? 0);
    },

    disconnect: closeSession,
  },
  { pid: process.pid },
  closeSession,
);
