import type { IncomingMessage } from 'node:http';

/** A request target the hub can route: its path and its query. */
export interface RequestTarget {
  /** The path, normalized as WHATWG URL does (`/a/../b` is `/b`), percent-escapes kept. */
  pathname: string;
  query: URLSearchParams;
}

// Absolute-form (RFC 9112 §3.2.2): a server must accept it; the authority is ignored (the connection
// decides where the request went), the rest is read as origin-form.
// (`s`: the rest, newlines too, is the capture; URL drops them as WHATWG says.)
const ABSOLUTE_FORM = /^https?:\/\/[^/?#]*(.*)/is;
// A fixed origin to resolve against: concatenated, never parsed from the request, so no target can
// make it a scheme-relative URL (`//`) or give it a host or port that fails to parse.
const BASE = 'http://hub.invalid';

const parsed = new WeakMap<IncomingMessage, RequestTarget | null>();

/**
 * Parses the target of a request once, without throwing: origin-form
 * (`/path?query`), or absolute-form (`http://host/path?query`, routed by its
 * path). Asterisk-form (`*`), authority-form (`host:port`) and anything else
 * give null, which the hub answers with 400 `invalid_request`. The result is
 * kept with the request, so routing, the token from `?token=` and the
 * upgrade's path check all read the same parse.
 */
export function requestTarget(request: IncomingMessage): RequestTarget | null {
  if (parsed.has(request)) return parsed.get(request) ?? null;
  // Stryker disable next-line StringLiteral: any text that does not start with `/` or a scheme is refused alike
  const target = parseRequestTarget(request.url ?? '');
  parsed.set(request, target);
  return target;
}

/** The parse of `requestTarget`, for a raw target string. */
export function parseRequestTarget(raw: string): RequestTarget | null {
  let originForm = raw;
  if (!raw.startsWith('/')) {
    const absolute = ABSOLUTE_FORM.exec(raw);
    if (!absolute) return null;
    originForm = absolute[1] === '' || absolute[1].startsWith('?') ? `/${absolute[1]}` : absolute[1];
    if (!originForm.startsWith('/')) return null;
  }
  try {
    const url = new URL(BASE + originForm);
    return { pathname: url.pathname, query: url.searchParams };
  } catch {
    // Unreachable today (a fixed base, and the rest starts with `/`): kept so no URL parser can throw out of a request listener.
    return null;
  }
}
