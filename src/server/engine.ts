/**
 * The engine behind a hub: where channel history, offsets, epochs, board
 * snapshots and agent output tails live, and how a publish reaches every hub.
 * The in-memory engine serves one hub; the Redis engine lets many hubs share
 * one history (docs/scaling.md).
 */
import type { Channel, Snapshot, StreamPosition } from '../shared/protocol';
import type { PublishGuard } from './publish-authorization';

/** A published event as stored and fanned out. `frame` is its wire form, serialized once. */
export interface ChannelEvent {
  channel: Channel;
  event: string;
  data: unknown;
  offset: number;
  epoch: string;
  /** When it was published (ms since epoch). */
  time: number;
  /** The `{type:'event', …}` message as JSON text, shared by every recipient. */
  frame: string;
}

export interface Recovery {
  epoch: string;
  /** The channel's latest offset when the recovery was computed. */
  offset: number;
  /** Present when `since` was given: whether every event after it could be replayed. */
  recovered?: boolean;
  /**
   * Events after `since`, in order. When not recovered because the epoch
   * changed, the new epoch's events from its start (offset 1), if still kept.
   */
  events: ChannelEvent[];
}

export interface KeptHistory {
  epoch: string;
  offset: number;
  events: ChannelEvent[];
}

export interface OutputTail {
  lines: string[];
  /** Offset of the newest output event the lines include. */
  offset: number;
  epoch: string;
}

export interface EngineHealth {
  ok: boolean;
  engine: string;
  detail?: string;
}

export interface Engine {
  readonly name: string;
  /**
   * Assigns the next offset, stores the event, updates snapshots, and fans it out to every hub.
   * With a guard, first decides against the stored state, atomically with the write: a refusal
   * throws its HubError and nothing of the event is stored or sent.
   */
  publish(channel: Channel, event: string, data: unknown, guard?: PublishGuard): Promise<ChannelEvent>;
  /** Registers the hub's one listener for events published on any hub. Returns its undo. */
  onEvent(listener: (event: ChannelEvent) => void): () => void;
  /**
   * Registers a listener for the event feed being interrupted (events published meanwhile never
   * reached this hub); the hub has every client resume. Returns its undo.
   */
  onReset?(listener: () => void): () => void;
  /** The channel's position, and the events after `since` when it is given and still in history. */
  recover(channel: Channel, since?: StreamPosition): Promise<Recovery>;
  /**
   * The channel's newest `limit` kept events of its current epoch (oldest first, within the
   * history TTL) and its position (`offset` is the latest offset, events are at or before it).
   */
  history(channel: Channel, limit: number): Promise<KeptHistory>;
  snapshot(channel: Channel): Promise<Snapshot>;
  /** Ids of the projects the engine knows of (from issues and project channels). */
  projects(): Promise<string[]>;
  /** The last `lines` lines of an agent's output. */
  tail(channel: Channel, lines: number): Promise<OutputTail>;
  health(): EngineHealth;
  /** What the engine holds against its memory bounds, for `falcon_hub_engine_kept` (engines that bound it in-process). */
  usage?(): Record<string, number>;
  close(): Promise<void>;
}

export interface HistoryLimits {
  /** Events kept per channel (default 1000). */
  size: number;
  /** How long an event stays recoverable, in ms (default 10 min). */
  ttlMs: number;
  /** Bytes of event frames kept per channel, oldest evicted first (default 8 MiB). */
  maxBytes: number;
}

/** Serializes an event the one time it is serialized. */
export function eventFrame(channel: Channel, event: string, data: unknown, offset: number, epoch: string): string {
  return JSON.stringify({ type: 'event', channel, event, data, offset, epoch });
}
