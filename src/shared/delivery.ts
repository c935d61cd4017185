import type { ErrorCode } from './errors';
import type { Channel, Snapshot } from './protocol';

/**
 * What the client core hands its consumers, in one ordered stream per
 * channel, so a notice lands exactly where it happened between events.
 */
export type Delivery =
  | { kind: 'event'; channel: Channel; event: string; data: unknown; offset?: number; epoch?: string }
  | { kind: 'snapshot'; channel: Channel; data: Snapshot }
  | { kind: 'tail'; channel: Channel; lines: string[] }
  /**
   * The hub confirmed the subscription; live events follow. `resumed` is true
   * when it continued from where an earlier connection left off (nothing was
   * missed), false for a fresh start (after its snapshot and tail, if any).
   */
  | { kind: 'subscribed'; channel: Channel; resumed: boolean }
  /** The hub could not replay what was missed (history lost or trimmed): reload this channel's state. */
  | { kind: 'resync'; channel: Channel }
  /** A hub without offsets: after this reconnect something may be missing, and nothing can prove otherwise. */
  | { kind: 'gap'; channel: Channel }
  | { kind: 'error'; channel?: Channel; code?: ErrorCode; message: string };

export interface SubscribeOptions {
  /** Ask for the channel's board snapshot when there is nothing to resume. */
  snapshot?: boolean;
  /** Ask for the last N output lines (agent channels) when there is nothing to resume. */
  tail?: number;
  /** Deliver this channel's events within a frame instead of the normal batch cadence. */
  urgent?: boolean;
}
