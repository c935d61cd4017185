import type { Channel, ServerMessage, StreamPosition } from '../shared/protocol';
import type { Principal } from './auth';
import type { ChannelCursor } from './channel-cursor';
import type { ChannelEvent } from './engine';

export interface SubscribeRequest {
  channel: Channel;
  /** Resume after this position. */
  since?: StreamPosition;
  /** Send the channel's board snapshot first (when not resuming). */
  snapshot: boolean;
  /** Send the last N output lines first (agent channels, when not resuming). */
  tail: number;
  /** Send the channel's last N kept events first, as a `history` message (when not resuming). */
  history?: number;
}

/** Anything that receives channel events from the hub: a WebSocket client or an SSE stream. */
export interface Subscriber {
  readonly id: string;
  readonly cursors: Map<Channel, ChannelCursor>;
  readonly open: boolean;
  /** What the subscriber's token grants; snapshots show only records it covers (none without one). */
  readonly principal?: Principal;
  /** Control messages of the subscription (snapshot, tail, subscribed). */
  sendMessage(message: ServerMessage): boolean;
  /**
   * One event, live. `frame` is its complete WebSocket frame, built once per
   * publish for every subscriber (prebuilt-frame.ts); an SSE stream writes its
   * own text from the event instead.
   */
  sendEvent(event: ChannelEvent, frame: Buffer): boolean;
  /** One event of a replay, waiting for room in the socket when needed. */
  sendPaced(event: ChannelEvent): Promise<void>;
  /** Bytes written to the subscriber and not yet taken by its socket. */
  readonly bufferedBytes: number;
  /** Resolves once the outgoing buffer is down to a quarter of the limit, or the subscriber is gone (room-wait.ts). */
  room(): Promise<void>;
  closeSlow(): void;
  /** The hub dropped the subscriber's subscription to `channel` (it asked, it closed, or the subscription failed). */
  unsubscribed?(channel: Channel): void;
}
