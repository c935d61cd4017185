import { type Delivery, deliverySize } from './delivery';

export interface DeliveryBatcherOptions {
  /** Flush at most this long after the first queued delivery (default 16 ms, one frame). */
  flushMs: number;
  /** Flush at once when this many characters are queued (default 256 KiB). */
  maxBytes: number;
  /**
   * Join consecutive output of one channel into one delivery (default true):
   * a flood becomes one string per channel per flush, not one object per
   * event. Off where each event must stay visible (`falcon tail --json`).
   */
  joinOutput: boolean;
}

export const DEFAULT_DELIVERY_BATCH: DeliveryBatcherOptions = { flushMs: 16, maxBytes: 256 * 1024, joinOutput: true };

type OutputDelivery = Extract<Delivery, { kind: 'output' }>;

/**
 * How soon a delivery goes out: `frame` within `flushMs` (the flood case),
 * `tick` on the next turn of the event loop (already batched upstream: the
 * hub's `output_batch`), `now` once the current frame's handling is done (the
 * urgent channel the user is looking at). Whatever is queued goes along, in order.
 */
export type DeliveryPace = 'frame' | 'tick' | 'now';

/**
 * Turns a flood of deliveries into few hand-offs: everything queued within
 * `flushMs` goes out as one batch (in arrival order), consecutive output of
 * one channel joined. Deliveries that were batched already go out on the
 * next turn, urgent ones (the channel the user is looking at) as soon as the
 * frame that brought them is handled (see DeliveryPace). A timer exists only
 * while something is queued.
 */
export class DeliveryBatcher {
  private queue: Delivery[] = [];
  private bytes = 0;
  /**
   * The last queued delivery when this batcher made it by joining: only that
   * one may grow in place. A pushed delivery may be shared with other
   * batchers (the relay pushes one delivery to every window), so it is
   * never mutated.
   */
  private joined: OutputDelivery | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private tickTimer: ReturnType<typeof setTimeout> | null = null;
  /** A microtask is queued to flush (`now`); it cannot be cancelled, so a flush makes it a no-op. */
  private soon = false;

  constructor(
    private readonly options: DeliveryBatcherOptions,
    private readonly emit: (batch: Delivery[]) => void,
  ) {}

  push(delivery: Delivery, pace: DeliveryPace = 'frame'): void {
    if (!this.join(delivery)) this.queue.push(delivery);
    this.bytes += deliverySize(delivery);
    if (this.bytes >= this.options.maxBytes) {
      this.flush();
      return;
    }
    // flushMs 0 (the desktop relay's connection): each socket message's deliveries go out as one batch, on a microtask.
    if (pace === 'now' || this.options.flushMs === 0) {
      if (this.soon) return;
      this.soon = true;
      queueMicrotask(() => {
        if (this.soon) this.flush();
      });
    } else if (pace === 'tick') {
      this.tickTimer ??= setTimeout(() => this.flush(), 0);
    } else {
      this.timer ??= setTimeout(() => this.flush(), this.options.flushMs);
    }
  }

  flush(): void {
    this.clearTimers();
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.bytes = 0;
    this.joined = null;
    this.emit(batch);
  }

  /** Appends output to the queued output right before it, when both are one channel's run; true when it did. */
  private join(delivery: Delivery): boolean {
    if (delivery.kind !== 'output' || !this.options.joinOutput) return false;
    const last = this.queue[this.queue.length - 1];
    if (last?.kind !== 'output' || last.channel !== delivery.channel || last.epoch !== delivery.epoch) return false;
    let target = last;
    if (last !== this.joined) {
      target = { ...last };
      this.queue[this.queue.length - 1] = target;
      this.joined = target;
    }
    target.text += delivery.text;
    if (delivery.offset === undefined) delete target.offset;
    else target.offset = delivery.offset;
    // Output only ever moves its agent's activity: the newest record is the one that holds.
    if (delivery.change) target.change = delivery.change;
    return true;
  }

  private clearTimers(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.tickTimer) clearTimeout(this.tickTimer);
    this.timer = null;
    this.tickTimer = null;
    this.soon = false;
  }

  get pending(): number {
    return this.queue.length;
  }

  dispose(): void {
    this.clearTimers();
    this.queue = [];
    this.joined = null;
  }
}
