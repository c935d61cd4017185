import type { Channel } from '../../shared/protocol';
import { FEED_HEADER } from './scripts';

/** One channel's consecutive events in a fan-out message. */
export interface FeedGroup {
  channel: Channel;
  epoch: string;
  /** Offset of `frames[0]`; the others follow one by one. */
  firstOffset: number;
  frames: string[];
}

export interface FeedMessage {
  /** When the events were published (ms since epoch, Redis-side call time). */
  time: number;
  groups: FeedGroup[];
}

/**
 * Parses one message of the `events` channel (format in PUBLISH_BATCH_SCRIPT):
 * one split, no JSON parse — frames go to the hub's fan-out as they are.
 * Returns a reason instead when the message is not in this release's format
 * (a hub of another release on the same Redis, or a foreign publisher).
 */
export function parseFeedMessage(message: string): FeedMessage | { dropped: string } {
  const lines = message.split('\n');
  if (lines[0] !== FEED_HEADER) return { dropped: 'unknown_format' };
  const time = Number(lines[1]);
  if (!Number.isFinite(time)) return { dropped: 'malformed' };
  const groups: FeedGroup[] = [];
  let at = 2;
  while (at < lines.length) {
    const channel = lines[at] as Channel;
    const epoch = lines[at + 1];
    const firstOffset = Number(lines[at + 2]);
    const count = Number(lines[at + 3]);
    at += 4;
    if (
      !channel ||
      !epoch ||
      !Number.isSafeInteger(firstOffset) ||
      firstOffset < 1 ||
      !Number.isSafeInteger(count) ||
      count < 1 ||
      at + count > lines.length
    )
      return { dropped: 'malformed' };
    groups.push({ channel, epoch, firstOffset, frames: lines.slice(at, at + count) });
    at += count;
  }
  if (groups.length === 0) return { dropped: 'malformed' };
  return { time, groups };
}
