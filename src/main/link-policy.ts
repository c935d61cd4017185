/**
 * URL decisions the main process makes about untrusted text: which links may
 * leave the app through `shell.openExternal`, where a window may navigate
 * (`will-navigate`), and what counts as a hub address. Every check parses with
 * the WHATWG `URL` parser and compares parsed parts, never string prefixes: a
 * `startsWith('https://app.example.com')` check lets
 * `https://app.example.com.attacker.com` through.
 */

/** Longest link we hand to the OS; real links in agent output are far shorter. */
export const MAX_EXTERNAL_URL_LENGTH = 4096;
/** Longest hub address accepted in settings. */
export const MAX_HUB_URL_LENGTH = 2048;

const EXTERNAL_PROTOCOLS = new Set(['http:', 'https:']);
const NAVIGATION_PROTOCOLS = new Set(['http:', 'https:', 'file:', 'app:']);
const HUB_PROTOCOLS = new Set(['ws:', 'wss:']);

// The URL parser silently drops tabs and newlines anywhere and trims spaces and
// control characters at both ends, so "java\tscript:" parses as "javascript:".
// A real link has none of these (spaces are %20), so text containing any is
// refused before parsing rather than trusted to the parser's repairs.
// eslint-disable-next-line no-control-regex
const WHITESPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f-\u009f]/;

function parse(text: unknown, maxLength: number): URL | null {
  // The empty string needs no test of its own: the URL parser refuses it.
  if (typeof text !== 'string' || text.length > maxLength) return null;
  if (WHITESPACE_OR_CONTROL.test(text)) return null;
  return URL.canParse(text) ? new URL(text) : null;
}

function hasCredentials(url: URL): boolean {
  return url.username !== '' || url.password !== '';
}

/**
 * Returns the parsed URL when `text` may be opened outside the app: `http:` or
 * `https:` only, with a host and without credentials. Callers pass the returned
 * `url.href` to `shell.openExternal`, never the original text.
 *
 * Credentials are refused because `https://github.com@attacker.example/` reads
 * as github.com to a person but goes to attacker.example; no link an agent
 * prints has a legitimate reason to carry a password.
 */
export function isSafeExternalUrl(text: string): URL | null {
  const url = parse(text, MAX_EXTERNAL_URL_LENGTH);
  if (!url || !EXTERNAL_PROTOCOLS.has(url.protocol) || hasCredentials(url)) return null;
  // Stryker disable next-line ConditionalExpression,StringLiteral: the parser gives http(s) URLs a host always; kept should the protocols grow
  return url.hostname === '' ? null : url;
}

/**
 * Whether a window may navigate to `text` (for `will-navigate` and
 * `will-redirect`). Each entry of `allowedOrigins` is either an http(s) origin
 * (`http://localhost:5173`, the dev server) that must equal the target's origin
 * exactly, an `app:` origin (`app://falcon`, the app's own privileged scheme
 * serving the built renderer) whose host the target must have, or a `file:`
 * directory URL ending in `/` (`pathToFileURL(dir).href + '/'`) that must
 * contain the target's path.
 *
 * Only `http:`, `https:`, `app:` and `file:` targets can pass: `blob:http://host/…`
 * reports its creator's origin, and `data:`/`javascript:` report the opaque
 * origin `"null"`, so neither may be matched by origin alone.
 */
export function isAllowedNavigation(text: string, allowedOrigins: readonly string[]): boolean {
  const target = parse(text, MAX_EXTERNAL_URL_LENGTH);
  if (!target || !NAVIGATION_PROTOCOLS.has(target.protocol) || hasCredentials(target)) return false;
  return allowedOrigins.some((entry) => matchesAllowed(target, entry));
}

function matchesAllowed(target: URL, entry: string): boolean {
  let allowed: URL;
  try {
    allowed = new URL(entry);
  } catch {
    return false;
  }
  // Stryker disable next-line ConditionalExpression: a file: target never has an http(s) origin, nor an http(s) target an empty host
  if (target.protocol !== allowed.protocol) return false;
  if (allowed.protocol === 'file:') return isInsideDirectory(target, allowed);
  // A non-special scheme has an opaque origin in the WHATWG parser ("null"), so compare the host:
  // Chromium treats the registered standard scheme as the origin app://<host>.
  if (allowed.protocol === 'app:')
    return allowed.host !== '' && target.host === allowed.host && !/%2f|%5c|\\/i.test(target.pathname);
  // An opaque origin ("null") must never match another opaque origin.
  // Stryker disable next-line ConditionalExpression,StringLiteral,BooleanLiteral: entries reaching here are http(s), whose origin is never opaque
  if (allowed.origin === 'null') return false;
  return target.origin === allowed.origin;
}

function isInsideDirectory(target: URL, directory: URL): boolean {
  // file://server/share is a UNC path: the host must match too (usually both are empty).
  if (target.host !== directory.host) return false;
  // The parser resolves "..", "%2e%2e" and ".%2E" segments, but leaves an
  // encoded separator in place; the path Chromium derives from it could leave
  // the directory, so any encoded or back slash is refused.
  if (/%2f|%5c|\\/i.test(target.pathname)) return false;
  const prefix = directory.pathname.endsWith('/') ? directory.pathname : `${directory.pathname}/`;
  return target.pathname.startsWith(prefix);
}

/**
 * Whether `text` is a hub address: `ws:` or `wss:` with a host, no credentials
 * (they would be saved in clear in the settings file; the token travels apart)
 * and no fragment (the WebSocket constructor throws on one). The empty string
 * means the built-in demo hub and is accepted.
 */
export function isHubUrl(text: string): boolean {
  if (text === '') return true;
  const url = parse(text, MAX_HUB_URL_LENGTH);
  if (!url || !HUB_PROTOCOLS.has(url.protocol) || hasCredentials(url)) return false;
  // Stryker disable next-line ConditionalExpression,StringLiteral,BooleanLiteral: the parser gives ws(s) URLs a host always; kept should the protocols grow
  if (url.hostname === '') return false;
  // The text, not url.hash: an empty fragment ("…/ws#") leaves url.hash empty.
  return !text.includes('#');
}
