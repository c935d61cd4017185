import type { IncomingMessage } from 'node:http';
import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/shared/errors';
import { MAX_UPGRADE_HEADERS, hasTooManyHeaders, rejectUpgrade, tokenFromRequest } from '../../src/server/upgrade';

/** The parts of a request these helpers read; the hub tests cover them on real upgrades. */
function request(parts: { url?: string; authorization?: string; rawHeaders?: string[] }): IncomingMessage {
  return {
    url: parts.url,
    headers: parts.authorization === undefined ? {} : { authorization: parts.authorization },
    rawHeaders: parts.rawHeaders ?? [],
  } as IncomingMessage;
}

/** A real Duplex that records what is written to it and reports when it is destroyed. */
function socket(): Duplex & { written: () => string; destroyedSoon: Promise<void> } {
  const chunks: Buffer[] = [];
  let onDestroy: () => void = () => {};
  const destroyedSoon = new Promise<void>((resolve) => (onDestroy = resolve));
  const duplex = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      callback();
    },
    destroy(error, callback) {
      onDestroy();
      callback(error);
    },
  });
  return Object.assign(duplex, { written: () => Buffer.concat(chunks).toString(), destroyedSoon });
}

describe('tokenFromRequest', () => {
  it.each([
    ['a ?token= query', { url: '/ws?token=abc' }, 'abc'],
    ['a token among other parameters', { url: '/ws?a=1&token=x.y.z&b=2' }, 'x.y.z'],
    ['a percent-encoded token', { url: '/ws?token=a%2Bb' }, 'a+b'],
    ['a Bearer header', { url: '/ws', authorization: 'Bearer abc' }, 'abc'],
    ['a lower-case bearer with a tab and padding', { authorization: 'bearer\t abc  ' }, 'abc'],
    ['a Bearer header over the query', { url: '/ws?token=q', authorization: 'BEARER h' }, 'h'],
    ['no query', { url: '/ws' }, null],
    ['token= without a "?" before it', { url: '/ws&token=abc' }, null],
    ['no url at all', {}, null],
    ['a query without token', { url: '/ws?x=1' }, null],
    ['an empty Bearer', { url: '/ws?token=q', authorization: 'Bearer   ' }, null],
    ['another scheme, falling back to the query', { url: '/ws?token=q', authorization: 'Basic abc' }, 'q'],
    ['a scheme that only starts with bearer', { url: '/ws', authorization: 'Bearerabc' }, null],
    ['a header with the scheme not first', { url: '/ws', authorization: 'x Bearer abc' }, null],
  ])('reads %s', (_case, parts, expected) => {
    expect(tokenFromRequest(request(parts), true)).toBe(expected);
  });

  it('ignores ?token= where only a header is accepted, and still reads the header', () => {
    expect(tokenFromRequest(request({ url: '/api/whoami?token=q' }), false)).toBeNull();
    expect(tokenFromRequest(request({ url: '/api/whoami?token=q', authorization: 'Bearer h' }), false)).toBe('h');
  });
});

describe('hasTooManyHeaders', () => {
  const headers = (count: number) => Array.from({ length: count }, (_, i) => [`x-h${i}`, 'v']).flat();

  it(`allows up to ${MAX_UPGRADE_HEADERS} headers and refuses one more`, () => {
    expect(MAX_UPGRADE_HEADERS).toBe(100);
    expect(hasTooManyHeaders(request({ rawHeaders: headers(0) }))).toBe(false);
    expect(hasTooManyHeaders(request({ rawHeaders: headers(100) }))).toBe(false);
    expect(hasTooManyHeaders(request({ rawHeaders: headers(101) }))).toBe(true);
  });
});

describe('rejectUpgrade', () => {
  it('writes an HTTP error with a JSON body and a matching Content-Length, then destroys the socket', async () => {
    const s = socket();

    rejectUpgrade(s, 401, ErrorCode.Unauthorized, 'unauthorized: token expired');
    await s.destroyedSoon;

    const body = JSON.stringify({ error: { code: 'unauthorized', message: 'unauthorized: token expired' } });
    expect(s.written()).toBe(
      'HTTP/1.1 401 Unauthorized\r\n' +
        'Connection: close\r\n' +
        'Content-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` +
        body,
    );
    expect(s.destroyed).toBe(true);
  });

  it('counts the body in bytes, not characters', async () => {
    const s = socket();
    rejectUpgrade(s, 403, ErrorCode.Forbidden, 'café');
    await s.destroyedSoon;
    const [head, body] = s.written().split('\r\n\r\n') as [string, string];
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(body)}`);
    expect(Buffer.byteLength(body)).toBe(body.length + 1);
  });

  it('leaves the reason phrase empty for a status Node does not know', async () => {
    const s = socket();
    rejectUpgrade(s, 599, ErrorCode.Unavailable, 'x');
    await s.destroyedSoon;
    expect(s.written().startsWith('HTTP/1.1 599 \r\n')).toBe(true);
  });

  it('destroys the socket on an error while the answer is written, rather than letting it go uncaught', () => {
    // A peer that never takes the bytes: the answer stays unwritten, as on a socket reset mid-write.
    const s = new Duplex({ read() {}, write() {} });

    rejectUpgrade(s, 401, ErrorCode.Unauthorized, 'x');

    expect(s.listenerCount('error')).toBe(1);
    expect(() => s.emit('error', new Error('ECONNRESET'))).not.toThrow();
    expect(s.destroyed).toBe(true);
  });

  it('adds no error listener to a socket that has one', () => {
    const s = socket();
    const errors: Error[] = [];
    s.on('error', (error) => errors.push(error));

    rejectUpgrade(s, 401, ErrorCode.Unauthorized, 'x');
    s.emit('error', new Error('ECONNRESET'));

    expect(s.listenerCount('error')).toBe(1);
    expect(errors).toHaveLength(1);
  });

  it('writes nothing to a socket that is already destroyed', () => {
    const s = socket();
    s.destroy();
    rejectUpgrade(s, 401, ErrorCode.Unauthorized, 'x');
    expect(s.written()).toBe('');
  });
});
