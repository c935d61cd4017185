import type { IncomingMessage, ServerResponse } from 'node:http';
import sirv from 'sirv';
import { negotiateContentCoding } from './content-coding';

type StaticHandler = (request: IncomingMessage, response: ServerResponse, next: () => void) => void;

/** Precompressed copies the build writes next to each asset (electron.vite.config.ts, `precompress`). */
const PRECOMPRESSED = /\.(?:br|gz)$/;

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
 */
export function createStaticHandler(webRoot: string, setHeaders: (response: ServerResponse) => void): StaticHandler {
  const serve = sirv(webRoot, { etag: true, dev: false, brotli: true, gzip: true, setHeaders });
  return (request, response, next) => {
    if (PRECOMPRESSED.test(decodedPath(request.url ?? '/'))) return next();
    const coding = negotiateContentCoding(request.headers['accept-encoding'], ['br', 'gzip']);
    // A view of the request whose only difference is the negotiated coding; the request itself is
    // left untouched for whatever handles it after a miss (an Express app mounting the hub).
    const negotiated: IncomingMessage = Object.create(request, {
      headers: { value: { ...request.headers, 'accept-encoding': coding === 'identity' ? '' : coding } },
    });
    response.setHeader('Vary', 'Accept-Encoding');
    serve(negotiated, response, () => {
      response.removeHeader('Vary');
      next();
    });
  };
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
