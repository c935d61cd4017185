import { describe, expect, it } from 'vitest';
import {
  ErrorCode,
  MAX_CHANNEL_LENGTH,
  channelOf,
  isChannel,
  isValidId,
  parseClientMessage,
  parseServerMessage,
  validateEvent,
} from '../../src/shared/protocol';

/**
 * The parser's edges, with the error messages it sends to a peer: a client is
 * told what was wrong, so the messages are part of the contract (these tests
 * are what npm run test:mutation scores protocol.ts by).
 */
const client = (text: unknown, options?: Parameters<typeof parseClientMessage>[1]) => {
  const result = parseClientMessage(text, options);
  return result.ok ? null : result.error;
};
const server = (value: unknown) => {
  const result = parseServerMessage(typeof value === 'string' ? value : JSON.stringify(value));
  return result.ok ? null : result.error;
};

describe('ids and channels', () => {
  it.each([
    ['a', true],
    ['a..b', true],
    ['.a', true],
    ['.', false],
    ['..', false],
    ['', false],
    ['a/b', false],
  ])('isValidId(%j) → %s', (id, valid) => {
    expect(isValidId(id)).toBe(valid);
  });

  it('builds channel names', () => {
    expect(channelOf.issue('1')).toBe('issue:1');
    expect(channelOf.agent('a')).toBe('agent:a');
    expect(channelOf.project('p')).toBe('project:p');
  });

  it.each(['xissue:1', 'myproject:p', 'issue:1 ', 'agent:..'])('rejects %j', (value) => {
    expect(isChannel(value)).toBe(false);
  });

  it('accepts the longest channel and refuses anything longer', () => {
    const longest = `project:${'p'.repeat(128)}`;
    expect(longest).toHaveLength(MAX_CHANNEL_LENGTH);
    expect(isChannel(longest)).toBe(true);
    expect(isChannel(`${longest}p`)).toBe(false);
  });
});

describe('validateEvent messages', () => {
  it.each([
    ['an array whose text is a valid name', ['abc']],
    ['a name with a trailing bang', 'abc!'],
    ['a number', 42],
  ])('rejects %s as an event name', (_case, event) => {
    expect(validateEvent(event, {})).toEqual({
      code: ErrorCode.InvalidEvent,
      message: 'event must match /^[a-z][a-z0-9_.:-]{0,63}$/',
    });
  });

  it('names the reserved prefix', () => {
    expect(validateEvent('hub.error', {})).toEqual({
      code: ErrorCode.InvalidEvent,
      message: 'event names starting with "hub." are reserved',
    });
  });

  it('names the event, the field and the rule for a bad payload', () => {
    expect(validateEvent('issue_created', { issueId: 'a b' })).toEqual({
      code: ErrorCode.InvalidEvent,
      message: 'invalid issue_created payload: issueId: invalid id',
    });
  });

  it('names the root when the payload itself is wrong', () => {
    expect(validateEvent('output', 'text')?.message).toMatch(/^invalid output payload: \(root\): /);
  });
});

describe('parseClientMessage messages', () => {
  it.each([
    ['a Buffer-like object', { type: 'ping' }, ErrorCode.InvalidMessage, 'message must be text'],
    ['bad JSON', '{', ErrorCode.InvalidJson, 'message is not valid JSON'],
    ['a number', '42', ErrorCode.InvalidMessage, 'message must be a JSON object'],
    ['null', 'null', ErrorCode.InvalidMessage, 'message must be a JSON object'],
    ['an array', '[]', ErrorCode.InvalidMessage, 'message must be a JSON object'],
    ['no type', '{}', ErrorCode.InvalidMessage, 'message needs a string "type"'],
    ['an unknown type', '{"type":"nope"}', ErrorCode.UnknownType, 'unknown message type "nope"'],
    [
      'a bad channel',
      '{"type":"subscribe","channel":"x"}',
      ErrorCode.InvalidChannel,
      'channel must be issue:<id>, agent:<id> or project:<id>',
    ],
    [
      'a bad field',
      '{"type":"subscribe","channel":"issue:1","tail":-1}',
      ErrorCode.InvalidMessage,
      /^invalid subscribe message: tail: /,
    ],
  ])('rejects %s with its message', (_case, text, code, message) => {
    expect(client(text)).toEqual({
      code,
      message: typeof message === 'string' ? message : expect.stringMatching(message),
    });
  });

  it('names a nested field by its dotted path', () => {
    expect(client('{"type":"subscribe","channel":"issue:1","since":{"epoch":"e","offset":-1}}')?.message).toMatch(
      /^invalid subscribe message: since\.offset: /,
    );
  });

  it('cuts a long unknown type to 32 characters in the message', () => {
    const type = 't'.repeat(100);
    expect(client(JSON.stringify({ type }))?.message).toBe(`unknown message type "${'t'.repeat(32)}"`);
  });

  it('accepts text of exactly maxLength and names the limit above it', () => {
    const text = '{"type":"ping"}';
    expect(client(text, { maxLength: text.length })).toBeNull();
    expect(client(text, { maxLength: text.length - 1 })).toEqual({
      code: ErrorCode.MessageTooLarge,
      message: `message is longer than ${text.length - 1} characters`,
    });
  });
});

describe('parseServerMessage edges', () => {
  it.each([
    ['unsubscribed with a bad channel', { type: 'unsubscribed', channel: 'x' }, ErrorCode.InvalidChannel],
    ['pong with an object id', { type: 'pong', id: {} }, ErrorCode.InvalidMessage],
    ['pong with a 65-character id', { type: 'pong', id: 'i'.repeat(65) }, ErrorCode.InvalidMessage],
    ['a snapshot without data', { type: 'snapshot', channel: 'project:p' }, ErrorCode.InvalidMessage],
    [
      'a snapshot without issues',
      { type: 'snapshot', channel: 'project:p', data: { agents: [] } },
      ErrorCode.InvalidMessage,
    ],
    ['a tail without lines', { type: 'tail', channel: 'agent:a' }, ErrorCode.InvalidMessage],
    ['a tail with a bad channel', { type: 'tail', channel: 'x', lines: [] }, ErrorCode.InvalidChannel],
    [
      'a tail with an empty epoch',
      { type: 'tail', channel: 'agent:a', lines: [], epoch: '' },
      ErrorCode.InvalidMessage,
    ],
  ])('rejects %s', (_case, message, code) => {
    expect(server(message)?.code).toBe(code);
  });

  it('drops and counts invalid snapshot items, field by field, keeping the valid ones', () => {
    const good = { issueId: '1', title: 'Fine', status: 'todo', agentId: null };
    const agent = { agentId: 'a', status: 'working', issueId: '1', projectId: null, statusSince: 5 };
    const result = parseServerMessage(
      JSON.stringify({
        type: 'snapshot',
        channel: 'project:p',
        data: {
          issues: [good, {}, { issueId: '2', title: {} }, { issueId: '3', createdAt: 'yesterday' }, 7],
          agents: [
            agent,
            { agentId: 'b', status: 'x' },
            { agentId: 'c', status: 'idle', message: ['no'] },
            { agentId: 'd', status: 'idle', statusSince: 'an hour ago' },
          ],
        },
      }),
    );
    expect(result).toEqual({
      ok: true,
      message: { type: 'snapshot', channel: 'project:p', data: { issues: [good], agents: [agent], dropped: 7 } },
    });
    // Nothing dropped: no count.
    expect(
      parseServerMessage(
        JSON.stringify({ type: 'snapshot', channel: 'project:p', data: { issues: [good], agents: [] } }),
      ),
    ).toEqual({ ok: true, message: { type: 'snapshot', channel: 'project:p', data: { issues: [good], agents: [] } } });
  });

  it.each([
    ['pong with a string id', { type: 'pong', id: 'p-1' }],
    ['pong with a numeric id', { type: 'pong', id: 7 }],
    ['a tail with a long epoch', { type: 'tail', channel: 'agent:a', lines: [], epoch: 'e'.repeat(64) }],
  ])('accepts %s', (_case, message) => {
    expect(parseServerMessage(JSON.stringify(message))).toEqual({ ok: true, message });
  });
});
