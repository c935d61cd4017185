import type { BoardChange, BoardRemoval } from './board-state';
import type { ErrorCode } from './errors';
import type { Channel, HistoryEvent, Snapshot } from './protocol';

/**
 * What the client core hands its consumers, in one ordered stream per
 * channel, so a notice lands exactly where it happened between events.
 * Frames are parsed once, in the client core: consumers never decode or
 * validate an event again.
 */
export type Delivery =
  /**
   * A non-output event, as published. `change` is what it did to the client
   * core's board (the records it wrote, and what they were before), absent
   * when it changes nothing (an unknown event, an invalid payload).
   */
  | {
      kind: 'event';
      channel: Channel;
      event: string;
      data: unknown;
      offset?: number;
      epoch?: string;
      change?: BoardChange;
    }
  /**
   * Agent output (`output` and `output_batch` events), decoded to its text.
   * Consecutive output of one channel within a batch is joined into one
   * delivery; `offset` is the last event's. `change` carries the agent's new
   * `lastActivityAt` when it moved.
   */
  | { kind: 'output'; channel: Channel; text: string; offset?: number; epoch?: string; change?: BoardChange }
  /**
   * Validated records only: an invalid item was dropped and reported as an
   * `error` delivery. A snapshot is the channel's whole state: `removed` lists
   * the records the client core's board held for the channel and dropped
   * because the snapshot lacks them (see `replaceSnapshot`), absent when none.
   */
  | { kind: 'snapshot'; channel: Channel; data: Snapshot; removed?: BoardRemoval }
  /**
   * The channel's kept past events (oldest first), asked for with `history`: a
   * record of what happened, never applied to the board (the snapshot and
   * live events say what is true now).
   */
  | { kind: 'history'; channel: Channel; events: HistoryEvent[] }
  /** The recent output an agent channel starts with (the hub's tail, joined). */
  | { kind: 'tail'; channel: Channel; text: string }
  /**
   * The hub confirmed the subscription; live events follow. `resumed` is true
   * when it continued from where an earlier connection left off (nothing was
   * missed), false for a fresh start (after its snapshot and tail, if any).
   */
  | { kind: 'subscribed'; channel: Channel; resumed: boolean }
  /**
   * The hub could not replay what was missed (history lost or trimmed): reload
   * this channel's state. `newEpoch` is true when the channel's history started
   * over (a hub without a persistent engine restarted), false when it was only
   * trimmed or too old.
   */
  | { kind: 'resync'; channel: Channel; newEpoch: boolean }
  /**
   * Something is missing here. Without `skipped`: a hub without offsets
   * reconnected, and nothing can prove otherwise. With `skipped`: the hub
   * skipped output this client fell too far behind on (a `gap` message):
   * offsets `from`..`to`, `events` events of `bytes` bytes, never delivered.
   */
  | { kind: 'gap'; channel: Channel; skipped?: SkippedOutput }
  | { kind: 'error'; channel?: Channel; code?: ErrorCode; message: string };

/** What a hub's `gap` message says it skipped. */
export interface SkippedOutput {
  from: number;
  to: number;
  events: number;
  bytes: number;
}

export interface SubscribeOptions {
  /** Ask for the channel's board snapshot when there is nothing to resume. */
  snapshot?: boolean;
  /** Ask for the last N output lines (agent channels) when there is nothing to resume. */
  tail?: number;
  /**
   * Ask for the channel's last N kept events (a `history` delivery, before `subscribed`) when there
   * is nothing to resume; at most MAX_HISTORY_EVENTS (1000).
   */
  history?: number;
  /** Deliver this channel's events within a frame instead of the normal batch cadence. */
  urgent?: boolean;
}
