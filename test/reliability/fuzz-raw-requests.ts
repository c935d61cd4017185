/**
 * Raw HTTP/1.1 requests for the request-target fuzzer: odd targets (every
 * form RFC 9112 names and many it does not), methods, header shapes, chunked
 * bodies, pipelining and upgrades — bytes a client library would refuse to
 * send. fast-check arbitraries, so a run replays from its seed.
 */
import fc from 'fast-check';
import { webSocketKey } from './attack-raw-http';

export interface FuzzTokens {
  /** Every channel, may publish. */
  all: string;
  /** A token the hub refuses (signed with another key). */
  forged: string;
}

/** One raw request: written in `parts` (a split write tests the parser's resumption), maybe cut short. */
export interface RawRequest {
  kind: string;
  parts: Buffer[];
  /** Reset the connection (RST) right after writing, instead of half-closing and reading the answer. */
  reset?: boolean;
}

/** Targets that have crashed or confused URL parsers: the hub must answer each with a 4xx (or route it). */
export const EDGE_TARGETS = [
  '//',
  '///',
  '//ws',
  '//healthz',
  '/\\evil.example/',
  '*',
  'example.com:443',
  '[::1]:80',
  'http://a:99999/x',
  'http://[::1/x',
  'http://%zz/',
  'http://x:65536/',
  'http://x:65536/ws',
  'http://user:pass@host/healthz',
  'http://host',
  'http://host?token=x',
  'HTTP://HOST/healthz',
  'https://h/ws',
  'ws://h/ws',
  'file:///etc/passwd',
  'javascript:alert(1)',
  'mailto:a@b',
  '/%',
  '/%zz',
  '/%E0%A4%A',
  '/%00',
  '/events/%',
  '/events/%2e%2e',
  '/events/..',
  '/events/a/../../healthz',
  '/api/agents/%/output',
  '/api/agents/%E0%A4%A/output',
  '/ws/../ws',
  '/./healthz',
  '/?',
  '/?&&&',
  '/?token',
  '/?token=&token=',
  '/#frag',
  '/healthz#',
  '/healthz?%zz=%zz',
  '/events?channel=%zz&token=%zz',
  '/' + 'a'.repeat(8 * 1024),
  '/events?' + 'channel=issue:1&'.repeat(500),
];

const METHODS = ['GET', 'POST', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'PATCH', 'TRACE', 'CONNECT', 'get', 'BREW', 'G'];

const ROUTES = ['/healthz', '/metrics', '/api/whoami', '/api/projects', '/api/publish', '/api/agents/a/output'];

function target(tokens: FuzzTokens): fc.Arbitrary<string> {
  const segment = fc.oneof(
    fc.constantFrom('ws', 'events', 'api', 'publish', 'agents', 'a', 'output', 'healthz', '..', '.', '', '%2F', '%'),
    fc.stringMatching(/^[\w.~%!$&'()*+,;=:@-]{0,12}$/),
  );
  const path = fc.array(segment, { maxLength: 6 }).map((parts) => `/${parts.join('/')}`);
  const query = fc.oneof(
    fc.constant(''),
    fc.constantFrom(`?token=${tokens.all}`, `?token=${tokens.forged}`, '?channel=issue:1', '?channel=%zz&token='),
    fc.stringMatching(/^\?[\w.~%!$&'()*+,;=:@/?-]{0,40}$/),
  );
  const authority = fc.constantFrom('h', 'h:1', 'h:99999', '[::1]', '[::1', '%zz', 'a@b', '', 'x:65536', '[v1.x]');
  const scheme = fc.constantFrom('http', 'https', 'HTTP', 'ws', 'ftp', 'h t');
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...EDGE_TARGETS) },
    { weight: 2, arbitrary: fc.tuple(path, query).map(([p, q]) => p + q) },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...ROUTES), query).map(([p, q]) => p + q) },
    {
      weight: 2,
      arbitrary: fc.tuple(scheme, authority, path, query).map(([s, a, p, q]) => `${s}://${a}${p}${q}`),
    },
    { weight: 1, arbitrary: fc.tuple(authority, fc.nat(70_000)).map(([a, port]) => `${a}:${port}`) },
  );
}

function headerLines(tokens: FuzzTokens): fc.Arbitrary<string[]> {
  const shape = fc.constantFrom(
    'none',
    'duplicate-host',
    'no-host',
    'huge-header',
    'many-headers',
    'odd-chars',
    'obs-fold',
    'bearer',
    'bad-bearer',
    'origin',
    'duplicate-origin',
    'conflicting-length',
    'length-and-chunked',
    'last-event-id',
  );
  return fc.tuple(fc.array(shape, { minLength: 1, maxLength: 3 }), fc.nat(40_000)).map(([shapes, size]) => {
    const lines: string[] = [];
    if (!shapes.includes('no-host')) lines.push('Host: 127.0.0.1');
    for (const s of shapes) {
      if (s === 'duplicate-host') lines.push('Host: other.example', 'Host: 127.0.0.1:1');
      else if (s === 'huge-header') lines.push(`X-Huge: ${'h'.repeat(size)}`);
      else if (s === 'many-headers') for (let i = 0; i < 200; i++) lines.push(`X-Many-${i}: ${i}`);
      else if (s === 'odd-chars') lines.push('X-Odd: caf\u00e9 \u007f', 'X-\u00e9: 1', 'x-empty:', ': no-name');
      else if (s === 'obs-fold') lines.push('X-Folded: one', ' two');
      else if (s === 'bearer') lines.push(`Authorization: Bearer ${tokens.all}`);
      else if (s === 'bad-bearer') lines.push('Authorization: Bearer', 'Authorization: Basic Zm9v');
      else if (s === 'origin') lines.push('Origin: https://evil.example');
      else if (s === 'duplicate-origin') lines.push('Origin: null', 'Origin: https://evil.example');
      else if (s === 'conflicting-length') lines.push('Content-Length: 5', 'Content-Length: 6');
      else if (s === 'length-and-chunked') lines.push('Content-Length: 3', 'Transfer-Encoding: chunked');
      else if (s === 'last-event-id') lines.push(`Last-Event-ID: ${'issue:1@x:1,'.repeat(size % 6000)}`);
    }
    return lines;
  });
}

const PUBLISH_BODY = JSON.stringify({ channel: 'issue:1', event: 'status_changed', data: { issueId: '1' } });

/** Chunked bodies: good ones, bad sizes, extensions, trailers, and bodies cut short. */
const chunkedBody = fc.constantFrom(
  `${PUBLISH_BODY.length.toString(16)}\r\n${PUBLISH_BODY}\r\n0\r\n\r\n`,
  `${PUBLISH_BODY.length.toString(16)};ext=1\r\n${PUBLISH_BODY}\r\n0\r\nX-Trailer: t\r\n\r\n`,
  'zz\r\nabc\r\n0\r\n\r\n',
  '-1\r\nabc\r\n0\r\n\r\n',
  'ffffffffffffffff\r\nabc\r\n0\r\n\r\n',
  '10000000\r\nabc',
  '3\r\nabcdef\r\n0\r\n\r\n',
  '3\r\nab',
  '0\r\n',
  '0\r\nX-Trailer: t\r\nX-Trailer: \u00e9\r\n\r\n',
  '1\r\n{\r\n1\r\n}\r\n0\r\n\r\n',
  '\r\n\r\n',
);

function upgradeLines(tokens: FuzzTokens): fc.Arbitrary<string[]> {
  return fc.constantFrom(
    ['Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${webSocketKey()}`, 'Sec-WebSocket-Version: 13'],
    ['Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13'],
    ['Upgrade: websocket', 'Connection: Upgrade', `Sec-WebSocket-Key: ${webSocketKey()}`, 'Sec-WebSocket-Version: 8'],
    ['Upgrade: h2c', 'Connection: Upgrade, HTTP2-Settings', 'HTTP2-Settings: AAMAAABkAAQAAP__'],
    ['Upgrade: websocket', 'Connection: keep-alive, Upgrade', `Sec-WebSocket-Key: ${webSocketKey()}`],
    [
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${webSocketKey()}`,
      'Sec-WebSocket-Version: 13',
      `Authorization: Bearer ${tokens.all}`,
    ],
  );
}

/** Random requests; `kind` names the shape for the report. */
export function rawRequest(tokens: FuzzTokens): fc.Arbitrary<RawRequest> {
  const plain = fc
    .tuple(fc.constantFrom(...METHODS), target(tokens), headerLines(tokens), fc.boolean())
    .map(([method, t, headers, split]) => {
      const text = `${method} ${t} HTTP/1.1\r\n${headers.map((h) => `${h}\r\n`).join('')}Connection: close\r\n\r\n`;
      return { kind: 'plain', parts: splitBytes(Buffer.from(text, 'latin1'), split) };
    });
  const chunked = fc
    .tuple(
      fc.constantFrom('/api/publish', '/api/agents/a/output', '/api/publish?token=x', '//api/publish', '*'),
      chunkedBody,
      fc.boolean(),
    )
    .map(([t, body, authorized]) => {
      const head =
        `POST ${t} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
        (authorized ? `Authorization: Bearer ${tokens.all}\r\n` : '') +
        'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n';
      return { kind: 'chunked', parts: [Buffer.from(head + body, 'latin1')] };
    });
  const pipelined = fc
    .array(fc.tuple(fc.constantFrom('GET', 'HEAD', 'POST'), target(tokens)), { minLength: 2, maxLength: 8 })
    .map((requests) => {
      const text = requests
        .map(([method, t], i) => {
          const last = i === requests.length - 1;
          const body = method === 'POST' ? `Content-Length: ${PUBLISH_BODY.length}\r\n` : '';
          return (
            `${method} ${t} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${tokens.all}\r\n${body}` +
            `${last ? 'Connection: close\r\n' : ''}\r\n${method === 'POST' ? PUBLISH_BODY : ''}`
          );
        })
        .join('');
      return { kind: 'pipelined', parts: [Buffer.from(text, 'latin1')] };
    });
  const upgrade = fc
    .tuple(target(tokens), upgradeLines(tokens), fc.constantFrom('GET', 'POST', 'CONNECT'))
    .map(([t, lines, method]) => {
      const text = `${method} ${t} HTTP/1.1\r\nHost: 127.0.0.1\r\n${lines.map((l) => `${l}\r\n`).join('')}\r\n`;
      return { kind: 'upgrade', parts: [Buffer.from(text, 'latin1')] };
    });
  const garbage = fc.uint8Array({ minLength: 1, maxLength: 512 }).map((bytes) => ({
    kind: 'garbage',
    parts: [Buffer.concat([Buffer.from('GET '), Buffer.from(bytes)])],
  }));
  const request = fc.oneof(
    { weight: 5, arbitrary: plain },
    { weight: 2, arbitrary: chunked },
    { weight: 2, arbitrary: pipelined },
    { weight: 2, arbitrary: upgrade },
    { weight: 1, arbitrary: garbage },
  );
  // One in ten is reset right after it is written: the hub then answers into a dead socket.
  return fc.tuple(request, fc.nat(9)).map(([r, n]) => ({ ...r, reset: n === 0 }));
}

function splitBytes(bytes: Buffer, split: boolean): Buffer[] {
  if (!split || bytes.length < 4) return [bytes];
  const at = 1 + (bytes.length % (bytes.length - 2));
  return [bytes.subarray(0, at), bytes.subarray(at)];
}
