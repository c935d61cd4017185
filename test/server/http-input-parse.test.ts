import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/shared/errors';
import { HubError } from '../../src/server/hub-error';
import {
  MAX_SSE_CHANNELS,
  decodePathSegment,
  parseAgentId,
  parseLastEventId,
  parsePublishBody,
  readBody,
  resumePositions,
  sseChannels,
} from '../../src/server/http-input';

/** A real stream standing in for a request body, with the headers readBody reads. */
function body(headers: Record<string, string | string[]> = {}): PassThrough & IncomingMessage {
  return Object.assign(new PassThrough(), { headers }) as unknown as PassThrough & IncomingMessage;
}

/** The code and message of what `action` throws (or of the promise it returns rejecting). */
async function refusal(action: () => unknown): Promise<{ code: ErrorCode; message: string }> {
  try {
    await action();
  } catch (error) {
    if (!(error instanceof HubError)) throw error;
    return { code: error.code, message: error.message };
  }
  throw new Error('nothing was refused');
}

describe('readBody', () => {
  it('reads the chunks as UTF-8, a character split across two of them too', async () => {
    const request = body();
    const text = readBody(request, 100);
    const bytes = Buffer.from('{"a":"café"}');
    request.write(bytes.subarray(0, 10));
    request.end(bytes.subarray(10));

    await expect(text).resolves.toBe('{"a":"café"}');
  });

  it('reads an empty body', async () => {
    const request = body();
    const text = readBody(request, 0);
    request.end();
    await expect(text).resolves.toBe('');
  });

  it('refuses a declared Content-Length past the limit at once, and drains the body', async () => {
    const request = body({ 'content-length': '11' });

    expect(await refusal(() => readBody(request, 10))).toEqual({
      code: ErrorCode.MessageTooLarge,
      message: 'body is larger than 10 bytes',
    });
    expect(request.readableFlowing).toBe(true);
    expect(request.listenerCount('data')).toBe(0);
  });

  it.each([
    ['exactly the limit', { 'content-length': '10' }],
    ['no number', { 'content-length': 'ten' }],
    ['Infinity', { 'content-length': 'Infinity' }],
    ['nothing', {}],
  ])('reads the body when Content-Length declares %s', async (_case, headers) => {
    const request = body(headers);
    const text = readBody(request, 10);
    request.end('0123456789');
    await expect(text).resolves.toBe('0123456789');
  });

  it('refuses a body whose bytes pass the limit, counting bytes and not characters', async () => {
    const request = body();
    const text = readBody(request, 10);
    request.write('éééé'); // 8 bytes
    request.write('ab'); // 10
    request.write('c'); // 11

    expect(await refusal(() => text)).toEqual({
      code: ErrorCode.MessageTooLarge,
      message: 'body is larger than 10 bytes',
    });
    expect(request.listenerCount('data')).toBe(0);
    expect(request.readableFlowing).toBe(true);
  });

  it('refuses a body cut short', async () => {
    const request = body();
    const text = readBody(request, 10);
    request.destroy(new Error('aborted'));

    expect(await refusal(() => text)).toEqual({
      code: ErrorCode.InvalidRequest,
      message: 'the request body was cut short',
    });
  });
});

describe('parsePublishBody', () => {
  it('reads {channel, event, data}', () => {
    expect(parsePublishBody('{"channel":"issue:1","event":"update","data":{"a":[1]}}')).toEqual({
      channel: 'issue:1',
      event: 'update',
      data: { a: [1] },
    });
  });

  it.each<[string, string, ErrorCode, string]>([
    [
      'nesting past 32 levels',
      `{"channel":"issue:1","event":"e","data":${'['.repeat(33)}${']'.repeat(33)}}`,
      ErrorCode.TooDeep,
      'message nests deeper than 32',
    ],
    [
      'a forbidden key',
      '{"channel":"issue:1","event":"e","data":{"__proto__":1}}',
      ErrorCode.ForbiddenKey,
      'message contains a forbidden key',
    ],
    ['text that is not JSON', '{"channel":', ErrorCode.InvalidJson, 'body is not valid JSON'],
    ['an empty body', '', ErrorCode.InvalidJson, 'body is not valid JSON'],
    ['not an object', '[1]', ErrorCode.InvalidMessage, 'body must be {channel, event, data}'],
    [
      'a missing event',
      '{"channel":"issue:1","data":1}',
      ErrorCode.InvalidMessage,
      'body must be {channel, event, data}',
    ],
    [
      'an event that is no string',
      '{"channel":"issue:1","event":1,"data":1}',
      ErrorCode.InvalidMessage,
      'body must be {channel, event, data}',
    ],
    [
      'a channel that is no string',
      '{"channel":1,"event":"e","data":1}',
      ErrorCode.InvalidMessage,
      'body must be {channel, event, data}',
    ],
    [
      'a key more',
      '{"channel":"issue:1","event":"e","data":1,"x":1}',
      ErrorCode.InvalidMessage,
      'body must be {channel, event, data}',
    ],
    ['an invalid channel', '{"channel":"issue:a b","event":"e","data":1}', ErrorCode.InvalidChannel, 'invalid channel'],
    [
      'an unknown kind of channel',
      '{"channel":"board:1","event":"e","data":1}',
      ErrorCode.InvalidChannel,
      'invalid channel',
    ],
  ])('refuses %s', async (_case, text, code, message) => {
    expect(await refusal(() => parsePublishBody(text))).toEqual({ code, message });
  });

  it('allows nesting of exactly 32 levels', () => {
    const data = `${'['.repeat(31)}${']'.repeat(31)}`;
    expect(parsePublishBody(`{"channel":"issue:1","event":"e","data":${data}}`).channel).toBe('issue:1');
  });
});

describe('decodePathSegment', () => {
  it('decodes percent-escapes', () => {
    expect(decodePathSegment('a%20b%2Fc')).toBe('a b/c');
  });

  it('leaves a malformed escape as it is rather than throwing', () => {
    expect(decodePathSegment('%E0%A4%A')).toBe('%E0%A4%A');
  });
});

describe('parseAgentId', () => {
  it('gives the decoded id', () => {
    expect(parseAgentId('ag%65nt-1.x_y')).toBe('agent-1.x_y');
  });

  it.each([
    ['an escaped slash', 'a%2Fb'],
    ['a malformed escape', '%E0%A4%A'],
    ['"..", escaped', '%2E%2E'],
    ['an empty id', ''],
  ])('refuses %s', async (_case, raw) => {
    expect(await refusal(() => parseAgentId(raw))).toEqual({
      code: ErrorCode.InvalidChannel,
      message: 'invalid agent id',
    });
  });
});

describe('sseChannels', () => {
  const channels = (count: number) => Array.from({ length: count }, (_, i) => `issue:${i}`);

  it('gives each channel once, in the order asked', () => {
    expect(sseChannels(['issue:2', 'agent:a', 'issue:2', 'issue:1'])).toEqual(['issue:2', 'agent:a', 'issue:1']);
  });

  it(`allows ${MAX_SSE_CHANNELS} channels, counting repeats once`, () => {
    expect(MAX_SSE_CHANNELS).toBe(64);
    expect(sseChannels(channels(64))).toHaveLength(64);
    expect(sseChannels([...channels(64), 'issue:0'])).toHaveLength(64);
  });

  it.each([
    ['none', []],
    ['one more than 64', channels(65)],
  ])('refuses %s', async (_case, requested) => {
    expect(await refusal(() => sseChannels(requested))).toEqual({
      code: ErrorCode.InvalidMessage,
      message: 'give 1–64 ?channel= parameters',
    });
  });
});

describe('parseLastEventId', () => {
  it('reads every channel position of an id SseStream writes', () => {
    expect(parseLastEventId('issue:1@ab12cd34:57,agent:a.b_c-D9@aZ_-09:0')).toEqual(
      new Map([
        ['issue:1', { epoch: 'ab12cd34', offset: 57 }],
        ['agent:a.b_c-D9', { epoch: 'aZ_-09', offset: 0 }],
      ]),
    );
  });

  it('trims the parts, and skips those it does not know', () => {
    expect(
      parseLastEventId(' issue:1@e:5 ,junk,x issue:2@e:1,issue:3@e:1x,board:1@e:1,issue:a b@e:1,issue:4@:1,issue:5@e:'),
    ).toEqual(new Map([['issue:1', { epoch: 'e', offset: 5 }]]));
  });

  it('takes epochs of up to 64 characters and offsets of up to 15 digits', () => {
    const epoch = 'e'.repeat(64);
    const positions = parseLastEventId(
      `issue:1@${epoch}:999999999999999,issue:2@${epoch}e:1,issue:3@e:1000000000000000`,
    );
    expect(positions).toEqual(new Map([['issue:1', { epoch, offset: 999_999_999_999_999 }]]));
  });

  it('reads nothing from nothing, and from an id past 64 KiB', () => {
    expect(parseLastEventId(undefined).size).toBe(0);
    expect(parseLastEventId('').size).toBe(0);
    const padded = (length: number) => `issue:1@e:5,${'x'.repeat(length - 'issue:1@e:5,'.length)}`;
    expect(parseLastEventId(padded(64 * 1024)).size).toBe(1);
    expect(parseLastEventId(padded(64 * 1024 + 1)).size).toBe(0);
  });
});

describe('resumePositions', () => {
  const request = (header?: string | string[]) =>
    ({ headers: header === undefined ? {} : { 'last-event-id': header } }) as unknown as IncomingMessage;

  it('reads the Last-Event-ID header, the first one when there are several', () => {
    expect(resumePositions(request('issue:1@e:5'))).toEqual(new Map([['issue:1', { epoch: 'e', offset: 5 }]]));
    expect(resumePositions(request(['issue:1@e:5', 'issue:2@e:6']))).toEqual(
      new Map([['issue:1', { epoch: 'e', offset: 5 }]]),
    );
    expect(resumePositions(request()).size).toBe(0);
  });
});
