import { describe, expect, it } from 'vitest';
import { InputClientCode } from '../../../src/shared/agent-input';
import { INITIAL_STATE } from '../../../src/shared/connection-state';
import { ErrorCode } from '../../../src/shared/errors';
import { answerAbility, answerFailureText, MAX_FAILURE_MESSAGE } from '../../../src/renderer/src/lib/answer-ability';

const open = (actOn: string[] | null) => ({ ...INITIAL_STATE, status: 'open' as const, actOn });

/**
 * Codes an answer can come back with, and the codes it cannot (so each new
 * ErrorCode has to be put in one list or the other, or this test fails).
 */
const ANSWER_CODES: readonly string[] = [
  // The input route itself (docs/protocol.md, "Answering agents").
  ErrorCode.InvalidInput,
  ErrorCode.InvalidChoice,
  ErrorCode.UnknownAgent,
  ErrorCode.AlreadyAnswered,
  ErrorCode.RequestNotPending,
  ErrorCode.InputRejected,
  ErrorCode.InputUnavailable,
  // What the hub checks before it: rights, rate, the agent id, its own state; a hub without the feature.
  ErrorCode.Forbidden,
  ErrorCode.RateLimited,
  ErrorCode.InvalidChannel,
  ErrorCode.Unavailable,
  ErrorCode.Internal,
  ErrorCode.UnknownType,
  ...Object.values(InputClientCode),
];
/** Codes of frames, subscriptions, HTTP routes and streams: never the outcome of a WebSocket input. */
const NOT_ANSWER_CODES: readonly string[] = [
  ErrorCode.InvalidJson,
  ErrorCode.InvalidMessage,
  ErrorCode.InvalidEvent,
  ErrorCode.MessageTooLarge,
  ErrorCode.TooDeep,
  ErrorCode.ForbiddenKey,
  ErrorCode.TooManySubscriptions,
  ErrorCode.InvalidRequest,
  ErrorCode.Unauthorized,
  ErrorCode.TokenExpired,
  ErrorCode.TooManyConnections,
  ErrorCode.NotFound,
  ErrorCode.TooManyUrgent,
  ErrorCode.NotSubscribed,
];

describe('answerAbility', () => {
  it('needs an open connection', () => {
    for (const status of ['idle', 'connecting', 'reconnecting', 'authFailed', 'closed'] as const) {
      expect(answerAbility({ status, actOn: null }, 'agent-1')).toMatchObject({ ok: false, why: 'disconnected' });
    }
  });

  it('needs a token whose actOn covers the agent; a hub that does not say is asked anyway', () => {
    expect(answerAbility(open(null), 'agent-1')).toEqual({ ok: true });
    expect(answerAbility(open(['agent:*']), 'agent-1')).toEqual({ ok: true });
    expect(answerAbility(open(['agent:agent-1']), 'agent-1')).toEqual({ ok: true });
    expect(answerAbility(open(['agent:agent-2']), 'agent-1')).toMatchObject({ ok: false, why: 'no_rights' });
    const none = answerAbility(open([]), 'agent-1');
    expect(none).toMatchObject({ ok: false, why: 'no_rights' });
    expect(none.ok ? '' : none.reason).toMatch(/--act/);
  });
});

describe('answerFailureText', () => {
  it('sorts every error code into answer codes or not (a new code must be placed)', () => {
    const placed = new Set([...ANSWER_CODES, ...NOT_ANSWER_CODES]);
    expect(Object.values(ErrorCode).filter((code) => !placed.has(code))).toEqual([]);
  });

  it.each(ANSWER_CODES)('has its own words for %s, not the hub’s message', (code) => {
    const text = answerFailureText(code, 'HUB-MESSAGE');
    expect(text).not.toBe('HUB-MESSAGE');
    expect(text).not.toBe('The answer was not accepted.');
    expect(text.length).toBeGreaterThan(20);
  });

  it('keeps the words apart: no two codes read the same', () => {
    const texts = ANSWER_CODES.map((code) => answerFailureText(code, 'm'));
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('names who answered first when the page saw it', () => {
    const sent = { inputId: 'i1', agentId: 'a', action: 'approve' as const, requestId: 'r1', by: 'ana', at: 1 };
    expect(answerFailureText('already_answered', 'this request was answered already', sent)).toBe(
      'ana answered this question first (approved).',
    );
    expect(answerFailureText('already_answered', 'this request was answered already')).toBe(
      'Someone else already answered this question.',
    );
  });

  it('quotes falcon-pm’s own reason for input_rejected, and falls back to the message for an unknown code', () => {
    expect(answerFailureText('input_rejected', 'the agent is gone')).toContain('the agent is gone');
    expect(answerFailureText('from_the_future', 'new hub words')).toBe('new hub words');
    expect(answerFailureText('from_the_future', '')).toBe('The answer was not accepted.');
  });

  it('shortens a long message from the network', () => {
    const text = answerFailureText('input_rejected', 'x'.repeat(100_000));
    expect(text.length).toBeLessThan(MAX_FAILURE_MESSAGE + 40);
    expect(text.endsWith('…')).toBe(true);
    expect(answerFailureText('from_the_future', 'y'.repeat(5000))).toHaveLength(MAX_FAILURE_MESSAGE);
  });
});
