import { type Delivery, deliverySize } from './delivery';

export interface DeliveryBatcherOptions {
  /** Flush at most this long after the first queued delivery (default 16 ms, one frame). */
  flushMs: number;
  /** Flush at once when this many characters are queued (default 256 KiB). */
  maxBytes: number;
}

export const DEFAULT_DELIVERY_BATCH: DeliveryBatcherOptions = { flushMs: 16, maxBytes: 256 * 1024 };

/**
 * Turns a flood of deliveries into few hand-offs: everything queued within
 * `flushMs` goes out as one batch (in arrival order). Urgent deliveries — the
 * channel the user is looking at — flush on the next turn of the event loop.
 * A timer exists only while something is queued.
 */
export class DeliveryBatcher {
  private queue: Delivery[] = [];
  private bytes = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private urgentTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly options: DeliveryBatcherOptions,
    private readonly emit: (batch: Delivery[]) => void,
  ) {}

  push(delivery: Delivery, urgent: boolean): void {
    this.queue.push(delivery);
    this.bytes += deliverySize(delivery);
    if (this.bytes >= this.options.maxBytes) {
      this.flush();
      return;
    }
    if (urgent) {
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
    this.emit(batch);
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
  }
}
