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
 */
export const InputClientCode = {
  NotConnected: 'not_connected',
  ConnectionLost: 'connection_lost',
  NoAnswer: 'no_answer',
} as const;
export type InputClientCode = (typeof InputClientCode)[keyof typeof InputClientCode];

/** What became of one input: the hub's ack, or why not (a hub `ErrorCode` or an `InputClientCode`). */
export type InputOutcome =
  { ok: true; inputId: string } | { ok: false; code: ErrorCode | InputClientCode; message: string };
