import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { parseRequestTarget, requestTarget } from '../../src/server/request-target';

/** What a parse gives, as plain data: the path and the query's pairs in order. */
function parsed(raw: string): { pathname: string; query: [string, string][] } | null {
  const target = parseRequestTarget(raw);
  return target && { pathname: target.pathname, query: [...target.query] };
}

describe('parseRequestTarget', () => {
  it.each<[string, string, { pathname: string; query: [string, string][] }]>([
    ['a path', '/api/whoami', { pathname: '/api/whoami', query: [] }],
    [
      'a path and query',
      '/events?channel=a&channel=b',
      {
        pathname: '/events',
        query: [
          ['channel', 'a'],
          ['channel', 'b'],
        ],
      },
    ],
    ['dot segments, resolved', '/a/../b/./c', { pathname: '/b/c', query: [] }],
    ['percent-escapes, kept', '/events/x%20y', { pathname: '/events/x%20y', query: [] }],
    ['a fragment, dropped', '/a#b?c=1', { pathname: '/a', query: [] }],
    ['a leading "//", as a path and not a host', '//evil.example/x', { pathname: '//evil.example/x', query: [] }],
    [
      'absolute-form, by its path',
      'http://hub.example:8080/api/publish?x=1',
      { pathname: '/api/publish', query: [['x', '1']] },
    ],
    ['absolute-form over https, any case', 'HTTPS://Hub.Example/healthz', { pathname: '/healthz', query: [] }],
    ['absolute-form with no path', 'http://hub.example', { pathname: '/', query: [] }],
    [
      'absolute-form with a query and no path',
      'http://hub.example?token=t',
      { pathname: '/', query: [['token', 't']] },
    ],
    ['absolute-form with an empty authority', 'http:///x', { pathname: '/x', query: [] }],
    ['absolute-form with a newline in its path', 'http://h/a\nb', { pathname: '/ab', query: [] }],
    [
      'absolute-form whose path names another host',
      'http://h//evil.example/x',
      { pathname: '//evil.example/x', query: [] },
    ],
  ])('reads %s', (_case, raw, expected) => {
    expect(parsed(raw)).toEqual(expected);
  });

  it.each([
    ['asterisk-form', '*'],
    ['authority-form', 'hub.example:443'],
    ['another scheme', 'ftp://hub.example/x'],
    ['a scheme not at the start', 'xhttp://hub.example/x'],
    ['a scheme without its slashes', 'http:/x'],
    ['absolute-form with only a fragment after the host', 'http://hub.example#x'],
    ['a relative path', 'api/whoami'],
    ['nothing', ''],
  ])('refuses %s', (_case, raw) => {
    expect(parseRequestTarget(raw)).toBeNull();
  });
});

describe('requestTarget', () => {
  const request = (url: string | undefined): IncomingMessage => ({ url }) as IncomingMessage;

  it('parses a request once and keeps the parse with it', () => {
    const r = request('/a?b=1');
    const first = requestTarget(r);
    r.url = '/changed';

    expect(first?.pathname).toBe('/a');
    expect(requestTarget(r)).toBe(first);
  });

  it('keeps a refusal too, and reads a missing url as one', () => {
    const r = request(undefined);
    expect(requestTarget(r)).toBeNull();
    r.url = '/now-a-path';
    expect(requestTarget(r)).toBeNull();
  });
});
