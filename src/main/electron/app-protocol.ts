import { net, protocol } from 'electron';
import { pathToFileURL } from 'node:url';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, contentSecurityPolicy, rendererFileFor } from '../renderer-source';

/**
 * Registers `app:` as a privileged standard scheme. Electron: "This method can
 * only be used before the ready event of the app module gets emitted and can
 * be called only once" (https://www.electronjs.org/docs/latest/api/protocol),
 * so main calls it at load.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: APP_SCHEME_PRIVILEGES }]);
}

/**
 * Serves the built renderer on `app://falcon/…` from `root` (inside app.asar
 * when packaged: `net.fetch` of a file: URL reads through Electron's asar
 * support). Only files under `root` are served; anything else is a 404. Each
 * response carries the app's Content Security Policy.
 */
export function serveRenderer(root: string): void {
  const policy = contentSecurityPolicy({ dev: false });
  protocol.handle(APP_SCHEME, async (request) => {
    const file = rendererFileFor(request.url, root);
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405 });
    if (!file) return new Response('Not found', { status: 404 });
    let response: Response;
    try {
      response = await net.fetch(pathToFileURL(file).href);
    } catch {
      return new Response('Not found', { status: 404 });
    }
    if (!response.ok) return new Response('Not found', { status: 404 });
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', policy);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, { status: 200, headers });
  });
}
