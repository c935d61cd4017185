/**
 * The wire protocol between the hub and its clients.
 *
 * The seed document (falcon-pm's `websocket-realtime-patterns.md`) fixes the
 * base messages; everything marked "extension" is optional, and a peer written
 * exactly to the seed keeps working in both directions (see docs/protocol.md).
 *
 * Untrusted text becomes a typed message in exactly one place: `parseClientMessage`
 * and `parseServerMessage`. Neither throws; both return a `ProtocolError` with a
 * stable code on bad input.
 */
import { z } from 'zod';
import { checkJsonShape, type ShapeLimits } from './json-guard';
import { ErrorCode, type ProtocolError, protocolError } from './errors';

export { ErrorCode, type ProtocolError } from './errors';

// ---------------------------------------------------------------- channels

export const CHANNEL_KINDS = ['issue', 'agent', 'project'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];
export type Channel = `${ChannelKind}:${string}`;

/** Ids are 1–128 chars of `[A-Za-z0-9._-]`; `..` alone or as a path is harmless here but rejected to keep ids boring. */
export const ID_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
const CHANNEL_PATTERN = /^(issue|agent|project):([A-Za-z0-9._-]{1,128})$/;
/** Longest valid channel name: `project:` plus 128 id chars. */
export const MAX_CHANNEL_LENGTH = 'project:'.length + 128;

export function isValidId(id: string): boolean {
  return ID_PATTERN.test(id) && id !== '.' && id !== '..';
}

export function parseChannel(value: string): { kind: ChannelKind; id: string } | null {
  // Stryker disable next-line ConditionalExpression: the pattern bounds the length too; this only spares the regex a huge string
  if (value.length > MAX_CHANNEL_LENGTH) return null;
  const match = CHANNEL_PATTERN.exec(value);
  if (!match) return null;
  const id = match[2];
  if (id === '.' || id === '..') return null;
  return { kind: match[1] as ChannelKind, id };
}

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && parseChannel(value) !== null;
}

export const channelOf = {
  issue: (id: string): Channel => `issue:${id}`,
  agent: (id: string): Channel => `agent:${id}`,
  project: (id: string): Channel => `project:${id}`,
};

// ---------------------------------------------------------------- domain

/** Issue statuses falcon-pm uses; others may appear and must be shown, not dropped. */
export const KNOWN_ISSUE_STATUSES = ['backlog', 'todo', 'in_progress', 'in_review', 'blocked', 'done'] as const;
export const AGENT_STATUSES = ['working', 'waiting_for_input', 'failed', 'idle', 'offline'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

const idSchema = z.string().refine(isValidId, { message: 'invalid id' });
const label = z.string().min(1).max(64);
const timestamp = z.number().finite().nonnegative();

export interface IssueState {
  issueId: string;
  projectId?: string;
  title?: string;
  status?: string;
  stage?: string;
  agentId?: string | null;
  createdAt?: number;
  updatedAt?: number;
  /** When the issue entered its current status (ms since epoch). */
  statusSince?: number;
}

/** One answer an agent offers while it waits (extension): `id` is what an input's `choice` names. */
export interface AgentChoice {
  id: string;
  label: string;
}

/** Bounds of what a waiting agent's request carries (extension). */
export const AGENT_REQUEST_LIMITS = { promptLength: 4000, choices: 16, choiceLabelLength: 128 } as const;

export interface AgentState {
  agentId: string;
  status: AgentStatus;
  issueId?: string | null;
  stage?: string | null;
  projectId?: string | null;
  lastActivityAt?: number;
  /** When the agent entered its current status (ms since epoch). */
  statusSince?: number;
  message?: string;
  /** Extension, only while `status` is `waiting_for_input`: what the agent asks, and how it may be answered. */
  requestId?: string;
  prompt?: string;
  choices?: AgentChoice[];
}

/** The fields of a waiting agent's request; the board drops them when the status changes. */
export const AGENT_REQUEST_FIELDS = ['requestId', 'prompt', 'choices'] as const;

const choicesSchema = z
  .array(
    z.strictObject({
      id: z.string().refine(isValidId, { message: 'invalid choice id' }),
      label: z.string().min(1).max(AGENT_REQUEST_LIMITS.choiceLabelLength),
    }),
  )
  .min(1)
  .max(AGENT_REQUEST_LIMITS.choices)
  .refine((choices) => new Set(choices.map((choice) => choice.id)).size === choices.length, {
    message: 'choice ids must be unique',
  });
/** Extension fields of `agent_status` (and of an agent's snapshot record) while it waits for input. */
const agentRequestShape = {
  requestId: idSchema.optional(),
  prompt: z.string().max(AGENT_REQUEST_LIMITS.promptLength).optional(),
  choices: choicesSchema.optional(),
};

/** Payload schemas of the seed's events plus `agent_status` (extension). */
export const eventSchemas = {
  issue_created: z.looseObject({
    issueId: idSchema,
    projectId: idSchema.optional(),
    title: z.string().max(1000).optional(),
    status: label.optional(),
    stage: label.optional(),
    agentId: idSchema.nullable().optional(),
  }),
  issue_updated: z.looseObject({
    issueId: idSchema,
    projectId: idSchema.optional(),
    title: z.string().max(1000).optional(),
    status: label.optional(),
    stage: label.optional(),
    agentId: idSchema.nullable().optional(),
  }),
  status_changed: z.looseObject({
    issueId: idSchema,
    projectId: idSchema.optional(),
    oldStatus: label.nullable().optional(),
    newStatus: label,
  }),
  stage_changed: z.looseObject({
    issueId: idSchema,
    projectId: idSchema.optional(),
    oldStage: label.nullable().optional(),
    newStage: label,
  }),
  agent_assigned: z.looseObject({
    issueId: idSchema,
    projectId: idSchema.optional(),
    agentId: idSchema.nullable(),
  }),
  agent_started: z.looseObject({
    agentId: idSchema,
    issueId: idSchema,
    projectId: idSchema.optional(),
    stage: label.optional(),
  }),
  agent_status: z.looseObject({
    agentId: idSchema,
    status: z.enum(AGENT_STATUSES),
    issueId: idSchema.nullable().optional(),
    projectId: idSchema.nullable().optional(),
    stage: label.nullable().optional(),
    message: z.string().max(2000).optional(),
    ...agentRequestShape,
  }),
  output: z.looseObject({ timestamp, content: z.string() }),
  output_batch: z.looseObject({ timestamp, lines: z.array(z.string()) }),
} as const;

export type KnownEventName = keyof typeof eventSchemas;
export type EventPayloads = { [K in KnownEventName]: z.infer<(typeof eventSchemas)[K]> };
const EVENT_NAME_PATTERN = /^[a-z][a-z0-9_.:-]{0,63}$/;
/** Event names the hub keeps for its own notices. */
export const RESERVED_EVENT_PREFIX = 'hub.';

export function isKnownEvent(name: string): name is KnownEventName {
  return Object.hasOwn(eventSchemas, name);
}

/**
 * Validates an event name and, for the known events, its payload. Unknown
 * event names with any JSON payload are allowed: falcon-pm may add events
 * before we learn them, and dropping them would lose information.
 */
export function validateEvent(event: unknown, data: unknown): ProtocolError | null {
  if (typeof event !== 'string' || !EVENT_NAME_PATTERN.test(event)) {
    return protocolError(ErrorCode.InvalidEvent, 'event must match /^[a-z][a-z0-9_.:-]{0,63}$/');
  }
  // The hub's own notices (SSE `hub.resync`, `hub.error`) must not be forgeable by a publisher.
  if (event.startsWith(RESERVED_EVENT_PREFIX)) {
    return protocolError(ErrorCode.InvalidEvent, `event names starting with "${RESERVED_EVENT_PREFIX}" are reserved`);
  }
  if (!isKnownEvent(event)) return null;
  const result = eventSchemas[event].safeParse(data);
  return result.success
    ? null
    : protocolError(ErrorCode.InvalidEvent, `invalid ${event} payload: ${firstIssue(result.error)}`);
}

// ---------------------------------------------------------------- client → server

/** Resume point of a channel (extension): the last offset the client saw in an epoch. */
export interface StreamPosition {
  epoch: string;
  offset: number;
}

/** Most kept events one `history` message carries (a subscribe's `history: N` is at most this). */
export const MAX_HISTORY_EVENTS = 1000;

const positionSchema = z.strictObject({
  epoch: z.string().min(1).max(64),
  offset: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
});

// Stryker disable next-line ObjectLiteral,StringLiteral: parseWith answers every channel issue with its own message
const channelSchema = z.string().max(MAX_CHANNEL_LENGTH).refine(isChannel, { message: 'invalid channel' });

const clientSchemas = {
  subscribe: z.looseObject({
    type: z.literal('subscribe'),
    channel: channelSchema,
    /** Extension: resume after this position. */
    since: positionSchema.optional(),
    /** Extension: send the channel's state snapshot first (project:/issue:/agent:). */
    snapshot: z.boolean().optional(),
    /** Extension: on agent channels, the last N output lines first. */
    tail: z.number().int().min(0).max(10_000).optional(),
    /** Extension: the channel's last N kept events first, as one `history` message (when not resuming). */
    history: z.number().int().min(0).max(MAX_HISTORY_EVENTS).optional(),
    /** Extension: the user is looking at this channel; the hub flushes its agent output within a frame. */
    urgent: z.boolean().optional(),
  }),
  /** Extension: changes a subscribed channel's urgency without subscribing again. */
  focus: z.looseObject({ type: z.literal('focus'), channel: channelSchema, urgent: z.boolean() }),
  unsubscribe: z.looseObject({ type: z.literal('unsubscribe'), channel: channelSchema }),
  ping: z.looseObject({ type: z.literal('ping'), id: z.union([z.string().max(64), z.number()]).optional() }),
  /** Extension: an answer to an agent; its input fields are checked by parseAgentInput (agent-input.ts). */
  input: z.looseObject({
    type: z.literal('input'),
    agentId: z.string().max(256),
    id: z.union([z.string().max(64), z.number()]).optional(),
  }),
};

export type SubscribeMessage = z.infer<typeof clientSchemas.subscribe> & { channel: Channel };
export type UnsubscribeMessage = z.infer<typeof clientSchemas.unsubscribe> & { channel: Channel };
export type FocusMessage = z.infer<typeof clientSchemas.focus> & { channel: Channel };
export type PingMessage = z.infer<typeof clientSchemas.ping>;
export type InputMessage = z.infer<typeof clientSchemas.input>;
export type ClientMessage = SubscribeMessage | FocusMessage | UnsubscribeMessage | PingMessage | InputMessage;

/** Urgent channels one connection may hold at once (more are refused with `too_many_urgent`). */
export const MAX_URGENT_CHANNELS = 8;

// ---------------------------------------------------------------- server → client

export interface Snapshot {
  issues: IssueState[];
  agents: AgentState[];
  /** Set by the client's parse only: how many items were invalid and dropped. */
  dropped?: number;
}

export interface ConnectedMessage {
  type: 'connected';
  clientId: string;
  /** Extension: protocol revision and what this hub supports. */
  protocol?: number;
  features?: string[];
  /** Extension: the token's subject, as `input_sent.by` names it. */
  user?: string;
  /** Extension: the token's `actOn` globs (which agents this connection may answer); `[]` when none. */
  actOn?: string[];
}
export interface SubscribedMessage {
  type: 'subscribed';
  channel: Channel;
  /** Extension: the channel's epoch and latest offset at subscribe time. */
  epoch?: string;
  offset?: number;
  /** Extension: only present when the subscribe carried `since`. */
  recovered?: boolean;
  /** Extension: how many replayed events follow this message. */
  replayed?: number;
}
export interface UnsubscribedMessage {
  type: 'unsubscribed';
  channel: Channel;
}
export interface PongMessage {
  type: 'pong';
  id?: string | number;
}
export interface EventMessage<E extends string = string, D = unknown> {
  type: 'event';
  channel: Channel;
  event: E;
  data: D;
  /** Extension: strictly increasing per channel within an epoch. */
  offset?: number;
  epoch?: string;
}
export interface ErrorMessage {
  type: 'error';
  message: string;
  /** Extension: stable code; see ErrorCode. */
  code?: ErrorCode;
  channel?: Channel;
  /** Extension: the `id` of the `input` message this error answers. */
  id?: string | number;
}
/** Extension: an accepted `input` message. */
export interface InputAckMessage {
  type: 'input_ack';
  id?: string | number;
  inputId: string;
}
/** Extension: channel state, sent before `subscribed` when asked for with `snapshot: true`. */
export interface SnapshotMessage {
  type: 'snapshot';
  channel: Channel;
  data: Snapshot;
}
/** Extension: recent agent output, sent before `subscribed` when asked for with `tail: N`. */
export interface TailMessage {
  type: 'tail';
  channel: Channel;
  lines: string[];
  /** Offset of the last event the lines came from (live events continue after it). */
  offset?: number;
  epoch?: string;
}

/** One kept event in a `history` message: the event as published, and when the hub took it (ms since epoch). */
export interface HistoryEvent {
  event: string;
  data: unknown;
  offset: number;
  epoch: string;
  time: number;
}
/**
 * Extension: the channel's kept events (oldest first, all at or before the
 * `subscribed` offset that follows), sent before `subscribed` when asked for
 * with `history: N` and not resuming. A record of the past, not a replay:
 * clients do not apply them to their state.
 */
export interface HistoryMessage {
  type: 'history';
  channel: Channel;
  events: HistoryEvent[];
}

/**
 * Extension: live output the subscriber could not keep up with and the hub
 * no longer holds was skipped. Offsets `from`..`to` (inclusive) of `epoch`
 * will never be sent; events continue at `to + 1`. `skippedBytes` is the
 * sum of the skipped events' `event` frames (UTF-8 bytes). Only on `agent:`
 * channels (docs/hub.md, "Slow consumers").
 */
export interface GapMessage {
  type: 'gap';
  channel: Channel;
  epoch: string;
  from: number;
  to: number;
  skippedEvents: number;
  skippedBytes: number;
}

export type ServerMessage =
  | GapMessage
  | InputAckMessage
  | HistoryMessage
  | ConnectedMessage
  | SubscribedMessage
  | UnsubscribedMessage
  | PongMessage
  | EventMessage
  | ErrorMessage
  | SnapshotMessage
  | TailMessage;

const errorCodeValues = Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]];
/** Snapshot items are validated field by field (a `title: {}` would crash a card): the IssueState/AgentState types. */
// An issue holds what issue_created carries, plus its times.
const issueStateSchema = eventSchemas.issue_created.extend({
  createdAt: timestamp.optional(),
  updatedAt: timestamp.optional(),
  statusSince: timestamp.optional(),
});
const agentStateSchema = z.looseObject({
  agentId: idSchema,
  status: z.enum(AGENT_STATUSES),
  issueId: idSchema.nullable().optional(),
  stage: label.nullable().optional(),
  projectId: idSchema.nullable().optional(),
  lastActivityAt: timestamp.optional(),
  statusSince: timestamp.optional(),
  message: z.string().max(10_000).optional(),
  ...agentRequestShape,
});

/** The valid items of a list; a bad one is dropped (and counted), never a reason to refuse the whole snapshot. */
function validItems<T>(schema: z.ZodType<T>) {
  return z.array(z.unknown()).transform((items) => {
    const valid: T[] = [];
    for (const item of items) {
      const parsed = schema.safeParse(item);
      if (parsed.success) valid.push(parsed.data);
    }
    return { valid, dropped: items.length - valid.length };
  });
}

const serverSchemas = {
  connected: z.looseObject({
    type: z.literal('connected'),
    clientId: z.string().min(1).max(128),
    protocol: z.number().int().optional(),
    features: z.array(z.string().max(64)).max(64).optional(),
    // A malformed identity from a hub degrades to "unknown", never to a lost connection.
    user: z.string().max(256).optional().catch(undefined),
    actOn: z.array(z.string().min(1).max(256)).max(256).optional().catch(undefined),
  }),
  subscribed: z.looseObject({
    type: z.literal('subscribed'),
    channel: channelSchema,
    epoch: z.string().min(1).max(64).optional(),
    offset: z.number().int().nonnegative().optional(),
    recovered: z.boolean().optional(),
    replayed: z.number().int().nonnegative().optional(),
  }),
  unsubscribed: z.looseObject({ type: z.literal('unsubscribed'), channel: channelSchema }),
  pong: z.looseObject({ type: z.literal('pong'), id: z.union([z.string().max(64), z.number()]).optional() }),
  event: z.looseObject({
    type: z.literal('event'),
    channel: channelSchema,
    event: z.string().min(1).max(64),
    data: z.unknown(),
    offset: z.number().int().nonnegative().optional(),
    epoch: z.string().min(1).max(64).optional(),
  }),
  error: z.looseObject({
    type: z.literal('error'),
    message: z.string().max(10_000),
    // Unknown codes from a newer hub degrade to no code rather than a parse failure.
    code: z.enum(errorCodeValues).optional().catch(undefined),
    channel: channelSchema.optional(),
    id: z.union([z.string().max(64), z.number()]).optional(),
  }),
  input_ack: z.looseObject({
    type: z.literal('input_ack'),
    id: z.union([z.string().max(64), z.number()]).optional(),
    inputId: z.string().min(1).max(128),
  }),
  snapshot: z.looseObject({
    type: z.literal('snapshot'),
    channel: channelSchema,
    data: z
      .looseObject({ issues: validItems(issueStateSchema), agents: validItems(agentStateSchema) })
      .transform(({ issues, agents, ...rest }) => {
        const dropped = issues.dropped + agents.dropped;
        return { ...rest, issues: issues.valid, agents: agents.valid, ...(dropped > 0 ? { dropped } : {}) };
      }),
  }),
  tail: z.looseObject({
    type: z.literal('tail'),
    channel: channelSchema,
    lines: z.array(z.string()),
    offset: z.number().int().nonnegative().optional(),
    epoch: z.string().min(1).max(64).optional(),
  }),
  gap: z
    .looseObject({
      type: z.literal('gap'),
      channel: channelSchema,
      epoch: z.string().min(1).max(64),
      from: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
      to: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
      skippedEvents: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
      skippedBytes: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
    })
    .refine((gap) => gap.to >= gap.from, { message: 'gap ends before it starts' }),
  history: z.looseObject({
    type: z.literal('history'),
    channel: channelSchema,
    events: z
      .array(
        z.looseObject({
          event: z.string().regex(EVENT_NAME_PATTERN),
          data: z.unknown(),
          offset: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
          epoch: z.string().min(1).max(64),
          time: timestamp,
        }),
      )
      .max(MAX_HISTORY_EVENTS),
  }),
};

// ---------------------------------------------------------------- parsing

export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: ProtocolError };

export interface ParseOptions extends Partial<ShapeLimits> {
  /** Longest accepted text in UTF-16 code units. */
  maxLength?: number;
}

const CLIENT_DEFAULTS: Required<ParseOptions> = { maxLength: 64 * 1024, maxDepth: 16 };
const SERVER_DEFAULTS: Required<ParseOptions> = { maxLength: 16 * 1024 * 1024, maxDepth: 64 };

/** Parses a frame a client sent. Never throws. */
export function parseClientMessage(text: unknown, options?: ParseOptions): ParseResult<ClientMessage> {
  return parseWith(text, clientSchemas, { ...CLIENT_DEFAULTS, ...options }) as ParseResult<ClientMessage>;
}

/** Parses a frame a hub sent. Never throws. */
export function parseServerMessage(text: unknown, options?: ParseOptions): ParseResult<ServerMessage> {
  return parseWith(text, serverSchemas, { ...SERVER_DEFAULTS, ...options }) as ParseResult<ServerMessage>;
}

function parseWith(
  text: unknown,
  schemas: Record<string, z.ZodType>,
  limits: Required<ParseOptions>,
): ParseResult<unknown> {
  if (typeof text !== 'string') return fail(ErrorCode.InvalidMessage, 'message must be text');
  if (text.length > limits.maxLength) {
    return fail(ErrorCode.MessageTooLarge, `message is longer than ${limits.maxLength} characters`);
  }
  const shape = checkJsonShape(text, limits);
  if (shape) return { ok: false, error: shape };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail(ErrorCode.InvalidJson, 'message is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(ErrorCode.InvalidMessage, 'message must be a JSON object');
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') return fail(ErrorCode.InvalidMessage, 'message needs a string "type"');
  if (!Object.hasOwn(schemas, type)) return fail(ErrorCode.UnknownType, `unknown message type "${type.slice(0, 32)}"`);
  const result = schemas[type].safeParse(value);
  if (!result.success) {
    const channelIssue = result.error.issues.find((issue) => issue.path[0] === 'channel');
    if (channelIssue) return fail(ErrorCode.InvalidChannel, 'channel must be issue:<id>, agent:<id> or project:<id>');
    return fail(ErrorCode.InvalidMessage, `invalid ${type} message: ${firstIssue(result.error)}`);
  }
  return { ok: true, message: result.data };
}

function fail(code: ErrorCode, message: string): { ok: false; error: ProtocolError } {
  return { ok: false, error: protocolError(code, message) };
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
}

/** Serializes a message; the one place that turns outgoing messages into text. */
export function encode(message: ServerMessage | ClientMessage): string {
  return JSON.stringify(message);
}
