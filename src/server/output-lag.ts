import type { Logger } from 'pino';
import type { Channel } from '../shared/protocol';
import type { ChannelCursor } from './channel-cursor';
import type { ChannelEvent, Engine } from './engine';
import type { HubMetrics } from './metrics';
import { textFrame } from './prebuilt-frame';
import type { Subscriber } from './subscriber';

/**
 * The bytes of each live event a lagging subscriber was not sent, by offset,
 * so a skip can say exactly how much it skipped. Bounded: past `maxEvents`
 * the oldest half is marked skipped at once (announced at the next catch-up
 * like any other skip), so a reader that lags forever holds a fixed amount.
 */
export class SkipLedger {
  /** Offset of `bytes[0]`. */
  private first = 0;
  private bytes: number[] = [];
  /** Everything at or before this offset is skipped whatever history still holds. */
  forcedTo = 0;

  constructor(private readonly maxEvents: number) {}

  /** The newest offset recorded, 0 before any. */
  get last(): number {
    return this.bytes.length === 0 ? this.forcedTo : this.first + this.bytes.length - 1;
  }

  get size(): number {
    return this.bytes.length;
  }

  /** Records a live event that was not sent; offsets at or before `after` (already sent) are ignored. */
  record(offset: number, bytes: number, after: number): void {
    if (offset <= Math.max(after, this.last)) return;
    if (this.bytes.length === 0) this.first = offset;
    // Offsets are contiguous per epoch; one that jumps (it never should) starts over from it.
    else if (offset !== this.last + 1) {
      this.forcedTo = Math.max(this.forcedTo, this.last);
      this.bytes = [];
      this.first = offset;
    }
    this.bytes.push(bytes);
    if (this.bytes.length > this.maxEvents) {
      const drop = Math.floor(this.bytes.length / 2);
      this.forcedTo = this.first + drop - 1;
    }
  }

  /** Forgets offsets at or before `offset` (sent from history, or skipped); returns the bytes of those forgotten. */
  forget(offset: number): number {
    if (this.bytes.length === 0 || offset < this.first) return 0;
    const count = Math.min(offset - this.first + 1, this.bytes.length);
    let sum = 0;
    for (let i = 0; i < count; i++) sum += this.bytes[i];
    this.bytes = this.bytes.slice(count);
    this.first += count;
    return sum;
  }
}

/** One lag episode of one subscriber on one channel. */
interface Lag {
  ledger: SkipLedger;
  stall: ReturnType<typeof setTimeout> | null;
  ended: boolean;
}

export interface OutputLagHost {
  readonly engine: Engine;
  readonly metrics: HubMetrics;
  readonly logger: Logger;
  readonly maxBufferedBytes: number;
  readonly lagStallMs: number;
}

/** Events a lagging subscriber may be behind by before its oldest are skipped outright. */
const MAX_LEDGER_EVENTS = 8192;
/** Reads every kept event when looking for where history starts. */
const ALL_KEPT = Number.MAX_SAFE_INTEGER;

/** Whether the lag policy covers a channel: agent output only; board channels keep the 4008 cut. */
export function lagsOn(channel: Channel): boolean {
  return channel.startsWith('agent:');
}

/**
 * The slow-consumer policy for agent output (docs/hub.md, "Slow consumers").
 * When a live event of an `agent:` channel would take a subscriber's send
 * buffer past half of `maxBufferedBytes`, the hub stops queueing that
 * channel's live events for it and remembers its cursor. Each time the
 * buffer drains to a quarter it catches up from the engine's history, paced,
 * until it is live again; events history no longer holds are skipped with a
 * `gap` message naming their offsets and bytes. A subscriber whose buffer
 * does not drain within `lagStallMs` has stopped reading: it is closed with
 * 4008, as before. State lives only while a lag lasts, one per (subscriber,
 * channel), and is dropped on unsubscribe.
 */
export class OutputLag {
  private readonly lags = new WeakMap<ChannelCursor, Lag>();

  constructor(private readonly host: OutputLagHost) {}

  /**
   * Called for each live event before the cursor admits it: true when the
   * lag policy took it (the subscriber is lagging, or starts to now), so it
   * must not be sent live.
   */
  holds(subscriber: Subscriber, cursor: ChannelCursor, event: ChannelEvent, bytes: number): boolean {
    // Board channels never lag: one string check, no lookup, on their publish path.
    if (!lagsOn(event.channel)) return false;
    const lag = this.lags.get(cursor);
    if (lag) {
      lag.ledger.record(event.offset, bytes, cursor.live && cursor.epoch === event.epoch ? cursor.offset : 0);
      return true;
    }
    if (!cursor.live || !subscriber.open) return false;
    if (subscriber.bufferedBytes + bytes <= this.host.maxBufferedBytes / 2) return false;
    // A different epoch is the cursor's to follow (the client resyncs): never held.
    if (event.epoch !== cursor.epoch || event.offset <= cursor.offset) return false;
    this.begin(subscriber, cursor, event, bytes);
    return true;
  }

  /**
   * A subscription still starting (its replay going out) would hold more live
   * events than its bound: on an agent channel it lags instead of being
   * closed, and catches up once its setup is done. False on other channels
   * (the caller closes the subscriber, as before).
   */
  overflowed(subscriber: Subscriber, cursor: ChannelCursor, event: ChannelEvent, bytes: number): boolean {
    if (!lagsOn(event.channel) || !subscriber.open || this.lags.has(cursor)) return false;
    this.begin(subscriber, cursor, event, bytes);
    return true;
  }

  private begin(subscriber: Subscriber, cursor: ChannelCursor, event: ChannelEvent, bytes: number): void {
    const started: Lag = { ledger: new SkipLedger(MAX_LEDGER_EVENTS), stall: null, ended: false };
    started.ledger.record(event.offset, bytes, cursor.live ? cursor.offset : 0);
    this.lags.set(cursor, started);
    this.host.metrics.outputLags.inc();
    this.host.metrics.outputLagging.inc();
    this.catchUp(subscriber, event.channel, cursor, started).catch((error: unknown) => {
      this.host.logger.error({ err: error, channel: event.channel, clientId: subscriber.id }, 'catch-up failed');
      this.end(cursor, started);
      // The subscriber is behind and the engine cannot say what it missed: close it, it resumes on reconnect.
      subscriber.closeSlow();
    });
  }

  /** Drops a lag's state (the subscription ended). */
  release(cursor: ChannelCursor): void {
    const lag = this.lags.get(cursor);
    if (lag) this.end(cursor, lag);
  }

  private end(cursor: ChannelCursor, lag: Lag): void {
    if (lag.ended) return;
    lag.ended = true;
    if (lag.stall) clearTimeout(lag.stall);
    lag.stall = null;
    if (this.lags.get(cursor) === lag) this.lags.delete(cursor);
    this.host.metrics.outputLagging.dec();
  }

  /** Waits for the buffer to drain to a quarter; false (and the subscriber closed) if it stalls first. */
  private room(subscriber: Subscriber, lag: Lag): Promise<boolean> {
    if (subscriber.bufferedBytes <= this.host.maxBufferedBytes / 4) return Promise.resolve(true);
    return new Promise((resolve) => {
      lag.stall = setTimeout(() => {
        lag.stall = null;
        resolve(false);
        if (!lag.ended) subscriber.closeSlow();
      }, this.host.lagStallMs);
      void subscriber.room().then(() => {
        if (lag.stall) clearTimeout(lag.stall);
        lag.stall = null;
        resolve(true);
      });
    });
  }

  private async catchUp(subscriber: Subscriber, channel: Channel, cursor: ChannelCursor, lag: Lag): Promise<void> {
    const { engine, metrics } = this.host;
    const current = (): boolean => !lag.ended && subscriber.open && subscriber.cursors.get(channel) === cursor;
    // Begun during setup: the replay and the events held before the lag go out first.
    if (!cursor.live) await new Promise<void>((resolve) => (cursor.onLive = resolve));
    for (;;) {
      if (!(await this.room(subscriber, lag)) || !current()) return this.end(cursor, lag);
      // Caught up: every event seen live has been sent, and this tick nothing else can arrive.
      if (lag.ledger.last <= cursor.offset) {
        this.end(cursor, lag);
        metrics.outputCatchUps.inc();
        return;
      }
      const epoch = cursor.epoch;
      const recovery = await engine.recover(channel, { epoch, offset: cursor.offset });
      if (!current()) return this.end(cursor, lag);
      let events = recovery.events;
      // A new epoch: the engine lost history; its events follow and the client resyncs on the epoch change.
      if (recovery.epoch !== epoch) lag.ledger = new SkipLedger(MAX_LEDGER_EVENTS);
      const ledger = lag.ledger;
      if (recovery.recovered !== true && recovery.epoch === epoch) {
        // Trimmed past the cursor: send what history still holds, announce the rest.
        const kept = await engine.history(channel, ALL_KEPT);
        if (!current()) return this.end(cursor, lag);
        events = kept.epoch === epoch ? kept.events.filter((event) => event.offset > cursor.offset) : kept.events;
        const firstKept = events.length > 0 ? events[0].offset : kept.offset + 1;
        if (kept.epoch === epoch) this.skip(subscriber, channel, cursor, ledger, firstKept - 1);
      }
      if (ledger.forcedTo > cursor.offset && (events.length === 0 || events[0].epoch === cursor.epoch)) {
        this.skip(subscriber, channel, cursor, ledger, ledger.forcedTo);
      }
      for (const event of events) {
        if (!current()) return this.end(cursor, lag);
        if (!cursor.advance(event)) continue;
        ledger.forget(event.offset);
        subscriber.sendEvent(event, textFrame(event.frame));
        if (subscriber.bufferedBytes > this.host.maxBufferedBytes / 2) {
          if (!(await this.room(subscriber, lag)) || !current()) return this.end(cursor, lag);
        }
      }
      // History holds nothing more yet the hub saw newer events live (lost by the engine, or an epoch
      // change reset them): they will not come back, so they are announced as skipped, never dropped silently.
      if (events.length === 0 && ledger.last > cursor.offset)
        this.skip(subscriber, channel, cursor, ledger, ledger.last);
    }
  }

  /** Moves the cursor past `to`, sending a `gap` for the offsets skipped. */
  private skip(subscriber: Subscriber, channel: Channel, cursor: ChannelCursor, ledger: SkipLedger, to: number): void {
    const from = cursor.offset + 1;
    if (to < from) return;
    const skippedBytes = ledger.forget(to);
    if (ledger.forcedTo <= to) ledger.forcedTo = 0;
    cursor.position(cursor.epoch, to);
    const skippedEvents = to - from + 1;
    this.host.metrics.outputGaps.inc();
    this.host.metrics.outputSkippedBytes.inc(skippedBytes);
    subscriber.sendMessage({ type: 'gap', channel, epoch: cursor.epoch, from, to, skippedEvents, skippedBytes });
  }
}
