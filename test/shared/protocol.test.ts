import { describe, expect, it } from 'vitest';
import {
  type ClientMessage,
  ErrorCode,
  type ServerMessage,
  encode,
  isChannel,
  parseChannel,
  parseClientMessage,
  parseServerMessage,
  validateEvent,
} from '../../src/shared/protocol';

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

describe('parseClientMessage', () => {
  const valid: ClientMessage[] = [
    { type: 'subscribe', channel: 'issue:123' },
    { type: 'subscribe', channel: 'agent:opus-1', since: { epoch: 'e1', offset: 41 }, tail: 200 },
    { type: 'subscribe', channel: 'project:my-project', snapshot: true },
    { type: 'unsubscribe', channel: 'agent:opus-1' },
    { type: 'ping' },
    { type: 'ping', id: 7 },
  ];

  it.each(valid)('round-trips $type', (message) => {
    const result = parseClientMessage(encode(message));
    expect(result).toEqual({ ok: true, message });
  });

  const malformed: Array<[string, unknown, string]> = [
    ['truncated JSON', '{"type":"subscribe","chan', ErrorCode.InvalidJson],
    ['empty text', '', ErrorCode.InvalidJson],
    ['plain words', 'hello', ErrorCode.InvalidJson],
    ['trailing comma', '{"type":"ping",}', ErrorCode.InvalidJson],
    ['single quotes', "{'type':'ping'}", ErrorCode.InvalidJson],
    ['unterminated string', '{"type":"ping', ErrorCode.InvalidJson],
    ['null', 'null', ErrorCode.InvalidMessage],
    ['number', '42', ErrorCode.InvalidMessage],
    ['string', '"subscribe"', ErrorCode.InvalidMessage],
    ['array', '[{"type":"ping"}]', ErrorCode.InvalidMessage],
    ['true', 'true', ErrorCode.InvalidMessage],
    ['not text (Buffer-like)', { type: 'ping' }, ErrorCode.InvalidMessage],
    ['undefined', undefined, ErrorCode.InvalidMessage],
    ['missing type', '{"channel":"issue:1"}', ErrorCode.InvalidMessage],
    ['numeric type', '{"type":1}', ErrorCode.InvalidMessage],
    ['null type', '{"type":null}', ErrorCode.InvalidMessage],
    ['unknown type', '{"type":"publish","channel":"issue:1"}', ErrorCode.UnknownType],
    ['server type from a client', '{"type":"event","channel":"issue:1","event":"x","data":1}', ErrorCode.UnknownType],
    ['type named like a prototype member', '{"type":"toString"}', ErrorCode.UnknownType],
    ['subscribe without channel', '{"type":"subscribe"}', ErrorCode.InvalidChannel],
    ['channel is a number', '{"type":"subscribe","channel":123}', ErrorCode.InvalidChannel],
    ['channel with unknown kind', '{"type":"subscribe","channel":"user:1"}', ErrorCode.InvalidChannel],
    ['channel without id', '{"type":"subscribe","channel":"issue:"}', ErrorCode.InvalidChannel],
    ['path traversal channel', '{"type":"subscribe","channel":"issue:../x"}', ErrorCode.InvalidChannel],
    ['dot-dot id', '{"type":"subscribe","channel":"issue:.."}', ErrorCode.InvalidChannel],
    ['channel with spaces', '{"type":"subscribe","channel":"issue:1 2"}', ErrorCode.InvalidChannel],
    ['channel with a glob', '{"type":"subscribe","channel":"project:*"}', ErrorCode.InvalidChannel],
    [
      'id of 129 chars',
      JSON.stringify({ type: 'subscribe', channel: `issue:${'a'.repeat(129)}` }),
      ErrorCode.InvalidChannel,
    ],
    ['unsubscribe with bad channel', '{"type":"unsubscribe","channel":"agent:a/b"}', ErrorCode.InvalidChannel],
    [
      'channel of 1 MB',
      JSON.stringify({ type: 'subscribe', channel: `issue:${'1'.repeat(1 << 20)}` }),
      ErrorCode.MessageTooLarge,
    ],
    [
      '1 MB with a raised limit',
      JSON.stringify({ type: 'subscribe', channel: `issue:${'1'.repeat(1 << 20)}` }),
      ErrorCode.InvalidChannel,
    ],
    ['since without epoch', '{"type":"subscribe","channel":"issue:1","since":{"offset":3}}', ErrorCode.InvalidMessage],
    [
      'since with negative offset',
      '{"type":"subscribe","channel":"issue:1","since":{"epoch":"e","offset":-1}}',
      ErrorCode.InvalidMessage,
    ],
    [
      'since with fractional offset',
      '{"type":"subscribe","channel":"issue:1","since":{"epoch":"e","offset":1.5}}',
      ErrorCode.InvalidMessage,
    ],
    ['since as a string', '{"type":"subscribe","channel":"issue:1","since":"5"}', ErrorCode.InvalidMessage],
    ['tail too large', '{"type":"subscribe","channel":"agent:a","tail":1e9}', ErrorCode.InvalidMessage],
    ['snapshot as a string', '{"type":"subscribe","channel":"project:p","snapshot":"yes"}', ErrorCode.InvalidMessage],
    ['ping id as an object', '{"type":"ping","id":{}}', ErrorCode.InvalidMessage],
    ['__proto__ key', '{"type":"ping","__proto__":{"polluted":true}}', ErrorCode.ForbiddenKey],
    ['escaped __proto__ key', '{"type":"ping","\\u005f_proto__":{"polluted":true}}', ErrorCode.ForbiddenKey],
    [
      'constructor key',
      '{"type":"subscribe","channel":"issue:1","constructor":{"prototype":{}}}',
      ErrorCode.ForbiddenKey,
    ],
    ['nesting 10 000 deep', `{"type":"ping","x":${deep(10_000)}}`, ErrorCode.TooDeep],
    ['nesting just past the limit', `{"type":"ping","x":${deep(16)}}`, ErrorCode.TooDeep],
    ['bare deep array', deep(10_000), ErrorCode.TooDeep],
  ];

  it('rejects frames with every frame-level code it has, each stated by the parser itself', () => {
    const codes = new Set(
      malformed.map(([name, input]) => {
        const result = parseClientMessage(
          input,
          name === '1 MB with a raised limit' ? { maxLength: 2 << 20 } : undefined,
        );
        return result.ok ? 'accepted' : result.error.code;
      }),
    );
    // A client frame is refused for what it is (not what it asks for): each of these reasons must be reachable.
    expect(codes).toEqual(
      new Set([
        ErrorCode.InvalidJson,
        ErrorCode.InvalidMessage,
        ErrorCode.UnknownType,
        ErrorCode.InvalidChannel,
        ErrorCode.MessageTooLarge,
        ErrorCode.ForbiddenKey,
        ErrorCode.TooDeep,
      ]),
    );
  });

  it.each(malformed)('rejects %s', (name, input, code) => {
    const options = name === '1 MB with a raised limit' ? { maxLength: 2 << 20 } : undefined;
    let result: ReturnType<typeof parseClientMessage> | undefined;
    expect(() => {
      result = parseClientMessage(input, options);
    }).not.toThrow();
    expect(result?.ok).toBe(false);
    if (result && !result.ok) {
      expect(result.error.code).toBe(code);
      expect(result.error.message.length).toBeLessThan(200);
    }
  });

  it('accepts "__proto__" as a value, only rejecting it as a key', () => {
    const result = parseClientMessage('{"type":"ping","id":"__proto__"}');
    expect(result.ok).toBe(true);
  });

  it('does not pollute Object.prototype', () => {
    parseClientMessage('{"type":"ping","__proto__":{"polluted":true}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('parseServerMessage', () => {
  const valid: ServerMessage[] = [
    { type: 'connected', clientId: '0b7c' },
    { type: 'connected', clientId: 'c1', protocol: 1, features: ['resume', 'snapshot'] },
    { type: 'subscribed', channel: 'issue:123' },
    { type: 'subscribed', channel: 'issue:123', epoch: 'e1', offset: 10, recovered: true, replayed: 3 },
    { type: 'unsubscribed', channel: 'issue:123' },
    { type: 'pong' },
    {
      type: 'event',
      channel: 'issue:123',
      event: 'status_changed',
      data: { issueId: '123', oldStatus: 'in_progress', newStatus: 'done' },
    },
    {
      type: 'event',
      channel: 'agent:opus-1',
      event: 'output_batch',
      data: { timestamp: 1, lines: ['a', 'b'] },
      offset: 9,
      epoch: 'e1',
    },
    { type: 'error', message: 'Invalid message' },
    { type: 'error', message: 'no', code: 'forbidden', channel: 'agent:x' },
    {
      type: 'snapshot',
      channel: 'project:p',
      data: { issues: [{ issueId: '1', status: 'todo' }], agents: [{ agentId: 'a', status: 'idle' }] },
    },
    { type: 'tail', channel: 'agent:a', lines: ['x'], offset: 4, epoch: 'e' },
  ];

  it.each(valid)('round-trips $type', (message) => {
    expect(parseServerMessage(encode(message))).toEqual({ ok: true, message });
  });

  it('keeps an error with an unknown code, dropping the code', () => {
    const result = parseServerMessage('{"type":"error","message":"x","code":"from_the_future"}');
    expect(result).toEqual({ ok: true, message: { type: 'error', message: 'x', code: undefined } });
  });

  it.each([
    ['{"type":"event","channel":"issue:1","event":"x"}', ErrorCode.InvalidMessage],
    ['{"type":"event","channel":"nope","event":"x","data":1}', ErrorCode.InvalidChannel],
    ['{"type":"connected"}', ErrorCode.InvalidMessage],
    ['{"type":"subscribed","channel":"issue:1","offset":-2}', ErrorCode.InvalidMessage],
    ['{"type":"hello"}', ErrorCode.UnknownType],
    [`{"type":"event","channel":"issue:1","event":"x","data":${deep(100)}}`, ErrorCode.TooDeep],
  ])('rejects %s', (input, code) => {
    const result = parseServerMessage(input);
    expect(result.ok ? null : result.error.code).toBe(code);
  });
});

describe('channels', () => {
  it('parses the three kinds', () => {
    expect(parseChannel('issue:42')).toEqual({ kind: 'issue', id: '42' });
    expect(parseChannel('agent:opus-1')).toEqual({ kind: 'agent', id: 'opus-1' });
    expect(parseChannel('project:my.project_2')).toEqual({ kind: 'project', id: 'my.project_2' });
  });

  it.each(['issue', 'issue:', ':1', 'Issue:1', 'issue:1:2', 'issue:ü', `agent:${'x'.repeat(129)}`, 'issue:.'])(
    'rejects %j',
    (value) => {
      expect(isChannel(value)).toBe(false);
    },
  );
});

describe('validateEvent', () => {
  it('accepts every seed event shape', () => {
    expect(validateEvent('issue_created', { issueId: '1', title: 'x', status: 'todo' })).toBeNull();
    expect(validateEvent('issue_updated', { issueId: '1', title: 'y' })).toBeNull();
    expect(validateEvent('status_changed', { issueId: '1', oldStatus: 'todo', newStatus: 'done' })).toBeNull();
    expect(validateEvent('stage_changed', { issueId: '1', oldStage: 'plan', newStage: 'test' })).toBeNull();
    expect(validateEvent('agent_assigned', { issueId: '1', agentId: 'opus-1' })).toBeNull();
    expect(validateEvent('agent_started', { agentId: 'opus-1', issueId: '1', stage: 'implement' })).toBeNull();
    expect(validateEvent('output', { timestamp: 1, content: 'x' })).toBeNull();
    expect(validateEvent('output_batch', { timestamp: 1, lines: ['x'] })).toBeNull();
    expect(validateEvent('agent_status', { agentId: 'a', status: 'waiting_for_input' })).toBeNull();
  });

  it('lets unknown events through with any payload', () => {
    expect(validateEvent('comment_added', { anything: [1, 2] })).toBeNull();
  });

  it('rejects bad payloads and names with invalid_event', () => {
    expect(validateEvent('status_changed', { issueId: '1' })?.code).toBe(ErrorCode.InvalidEvent);
    expect(validateEvent('output_batch', { timestamp: 1, lines: 'x' })?.code).toBe(ErrorCode.InvalidEvent);
    expect(validateEvent('agent_status', { agentId: 'a', status: 'sleeping' })?.code).toBe(ErrorCode.InvalidEvent);
    expect(validateEvent('Bad Name', {})?.code).toBe(ErrorCode.InvalidEvent);
    expect(validateEvent(42, {})?.code).toBe(ErrorCode.InvalidEvent);
    expect(validateEvent('hub.resync', { channel: 'agent:a' })?.code).toBe(ErrorCode.InvalidEvent);
  });
});
