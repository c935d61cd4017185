/**
 * An answer to an agent (extension): what a viewer sends the hub, over HTTP
 * (`POST /api/agents/:agentId/input`) or as a WebSocket `input` message, and
 * the `input_sent` audit event the hub publishes for each accepted one. The
 * one parser of untrusted input bodies; it never throws.
 */
import { z } from 'zod';
import { ErrorCode, type ProtocolError, protocolError } from './errors';
import { isValidId } from './protocol';

export const AGENT_INPUT_ACTIONS = ['reply', 'approve', 'deny', 'interrupt'] as const;
export type AgentInputAction = (typeof AGENT_INPUT_ACTIONS)[number];

/** Longest reply text in UTF-16 code units. */
export const MAX_INPUT_TEXT_LENGTH = 16_000;

/** The validated input: `reply` always has text. */
export interface AgentInput {
  action: AgentInputAction;
  text?: string;
  requestId?: string;
  choice?: string;
}

/** The audit event of an accepted input, published on `agent:<agentId>`. */
export const INPUT_SENT_EVENT = 'input_sent';
export interface InputSent extends AgentInput {
  inputId: string;
  agentId: string;
  /** The sender's token subject. */
  by: string;
  /** When the hub accepted it (ms since epoch). */
  at: number;
}

const id = z.string().refine(isValidId, { message: 'invalid id' });
const inputSchema = z.strictObject({
  action: z.enum(AGENT_INPUT_ACTIONS),
  text: z.string().max(MAX_INPUT_TEXT_LENGTH).optional(),
  requestId: id.optional(),
  choice: id.optional(),
});

export type AgentInputParse = { ok: true; input: AgentInput } | { ok: false; error: ProtocolError };

/**
 * Checks an input's fields (`extra` names fields the carrier adds and the
 * input ignores: the WebSocket message's `type`, `agentId` and `id`). Any
 * other field, an unknown action, a reply without text or a field past its
 * bounds is `invalid_input`.
 */
export function parseAgentInput(value: unknown, extra: readonly string[] = []): AgentInputParse {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: protocolError(ErrorCode.InvalidInput, 'input must be a JSON object') };
  }
  const fields = Object.fromEntries(Object.entries(value).filter(([key]) => !extra.includes(key)));
  const parsed = inputSchema.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || '(root)';
    return { ok: false, error: protocolError(ErrorCode.InvalidInput, `invalid input: ${where}: ${issue?.message}`) };
  }
  const input = parsed.data;
  if (input.action === 'reply' && (input.text === undefined || input.text.trim() === '')) {
    return { ok: false, error: protocolError(ErrorCode.InvalidInput, 'a reply needs text') };
  }
  return { ok: true, input };
}

/**
 * Codes a sender sees that the hub never sends: the client core's own
 * verdicts on an input it could not get an answer for.
 * - `not_connected`: not sent (the connection was not open); nothing reached the agent.
 * - `connection_lost`: sent, but the connection ended before the hub answered;
 *   whether it reached the agent shows in the agent's `input_sent` events.
 * - `no_answer`: sent, and the hub did not answer within the client's deadline.
 * - `busy`: not sent, because this sender's earlier answer to the agent is
 *   still on its way (the monitor sends one at a time per agent).
 */
export const InputClientCode = {
  NotConnected: 'not_connected',
  ConnectionLost: 'connection_lost',
  NoAnswer: 'no_answer',
  Busy: 'busy',
} as const;
export type InputClientCode = (typeof InputClientCode)[keyof typeof InputClientCode];

/** What became of one input: the hub's ack, or why not (a hub `ErrorCode` or an `InputClientCode`). */
export type InputOutcome =
  { ok: true; inputId: string } | { ok: false; code: ErrorCode | InputClientCode; message: string };

/** The audit event's payload, as the client core checks it once when it arrives (a hub's own event, but off the network). */
const inputSentSchema = z.looseObject({
  inputId: z.string().min(1).max(128),
  agentId: id,
  action: z.enum(AGENT_INPUT_ACTIONS),
  text: z.string().max(MAX_INPUT_TEXT_LENGTH).optional(),
  requestId: id.optional(),
  choice: id.optional(),
  by: z.string().max(256),
  at: z.number().finite(),
});

/** The `input_sent` payload, or null when it is not one. */
export function parseInputSent(value: unknown): InputSent | null {
  const parsed = inputSentSchema.safeParse(value);
  if (!parsed.success) return null;
  const { inputId, agentId, action, text, requestId, choice, by, at } = parsed.data;
  return {
    inputId,
    agentId,
    action,
    by,
    at,
    ...(text !== undefined ? { text } : {}),
    ...(requestId !== undefined ? { requestId } : {}),
    ...(choice !== undefined ? { choice } : {}),
  };
}

/** A delivered `input_sent` event: the client core checked its payload, so `data` is an InputSent. */
export function isInputSentDelivery<D extends { kind: string; event?: string }>(
  delivery: D,
): delivery is D & { kind: 'event'; event: typeof INPUT_SENT_EVENT; data: InputSent } {
  return delivery.kind === 'event' && delivery.event === INPUT_SENT_EVENT;
}

/**
 * The input that picks one of a request's choices. The ids `approve` and
 * `deny` are the actions of that name (what an agent that only knows
 * approve/deny understands); any other choice is a reply whose text is the
 * choice's label, with `choice` naming it. The request id goes along, so an
 * answer to an earlier question is refused (`request_not_pending`) instead of
 * answering a newer one.
 */
export function choiceInput(choice: { id: string; label: string }, requestId?: string): AgentInput {
  const action: AgentInputAction = choice.id === 'approve' || choice.id === 'deny' ? choice.id : 'reply';
  return {
    action,
    choice: choice.id,
    ...(action === 'reply' ? { text: choice.label } : {}),
    ...(requestId !== undefined ? { requestId } : {}),
  };
}

/** What an input did, in a few words for a person ("approved", "replied “…”", "interrupted the agent"). */
export function describeInput(input: AgentInput, choices?: readonly { id: string; label: string }[]): string {
  const label = input.choice === undefined ? undefined : choices?.find((choice) => choice.id === input.choice)?.label;
  if (input.action === 'interrupt') return 'interrupted the agent';
  if (label !== undefined) return `chose “${label}”`;
  if (input.action === 'approve') return 'approved';
  if (input.action === 'deny') return 'denied';
  const text = (input.text ?? '').replace(/\s+/g, ' ').trim();
  return `replied “${text.length > 80 ? `${text.slice(0, 79)}…` : text}”`;
}
