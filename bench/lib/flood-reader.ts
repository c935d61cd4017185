import WebSocket from 'ws';

/** A `gap` message as the reader saw it. */
export interface SeenGap {
  from: number;
  to: number;
  skippedEvents: number;
  skippedBytes: number;
}

/** What one reader of one channel got: every event offset in order, its frame bytes, and the gaps. */
export interface FloodTally {
  /** Offsets of the events received, in arrival order. */
  offsets: number[];
  /** UTF-8 bytes of the event frames received. */
  eventBytes: number;
  gaps: SeenGap[];
  closeCode: number | null;
}

/** Something that can stop and restart taking bytes: a `ws` WebSocket, a readable stream. */
export interface Pausable {
  pause(): unknown;
  resume(): unknown;
}

/**
 * Holds a reader to `bytesPerSecond`: call `took(bytes)` for what it read;
 * while it is ahead of its rate its source is paused, so the sender's
 * buffers fill as behind a busy renderer. `stop()` pauses it for good.
 */
export class Throttle {
  private readonly startedAt = performance.now();
  private readBytes = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(
    private readonly source: Pausable,
    private readonly bytesPerSecond: number,
  ) {}

  took(bytes: number): void {
    this.readBytes += bytes;
    if (this.stopped || this.timer) return;
    const aheadMs = (this.readBytes / this.bytesPerSecond) * 1000 - (performance.now() - this.startedAt);
    if (aheadMs < 2) return;
    this.source.pause();
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.stopped) this.source.resume();
    }, aheadMs);
  }

  stop(): void {
    this.stopped = true;
    this.dispose();
    this.source.pause();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

/**
 * A raw WebSocket reader of one channel that reads no faster than
 * `bytesPerSecond` (its socket paused whenever it is ahead of that rate, as
 * a busy renderer falls behind), or not at all once `stop()` is called. It
 * records what the hub sent — events and `gap` notices — so a test or bench
 * can check that delivered plus skipped accounts for everything published.
 */
export class FloodReader {
  readonly tally: FloodTally = { offsets: [], eventBytes: 0, gaps: [], closeCode: null };
  readonly closed: Promise<number>;
  private readonly ws: WebSocket;
  private throttle: Throttle | null = null;
  private stopped = false;
  private waiters: Array<() => void> = [];

  private constructor(
    url: string,
    readonly channel: string,
    bytesPerSecond: number,
  ) {
    this.rate = bytesPerSecond;
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws.on('error', () => {});
    this.ws.on('message', (data: Buffer) => this.onMessage(data));
    this.closed = new Promise((resolve) =>
      this.ws.on('close', (code) => {
        this.tally.closeCode = code;
        this.throttle?.dispose();
        this.wake();
        resolve(code);
      }),
    );
  }

  /** Connects and subscribes; resolves once `subscribed` arrived. */
  static async open(
    url: string,
    channel: string,
    bytesPerSecond: number,
    subscribe: Record<string, unknown> = {},
  ): Promise<FloodReader> {
    const reader = new FloodReader(url, channel, bytesPerSecond);
    await new Promise<void>((resolve, reject) => {
      reader.ws.once('open', () => resolve());
      reader.ws.once('error', reject);
    });
    reader.subscribed = new Promise((resolve) => (reader.onSubscribed = resolve));
    reader.ws.send(JSON.stringify({ ...subscribe, type: 'subscribe', channel }));
    await reader.subscribed;
    reader.throttle = new Throttle(reader.ws, reader.rate);
    return reader;
  }

  private readonly rate: number;
  private subscribed: Promise<void> = Promise.resolve();
  private onSubscribed: () => void = () => {};

  /** The newest offset accounted for: received, or skipped by a gap. */
  get reached(): number {
    const last = this.tally.offsets.at(-1) ?? 0;
    const gap = this.tally.gaps.at(-1)?.to ?? 0;
    return Math.max(last, gap);
  }

  /** Resolves once `offset` is accounted for (received or skipped), or the socket closed. */
  async reach(offset: number): Promise<void> {
    while (this.reached < offset && this.tally.closeCode === null) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /** Stops reading altogether (the socket stays open, unread). */
  stop(): void {
    this.stopped = true;
    if (this.throttle) this.throttle.stop();
    else this.ws.pause();
  }

  send(message: unknown): void {
    this.ws.send(JSON.stringify(message));
  }

  close(): void {
    if (this.stopped) this.ws.terminate();
    else this.ws.close();
  }

  private onMessage(data: Buffer): void {
    const text = data.toString('utf8');
    const message = JSON.parse(text) as Record<string, unknown>;
    if (message.type === 'subscribed' && message.channel === this.channel) this.onSubscribed();
    if (message.type === 'event' && message.channel === this.channel) {
      this.tally.offsets.push(message.offset as number);
      this.tally.eventBytes += data.length;
    } else if (message.type === 'gap' && message.channel === this.channel) {
      const { from, to, skippedEvents, skippedBytes } = message as unknown as SeenGap;
      this.tally.gaps.push({ from, to, skippedEvents, skippedBytes });
    }
    this.throttle?.took(data.length);
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/**
 * Checks a reader's tally against what was published (offsets `first`..`last`,
 * `publishedBytes` of event frames): every offset exactly once, received or
 * inside a gap, in order; and delivered + skipped bytes = published bytes.
 * Returns the problems found (none when whole).
 */
export function accountFor(tally: FloodTally, last: number, publishedBytes: number, first = 1): string[] {
  const problems: string[] = [];
  const gaps = [...tally.gaps];
  let expected = first;
  let received = 0;
  let gapIndex = 0;
  const covered = (): void => {
    while (gapIndex < gaps.length && gaps[gapIndex].from === expected) {
      const gap = gaps[gapIndex++];
      if (gap.skippedEvents !== gap.to - gap.from + 1) problems.push(`gap ${gap.from}-${gap.to} miscounts its events`);
      expected = gap.to + 1;
    }
  };
  for (const offset of tally.offsets) {
    covered();
    if (offset !== expected) {
      problems.push(`event ${offset} arrived where ${expected} was due`);
      expected = offset;
    }
    expected++;
    received++;
  }
  covered();
  if (gapIndex < gaps.length) problems.push(`${gaps.length - gapIndex} gap(s) out of place`);
  if (expected !== last + 1) problems.push(`accounted up to ${expected - 1} of ${last}`);
  const skippedBytes = tally.gaps.reduce((sum, gap) => sum + gap.skippedBytes, 0);
  if (tally.eventBytes + skippedBytes !== publishedBytes)
    problems.push(`delivered ${tally.eventBytes} + skipped ${skippedBytes} bytes ≠ published ${publishedBytes}`);
  if (received + tally.gaps.reduce((sum, gap) => sum + gap.skippedEvents, 0) !== last - first + 1)
    problems.push('delivered + skipped events ≠ published');
  return problems;
}
