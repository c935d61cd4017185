/**
 * Where a window's page comes from, and the Content Security Policy it runs
 * under. No Electron here: the glue in ./electron applies these decisions.
 *
 * Built renderers are served from the app's own privileged scheme,
 * `app://falcon/…` (Electron's security guide: "Avoid usage of the file://
 * protocol and prefer usage of custom protocols"). `file://` would not work
 * anyway: packaged builds flip the `grantFileProtocolExtraPrivileges` fuse
 * off, so a `file://` page cannot read inside `app.asar` and Vite's module
 * script becomes a cross-origin fetch from an opaque origin.
 */
import { isAbsolute, join, relative, resolve, sep } from 'node:path';

export const APP_SCHEME = 'app';
export const APP_HOST = 'falcon';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** The privileges `protocol.registerSchemesAsPrivileged` gives the scheme (before `ready`). */
export const APP_SCHEME_PRIVILEGES = {
  // A standard scheme: relative URLs, a real origin (app://falcon) for CSP 'self' and IPC checks.
  standard: true,
  // A secure context, as https is: the Clipboard API, crypto.subtle and the rest work.
  secure: true,
  // Vite's module scripts and fetch() of the app's own files.
  supportFetchAPI: true,
  // V8's code cache for the app's scripts (needs standard): a faster start for a 1.5 MB bundle.
  codeCache: true,
} as const;

export interface RendererSource {
  /** What windows load. */
  url: string;
  /** Origins a window may navigate within and IPC is trusted from (see link-policy's isAllowedNavigation). */
  origins: string[];
  /** The electron-vite dev server (never in a packaged app). */
  dev: boolean;
}

/**
 * The dev server when `ELECTRON_RENDERER_URL` names one and the app is not
 * packaged; the built files on `app://falcon` otherwise. A packaged app never
 * obeys the variable: anyone who can set an environment variable could
 * otherwise point the app, and its IPC trust, at a page of their choosing.
 */
export function rendererSource(options: { isPackaged: boolean; devUrl: string | undefined }): RendererSource {
  const dev = options.isPackaged ? null : parseDevUrl(options.devUrl);
  if (dev) return { url: dev.href, origins: [dev.origin], dev: true };
  return { url: APP_ENTRY_URL, origins: [APP_ORIGIN], dev: false };
}

function parseDevUrl(text: string | undefined): URL | null {
  if (!text || !URL.canParse(text)) return null;
  const url = new URL(text);
  return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
}

/**
 * The file under `root` that an `app://falcon/…` request names, or null when
 * the request is not for our host or its path could leave `root` (encoded
 * separators, NUL, undecodable escapes, anything that resolves outside).
 * `/` is `index.html`.
 */
export function rendererFileFor(requestUrl: string, root: string): string | null {
  if (!URL.canParse(requestUrl)) return null;
  const url = new URL(requestUrl);
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || url.username || url.password) return null;
  // The parser has resolved "." and ".." segments; an encoded or back slash would be a separator to the file system.
  if (/%2f|%5c|\\/i.test(url.pathname)) return null;
  const segments: string[] = [];
  for (const raw of url.pathname.split('/')) {
    if (raw === '') continue;
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (segment === '.' || segment === '..' || segment.includes('\0')) return null;
    segments.push(segment);
  }
  const base = resolve(root);
  const file = resolve(join(base, ...(segments.length === 0 ? ['index.html'] : segments)));
  const inside = relative(base, file);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) return null;
  return file;
}

/**
 * The policy for every page of the app (the app:// response header, the dev
 * server's responses, and the page's own meta tag). In dev only, scripts may
 * be inline: electron-vite injects the React refresh preamble as an inline
 * module script, which `script-src 'self'` blocks (a blank window). Never in
 * a built or packaged renderer.
 */
export function contentSecurityPolicy(options: { dev: boolean }): string {
  const script = options.dev ? "script-src 'self' 'unsafe-inline'" : "script-src 'self'";
  return [
    "default-src 'self'",
    script,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self' ws: wss: http: https:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
