import { type InputSent, describeInput } from '../../../shared/agent-input';
import { matchesChannelGlobs } from '../../../shared/channel-glob';
import type { ConnectionState } from '../../../shared/connection-state';
import { channelOf } from '../../../shared/protocol';

/** Whether this page can answer an agent now, and if not, the reason it shows beside the disabled controls. */
export type AnswerAbility = { ok: true } | { ok: false; why: 'disconnected' | 'no_rights'; reason: string };

/**
 * Answering needs an open connection (nothing is queued for later: an answer
 * sent minutes late could answer the wrong question) and a token whose
 * `actOn` covers the agent. A hub that does not say what the token may act on
 * (`actOn` null) is asked anyway, and its refusal shown.
 */
export function answerAbility(connection: Pick<ConnectionState, 'status' | 'actOn'>, agentId: string): AnswerAbility {
  if (connection.status !== 'open') {
    return {
      ok: false,
      why: 'disconnected',
      reason: 'Not connected to the hub: answers cannot be sent until it is back.',
    };
  }
  if (connection.actOn !== null && !matchesChannelGlobs(connection.actOn, channelOf.agent(agentId))) {
    return {
      ok: false,
      why: 'no_rights',
      reason: 'Your token may watch this agent but not answer it (a token made with falcon token --act can).',
    };
  }
  return { ok: true };
}

/** Longest part of a hub's or handler's own message shown (it is off the network: a page of it helps nobody). */
export const MAX_FAILURE_MESSAGE = 300;

/**
 * The words for a refused or lost answer, by its stable code (every code an
 * input can come back with: docs/protocol.md, "Answering agents"); the hub's
 * own message, shortened, for a code this monitor does not know yet.
 */
export function answerFailureText(code: string, message: string, answeredBy?: InputSent): string {
  const said = message.length > MAX_FAILURE_MESSAGE ? `${message.slice(0, MAX_FAILURE_MESSAGE - 1)}…` : message;
  switch (code) {
    case 'already_answered':
      return answeredBy
        ? `${answeredBy.by} answered this question first (${describeInput(answeredBy)}).`
        : 'Someone else already answered this question.';
    case 'request_not_pending':
      return 'The agent is no longer waiting on this question.';
    case 'forbidden':
      return 'Your token may not answer this agent.';
    case 'unknown_agent':
      return 'The hub does not know this agent.';
    case 'invalid_choice':
      return 'The agent no longer offers this choice.';
    case 'invalid_input':
      return `The answer was refused as malformed: ${said}`;
    case 'invalid_channel':
      return 'The hub cannot address this agent: its id is not valid.';
    case 'unknown_type':
      return 'This hub cannot pass answers to agents (it predates them).';
    case 'unavailable':
      return 'The hub is shutting down: nothing was delivered. Try again once it is back.';
    case 'internal':
      return 'The hub failed on its side: the agent may not have the answer.';
    case 'input_unavailable':
      return 'falcon-pm could not be reached: the answer was not delivered. Try again.';
    case 'input_rejected':
      return `falcon-pm refused the answer: ${said}`;
    case 'rate_limited':
      return 'Too many answers in a short time: wait a moment and try again.';
    case 'not_connected':
      return 'Not connected to the hub: nothing was sent.';
    case 'connection_lost':
      return 'The connection dropped before the hub answered: the agent may or may not have it. Check its output before sending again.';
    case 'no_answer':
      return 'The hub did not answer in time: the agent may or may not have it.';
    case 'busy':
      return 'Your earlier answer is still on its way.';
    default:
      return said || 'The answer was not accepted.';
  }
}
