/**
 * `protocol` (https://www.electronjs.org/docs/latest/api/protocol).
 *
 * Chromium cannot load a scheme it does not know, so a privileged standard
 * scheme is served through a stand-in origin: `app://falcon/x` is
 * `https://falcon.app.emulated.invalid/x` in Chromium (https when the scheme is
 * `secure`, so the page is a secure context as Electron makes it), routed by
 * Playwright to the handler given to `protocol.handle`, called with a real
 * `Request` for the app:// URL. Main sees app:// URLs everywhere (getURL,
 * senderFrame.url, will-navigate, did-start-navigation). The page itself sees
 * the stand-in origin in `location`: only real Electron proves the real
 * app:// origin (and the asar behind it).
 */

interface Privileges {
  standard?: boolean;
  secure?: boolean;
  supportFetchAPI?: boolean;
  bypassCSP?: boolean;
  corsEnabled?: boolean;
  stream?: boolean;
  allowServiceWorkers?: boolean;
  codeCache?: boolean;
}

type Handler = (request: Request) => Response | Promise<Response>;

const STAND_IN_SUFFIX = '.emulated.invalid';
const privileged = new Map<string, Privileges>();
const handlers = new Map<string, Handler>();
let ready = false;

export function markReady(): void {
  ready = true;
}

/** app://falcon/index.html → https://falcon.app.emulated.invalid/index.html; other URLs unchanged. */
export function toStandIn(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)(.*)$/i.exec(url);
  if (!match) return url;
  const [, scheme, host, rest] = match as unknown as [string, string, string, string];
  const privileges = privileged.get(scheme.toLowerCase());
  if (!privileges?.standard) return url;
  return `${privileges.secure ? 'https' : 'http'}://${host.toLowerCase()}.${scheme.toLowerCase()}${STAND_IN_SUFFIX}${rest || '/'}`;
}

/** The inverse of `toStandIn`: what main must see. */
export function fromStandIn(url: string): string {
  const match = /^https?:\/\/([^/?#]+)\.([a-z][a-z0-9+.-]*)\.emulated\.invalid(.*)$/i.exec(url);
  if (!match) return url;
  const [, host, scheme, rest] = match as unknown as [string, string, string, string];
  return `${scheme}://${host}${rest}`;
}

/** Electron's origin of a URL: for a standard custom scheme `scheme://host`, which WHATWG URL calls opaque. */
export function originOf(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)/i.exec(url);
  if (match && privileged.get(match[1]!.toLowerCase())?.standard) return `${match[1]}://${match[2]}`;
  try {
    return new URL(url).origin;
  } catch {
    return 'null';
  }
}

export function isStandIn(url: string): boolean {
  return fromStandIn(url) !== url;
}

export function handlerFor(appUrl: string): Handler | undefined {
  return handlers.get(appUrl.slice(0, appUrl.indexOf(':')).toLowerCase());
}

export const protocol = {
  /** "This method can only be used before the ready event of the app module gets emitted and can be called only once." */
  registerSchemesAsPrivileged(schemes: Array<{ scheme: string; privileges?: Privileges }>): void {
    if (ready) throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready');
    for (const { scheme, privileges } of schemes) privileged.set(scheme.toLowerCase(), privileges ?? {});
  },
  handle(scheme: string, handler: Handler): void {
    if (handlers.has(scheme)) throw new Error(`The scheme "${scheme}" is already handled`);
    handlers.set(scheme.toLowerCase(), handler);
  },
  unhandle(scheme: string): void {
    handlers.delete(scheme.toLowerCase());
  },
  isProtocolHandled(scheme: string): Promise<boolean> {
    return Promise.resolve(handlers.has(scheme.toLowerCase()));
  },
};
