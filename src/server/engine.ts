/**
 * The engine behind a hub: where channel history, offsets, epochs, board
 * snapshots and agent output tails live, and how a publish reaches every hub.
 * The in-memory engine serves one hub; the Redis engine lets many hubs share
 * one history (docs/scaling.md).
 */
import type { AgentInput } from '../shared/agent-input';
import type { Channel, Snapshot, StreamPosition } from '../shared/protocol';
import type { AgentInputMeta } from './agent-input-router';
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
  /**
   * How inputs to agents travel between hubs that share the engine (docs/hub.md, "Answering
   * agents across hubs"). Absent on an engine that serves one hub: the hub's own handler and
   * its own memory of answered requests are all there is.
   */
  readonly inputRoute?: InputRoute;
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

/** Accepts a forwarded input on this hub (delivers it to the local handler); throws a HubError to refuse it. */
export type ForwardedInputHandler = (input: AgentInput, meta: AgentInputMeta) => Promise<void>;

/**
 * Inputs to agents across hubs: where the handler is, and which requests are
 * answered (first answer wins across every hub). Every method that talks to
 * the shared store throws a HubError (`unavailable` when it is down).
 */
export interface InputRoute {
  /** Advertises this hub as one that takes inputs and serves those other hubs forward to it. Returns its undo. */
  serve(handler: ForwardedInputHandler): () => void;
  /**
   * Hands the input to a live hub that takes inputs and waits for its word: resolves when it
   * accepted, throws its refusal (`input_rejected`, `already_answered`), or `input_unavailable`
   * when no hub takes inputs or none answered in time.
   */
  forward(input: AgentInput, meta: AgentInputMeta): Promise<void>;
  /** Takes `(agentId, requestId)` for the input `inputId`; false when another answer holds it or won it. */
  claim(agentId: string, requestId: string, inputId: string): Promise<boolean>;
  /** Gives a claim back (the answer was refused or not delivered), if `inputId` still holds it. */
  release(agentId: string, requestId: string, inputId: string): Promise<void>;
  /** Marks the request answered by `inputId`, if it still holds the claim. */
  answered(agentId: string, requestId: string, inputId: string): Promise<void>;
  /** Whether an answer to the request is being delivered or has won. */
  isTaken(agentId: string, requestId: string): Promise<boolean>;
  /** Calls `listener` for every message dropped at the boundary (malformed or foreign). Returns its undo. */
  onDropped(listener: (reason: string) => void): () => void;
}
