import { type Delivery, deliverySize } from './delivery';

export interface DeliveryBatcherOptions {
  /**
   * Flush at most this long after the first queued delivery (default 16 ms,
   * one frame). 0 hands each batch on as soon as the current task ends (a
   * microtask: one batch per socket message, no timer), for a consumer that
   * batches itself (the desktop relay).
   */
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
 * Turns a flood of deliveries into few hand-offs: everything queued within
 * `flushMs` goes out as one batch (in arrival order), consecutive output of
 * one channel joined. Urgent deliveries — the channel the user is looking
 * at — flush on the next turn of the event loop. A timer exists only while
 * something is queued.
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
  private urgentTimer: ReturnType<typeof setTimeout> | null = null;
  private microtaskQueued = false;

  constructor(
    private readonly options: DeliveryBatcherOptions,
    private readonly emit: (batch: Delivery[]) => void,
  ) {}

  push(delivery: Delivery, urgent: boolean): void {
    if (!this.join(delivery)) this.queue.push(delivery);
    this.bytes += deliverySize(delivery);
    if (this.bytes >= this.options.maxBytes) {
      this.flush();
      return;
    }
    if (this.options.flushMs === 0) {
      if (this.microtaskQueued) return;
      this.microtaskQueued = true;
      queueMicrotask(() => {
        this.microtaskQueued = false;
        this.flush();
      });
    } else if (urgent) {
      this.urgentTimer ??= setTimeout(() => this.flush(), 0);
    } else {
      this.timer ??= setTimeout(() => this.flush(), this.options.flushMs);
    }
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.urgentTimer) clearTimeout(this.urgentTimer);
    this.timer = null;
    this.urgentTimer = null;
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

  get pending(): number {
    return this.queue.length;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.urgentTimer) clearTimeout(this.urgentTimer);
    this.timer = null;
    this.urgentTimer = null;
    this.queue = [];
    this.joined = null;
  }
}
