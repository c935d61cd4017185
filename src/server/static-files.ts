import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import sirv from 'sirv';
import { negotiateContentCoding } from './content-coding';

type StaticHandler = (request: IncomingMessage, response: ServerResponse, next: () => void) => void;

/** Precompressed copies the build writes next to each asset (electron.vite.config.ts, `precompress`). */
const PRECOMPRESSED = /\.(?:br|gz)$/;

/** A build asset whose name carries its content hash (`assets/index-D47VOjmi.js`): its bytes never change. */
const HASHED_ASSET = /^\/assets\/[^/]+-[\w-]{8}\.[a-z\d]+$/i;

/** A year, the most RFC 9111 caches are asked to keep anything. */
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Everything else (index.html above all): kept, but revalidated by ETag on every use. */
const REVALIDATE = 'no-cache';

/**
 * How long a browser may keep a file of the web edition: a hashed asset for a
 * year without asking (a new build names new files), anything else
 * (index.html, which names the current assets) only after revalidating it.
 */
export function cacheControlFor(pathname: string): string {
  return HASHED_ASSET.test(pathname) ? IMMUTABLE : REVALIDATE;
}

/**
 * Serves the web edition from `webRoot`, compressed when the client accepts
 * it: `name.br` or `name.gz` from the build when present (each with its own
 * Content-Length and ETag, from its own size), the file itself otherwise, and
 * `Vary: Accept-Encoding` on every answer, 304s included, so no cache hands
 * brotli to a client that asked for none.
 *
 * sirv picks the copy, but its own reading of Accept-Encoding is a substring
 * test (`br;q=0` would still get brotli), so the coding is negotiated here and
 * sirv sees only the result. The `.br`/`.gz` files themselves are not served
 * by their names: their Content-Encoding would ignore what the client accepts.
 *
 * Range requests are answered with the whole file (`Accept-Ranges: none`), as
 * RFC 9110 §14.2 allows: nothing in the web edition is worth resuming, a range
 * of an encoded body would count bytes of the brotli copy, and sirv's own
 * range parsing is unsafe (`bytes=-100` sends the first 101 bytes, and
 * `bytes=5-2` throws out of the request handler, taking the hub down).
 */
export function createStaticHandler(webRoot: string, setHeaders: (response: ServerResponse) => void): StaticHandler {
  const serve = sirv(webRoot, { etag: true, dev: false, brotli: true, gzip: true, setHeaders });
  return (request, response, next) => {
    const path = decodedPath(request.url ?? '/');
    if (PRECOMPRESSED.test(path)) return next();
    const coding = negotiateContentCoding(request.headers['accept-encoding'], ['br', 'gzip']);
    // A view of the request whose only differences are the negotiated coding and no range; the request
    // itself is left untouched for whatever handles it after a miss (an Express app mounting the hub).
    const { range: _range, 'if-range': _ifRange, ...headers } = request.headers;
    const negotiated: IncomingMessage = Object.create(request, {
      headers: {
        value: { ...headers, 'accept-encoding': coding === 'identity' ? '' : coding } satisfies IncomingHttpHeaders,
      },
    });
    // Set before sirv runs, so its bare 304 carries them too (it writes those before calling setHeaders).
    response.setHeader('Vary', 'Accept-Encoding');
    response.setHeader('Cache-Control', cacheControlFor(path));
    response.setHeader('Accept-Ranges', 'none');
    tagNotModified(response, request.headers['if-none-match']);
    serve(negotiated, response, () => {
      for (const name of ['Vary', 'Cache-Control', 'Accept-Ranges']) response.removeHeader(name);
      next();
    });
  };
}

/**
 * sirv answers 304 only when If-None-Match is exactly the copy's ETag, but
 * without the ETag itself, which RFC 9110 §15.4.5 wants on a 304: name it.
 */
function tagNotModified(response: ServerResponse, ifNoneMatch: string | undefined): void {
  if (!ifNoneMatch) return;
  const writeHead = response.writeHead.bind(response) as (...args: unknown[]) => ServerResponse;
  response.writeHead = ((statusCode: number, ...rest: unknown[]) => {
    if (statusCode === 304 && !response.headersSent) response.setHeader('ETag', ifNoneMatch);
    return writeHead(statusCode, ...rest);
  }) as ServerResponse['writeHead'];
}

/** The path as sirv will look it up (it decodes percent-escapes too, so `.b%72` is `.br`). */
function decodedPath(url: string): string {
  const path = url.split(/[?#]/, 1)[0] ?? '/';
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}
