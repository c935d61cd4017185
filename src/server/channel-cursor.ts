import type { ChannelEvent } from './engine';

/**
 * Where one subscriber stands in one channel. While the subscription is being
 * set up (history read, replay sent), live events are held here; afterwards
 * each event is let through once, in offset order.
 */
export class ChannelCursor {
  /** Live events held while the subscription starts; null once live. */
  private held: ChannelEvent[] | null = [];
  private heldBytes = 0;
  epoch = '';
  offset = 0;
  /** Called once when setup ends (`goLive`): a lag that began during setup starts its catch-up then (output-lag.ts). */
  onLive: (() => void) | null = null;

  constructor(private readonly maxHeldBytes: number) {}

  get live(): boolean {
    return this.held === null;
  }

  /** Starts counting from a position: events at or before it are not sent again. */
  position(epoch: string, offset: number): void {
    this.epoch = epoch;
    this.offset = offset;
  }

  /**
   * Decides what happens to a live event: `send` it now, it was `held` for
   * later, it is a `duplicate` already sent, or holding it would `overflow`.
   */
  admit(event: ChannelEvent): 'send' | 'held' | 'duplicate' | 'overflow' {
    if (this.held !== null) {
      this.heldBytes += event.frame.length;
      if (this.heldBytes > this.maxHeldBytes) return 'overflow';
      this.held.push(event);
      return 'held';
    }
    return this.advance(event) ? 'send' : 'duplicate';
  }

  /** Marks a replayed or held event as sent; false if it was already sent. */
  advance(event: ChannelEvent): boolean {
    if (event.epoch === this.epoch && event.offset <= this.offset) return false;
    // A different epoch means the engine lost history: follow the new one; the
    // client sees the epoch change and resyncs.
    this.epoch = event.epoch;
    this.offset = event.offset;
    return true;
  }

  /** Takes the events held so far; more may be held until `goLive`. */
  takeHeld(): ChannelEvent[] {
    const held = this.held ?? [];
    if (this.held !== null) {
      this.held = [];
      this.heldBytes = 0;
    }
    return held;
  }

  /** Ends setup. Call only right after `takeHeld` returned nothing, in the same tick. */
  goLive(): void {
    this.held = null;
    this.heldBytes = 0;
    const onLive = this.onLive;
    this.onLive = null;
    onLive?.();
  }
}
