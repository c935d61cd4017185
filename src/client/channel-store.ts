import {
  type ReadonlyBoard,
  applyBoardEvent,
  createBoardState,
  replaceSnapshot,
  selectSnapshot,
  touchAgent,
} from '../shared/board-state';
import type { Delivery } from '../shared/delivery';
import { type Channel, type Snapshot, parseChannel } from '../shared/protocol';
import { RecentText } from './recent-text';

export interface OutputTailLimits {
  /** Lines kept per agent channel (default 2000)… */
  lines: number;
  /** …and characters (default 1 MiB), whichever is reached first. */
  chars: number;
}

export const DEFAULT_OUTPUT_TAIL: OutputTailLimits = { lines: 2000, chars: 1024 * 1024 };

/**
 * What one connection has seen: the board (issues and agents, through the
 * one reducer) and, per subscribed agent channel, the tail of its output
 * (kept as it arrived, a batch's joined text at a time: `RecentText`).
 * The client core applies each batch here once, just before handing it to
 * its listeners, and records on each delivery what it changed; every
 * consumer in the process (the desktop relay and its late joiners,
 * notifications, the tray) reads this one store instead of keeping its own.
 */
export class ChannelStore {
  private readonly state = createBoardState();
  private readonly tails = new Map<Channel, RecentText>();

  constructor(private readonly tailLimits: OutputTailLimits | null) {}

  get board(): ReadonlyBoard {
    return this.state;
  }

  /**
   * Applies a batch in order, setting `change` on the event and output
   * deliveries that changed the board, and `removed` on a snapshot that
   * removed records its channel owns but no longer lists.
   */
  apply(batch: readonly Delivery[], now: number): void {
    for (const delivery of batch) {
      switch (delivery.kind) {
        case 'snapshot': {
          // A snapshot comes only on a fresh start (first subscribe, or the hub could not resume):
          // it is the whole truth about its channel, so what it lacks is gone.
          const removed = replaceSnapshot(this.state, delivery.channel, delivery.data);
          if (removed) delivery.removed = removed;
          break;
        }
        case 'tail':
          // The start of a fresh subscription: what was kept before no longer joins up with it.
          this.tails.delete(delivery.channel);
          if (delivery.text) this.tail(delivery.channel)?.append(delivery.text);
          break;
        case 'resync':
          // What was kept may now be missing output: start over from the hub's tail.
          this.tails.delete(delivery.channel);
          break;
        case 'event': {
          const change = applyBoardEvent(this.state, delivery.event, delivery.data, now, delivery.channel);
          if (change) delivery.change = change;
          break;
        }
        case 'output': {
          this.tail(delivery.channel)?.append(delivery.text);
          const change = touchAgent(this.state, delivery.channel, now);
          if (change) delivery.change = change;
          break;
        }
        default:
          break;
      }
    }
  }

  /** The board records a new subscriber of `channel` should see first. */
  snapshot(channel: Channel): Snapshot {
    return selectSnapshot(this.state, channel);
  }

  /** The last `lines` lines of output kept for an agent channel, joined ('' when none). */
  tailText(channel: Channel, lines: number): string {
    return this.tails.get(channel)?.last(lines) ?? '';
  }

  /** Drops the output kept for a channel nobody subscribes to any more (the board stays). */
  forget(channel: Channel): void {
    this.tails.delete(channel);
  }

  private tail(channel: Channel): RecentText | null {
    if (!this.tailLimits) return null;
    let tail = this.tails.get(channel);
    if (!tail) {
      // Output is an agent's: other channels keep none.
      if (parseChannel(channel)?.kind !== 'agent') return null;
      tail = new RecentText(this.tailLimits.lines, this.tailLimits.chars);
      this.tails.set(channel, tail);
    }
    return tail;
  }
}
