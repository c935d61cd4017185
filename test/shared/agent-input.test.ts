import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_INPUT_TEXT_LENGTH, choiceInput, describeInput, parseAgentInput } from '../../src/shared/agent-input';
import { parseClientMessage, parseServerMessage } from '../../src/shared/protocol';
import { hostileKey, hostileString, wrongValue } from '../reliability/fuzz-values';

describe('parseAgentInput', () => {
  it('accepts each action with its bounded fields', () => {
    expect(parseAgentInput({ action: 'reply', text: 'yes' })).toEqual({
      ok: true,
      input: { action: 'reply', text: 'yes' },
    });
    expect(parseAgentInput({ action: 'approve', requestId: 'r1', choice: 'approve' }).ok).toBe(true);
    expect(parseAgentInput({ action: 'deny' }).ok).toBe(true);
    expect(parseAgentInput({ action: 'interrupt' }).ok).toBe(true);
  });

  it('answers invalid_input for a reply without text, an unknown action, extra fields or oversize text', () => {
    const bad: unknown[] = [
      { action: 'reply' },
      { action: 'reply', text: '  ' },
      { action: 'shout' },
      {},
      [],
      null,
      'approve',
      { action: 'approve', extra: 1 },
      { action: 'reply', text: 'x'.repeat(MAX_INPUT_TEXT_LENGTH + 1) },
      { action: 'approve', requestId: '..' },
      { action: 'approve', choice: 'a b' },
    ];
    for (const value of bad) {
      const result = parseAgentInput(value);
      expect(result.ok ? null : result.error.code, JSON.stringify(value)?.slice(0, 80)).toBe('invalid_input');
    }
  });

  it('never throws and never accepts a hostile field', () => {
    fc.assert(
      fc.property(fc.oneof(hostileString, wrongValue), hostileKey, (value, key) => {
        const result = parseAgentInput({ action: 'reply', text: 'ok', [key]: value });
        if (result.ok) expect(result.input).not.toHaveProperty(key);
        const other = parseAgentInput({ action: value, text: value, requestId: value, choice: value });
        if (other.ok) expect(typeof other.input.action).toBe('string');
      }),
    );
  });

  it('ignores the fields its carrier names', () => {
    const result = parseAgentInput({ type: 'input', agentId: 'a', id: 1, action: 'deny' }, ['type', 'agentId', 'id']);
    expect(result).toEqual({ ok: true, input: { action: 'deny' } });
  });
});

describe('input messages (extension)', () => {
  it('parses an input frame and an input_ack, and an error with the id it answers', () => {
    expect(parseClientMessage('{"type":"input","agentId":"a","action":"deny","id":3}').ok).toBe(true);
    expect(parseServerMessage('{"type":"input_ack","id":3,"inputId":"i-1"}')).toMatchObject({ ok: true });
    const error = parseServerMessage('{"type":"error","code":"already_answered","message":"m","id":3}');
    expect(error).toMatchObject({ ok: true, message: { code: 'already_answered', id: 3 } });
  });
});

describe('choiceInput', () => {
  it('sends approve and deny as the protocol’s actions, any other choice as a reply with its label and id', () => {
    expect(choiceInput({ id: 'approve', label: 'Yes' }, 'r-1')).toEqual({
      action: 'approve',
      choice: 'approve',
      requestId: 'r-1',
    });
    expect(choiceInput({ id: 'deny', label: 'No' })).toEqual({ action: 'deny', choice: 'deny' });
    expect(choiceInput({ id: 'postgres', label: 'Use Postgres' }, 'r-2')).toEqual({
      action: 'reply',
      text: 'Use Postgres',
      choice: 'postgres',
      requestId: 'r-2',
    });
    // Every input it makes passes the hub's own parser.
    for (const id of ['approve', 'deny', 'postgres', 'a.b-c_d'])
      expect(parseAgentInput(choiceInput({ id, label: `Label ${id}` }, 'r')).ok).toBe(true);
  });
});

describe('describeInput', () => {
  it('says what an answer did, in a few words', () => {
    const choices = [{ id: 'approve', label: 'Yes' }];
    expect(describeInput({ action: 'approve', choice: 'approve' }, choices)).toBe('chose “Yes”');
    expect(describeInput({ action: 'approve' })).toBe('approved');
    expect(describeInput({ action: 'deny' })).toBe('denied');
    expect(describeInput({ action: 'interrupt' })).toBe('interrupted the agent');
    expect(describeInput({ action: 'reply', text: '  line one\n\tline two ' })).toBe('replied “line one line two”');
    expect(describeInput({ action: 'reply', text: 'x'.repeat(200) })).toBe(`replied “${'x'.repeat(79)}…”`);
  });
});
