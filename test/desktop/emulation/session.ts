/**
 * `session.defaultSession` (https://www.electronjs.org/docs/latest/api/session)
 * with `webRequest.onHeadersReceived`
 * (https://www.electronjs.org/docs/latest/api/web-request), and the one
 * Playwright route every request of every window passes through: app://
 * responses from `protocol.handle`, headers rewritten by onHeadersReceived
 * (so the CSP main adds applies to the dev server as in Electron), and
 * renderer-initiated navigations offered to 'will-navigate'.
 */
import type { CDPSession, Route } from 'playwright-core';
import { fromStandIn, handlerFor, isStandIn } from './protocol';
import { browserContext, setRouteHandler } from './runtime';

type Headers = Record<string, string[]>;
interface HeadersDetails {
  id: number;
  url: string;
  method: string;
  resourceType: string;
  statusCode: number;
  statusLine: string;
  responseHeaders: Headers;
  webContentsId?: number;
}
type HeadersListener = (
  details: HeadersDetails,
  callback: (response: { cancel?: boolean; responseHeaders?: Headers; statusLine?: string }) => void,
) => void;
type PermissionRequestHandler = (
  webContents: unknown,
  permission: string,
  callback: (granted: boolean) => void,
  details: { requestingUrl: string; isMainFrame: boolean },
) => void;
type PermissionCheckHandler = (
  webContents: unknown,
  permission: string,
  requestingOrigin: string,
  details: { requestingUrl: string; isMainFrame: boolean; embeddingOrigin?: string },
) => boolean;

/** What the route needs from a window's webContents. */
export interface RoutedContents {
  id: number;
  /** A main-frame navigation request: false cancels it (will-navigate prevented). */
  onNavigationRequest(url: string): boolean;
}

let headersListener: HeadersListener | null = null;
let requestHandler: PermissionRequestHandler | null = null;
let checkHandler: PermissionCheckHandler | null = null;
let nextRequestId = 0;

/**
 * The permissions the emulation applies to Chromium per origin (CDP
 * Browser.setPermission), from the check handler's answer. Chromium's own
 * prompts are not emulated: headless Chromium has none.
 */
const CHROMIUM_PERMISSIONS: Record<string, { name: string; allowWithoutSanitization?: boolean }> = {
  'clipboard-sanitized-write': { name: 'clipboard-write' },
  'clipboard-read': { name: 'clipboard-read' },
  notifications: { name: 'notifications' },
  geolocation: { name: 'geolocation' },
};

/** Applies the session's permission decisions to a window's origin before it loads. */
export async function applyPermissions(contents: unknown, standInUrl: string, appUrl: string): Promise<void> {
  // Chromium keeps permissions per origin; file:// and about: are opaque (nothing to set).
  if (!checkHandler || !/^https?:/.test(standInUrl)) return;
  const origin = new URL(standInUrl).origin;
  // One browser session for the app's life: Chromium drops a session's permission overrides when it detaches.
  browserSession ??= browserContext().browser()?.newBrowserCDPSession() ?? null;
  const cdp = await browserSession;
  if (!cdp) return;
  for (const [permission, descriptor] of Object.entries(CHROMIUM_PERMISSIONS)) {
    const granted = checkHandler(contents, permission, appOrigin(appUrl), { requestingUrl: appUrl, isMainFrame: true });
    await cdp.send('Browser.setPermission', {
      permission: descriptor,
      setting: granted ? 'granted' : 'denied',
      origin,
    });
  }
}

let browserSession: Promise<CDPSession> | null = null;

function appOrigin(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*:\/\/[^/?#]*)/i.exec(url);
  return match ? match[1]! : 'null';
}

function flatten(headers: Record<string, string>): Headers {
  const out: Headers = {};
  for (const [name, value] of Object.entries(headers)) out[name] = [value];
  return out;
}

async function respond(
  route: Route,
  contents: RoutedContents | undefined,
  status: number,
  headers: Headers,
  body: Buffer,
): Promise<void> {
  let finalHeaders = headers;
  if (headersListener) {
    const request = route.request();
    const answer = await new Promise<{ cancel?: boolean; responseHeaders?: Headers }>((resolve) =>
      headersListener!(
        {
          id: ++nextRequestId,
          url: fromStandIn(request.url()),
          method: request.method(),
          resourceType: request.resourceType(),
          statusCode: status,
          statusLine: `HTTP/1.1 ${status}`,
          responseHeaders: headers,
          webContentsId: contents?.id,
        },
        resolve,
      ),
    );
    if (answer.cancel) return route.abort('blockedbyclient');
    finalHeaders = answer.responseHeaders ?? headers;
  }
  const flat: Record<string, string> = {};
  for (const [name, values] of Object.entries(finalHeaders)) flat[name] = values.join(', ');
  await route.fulfill({ status, headers: flat, body });
}

/** Installs the route; `contentsOf` finds the webContents of a request's page. */
export function installRoute(contentsOf: (route: Route) => RoutedContents | undefined): void {
  setRouteHandler(async (route) => {
    const request = route.request();
    const contents = contentsOf(route);
    try {
      if (request.isNavigationRequest() && contents && request.frame().parentFrame() === null) {
        if (!contents.onNavigationRequest(fromStandIn(request.url()))) return await route.abort('aborted');
      }
      if (isStandIn(request.url())) {
        const appUrl = fromStandIn(request.url());
        const handler = handlerFor(appUrl);
        if (!handler) return await route.abort('failed');
        const body = request.postDataBuffer();
        const response = await handler(
          new Request(appUrl, {
            method: request.method(),
            headers: await request.allHeaders(),
            ...(body && request.method() !== 'GET' && request.method() !== 'HEAD'
              ? { body: new Uint8Array(body) }
              : {}),
          }),
        );
        const headers: Record<string, string> = {};
        response.headers.forEach((value, name) => (headers[name] = value));
        return await respond(
          route,
          contents,
          response.status,
          flatten(headers),
          Buffer.from(await response.arrayBuffer()),
        );
      }
      if (headersListener && /^https?:/.test(request.url())) {
        const response = await route.fetch();
        return await respond(route, contents, response.status(), flatten(response.headers()), await response.body());
      }
      await route.continue();
    } catch (error) {
      // A handler that throws fails the request, as a rejected protocol.handle promise does.
      console.error('[emulation] request failed', request.url(), error);
      await route.abort('failed').catch(() => {});
    }
  });
}

const session = {
  setPermissionRequestHandler(handler: PermissionRequestHandler | null): void {
    requestHandler = handler;
  },
  setPermissionCheckHandler(handler: PermissionCheckHandler | null): void {
    checkHandler = handler;
  },
  /** The request handler is kept: Chromium's permission prompts are not emulated (headless has none). */
  permissionRequestHandler(): PermissionRequestHandler | null {
    return requestHandler;
  },
  webRequest: {
    onHeadersReceived(filterOrListener: HeadersListener | object | null, maybeListener?: HeadersListener | null): void {
      headersListener =
        typeof filterOrListener === 'function'
          ? (filterOrListener as HeadersListener)
          : ((maybeListener ?? null) as HeadersListener | null);
    },
  },
  /**
   * Chromium's proxy resolution (PAC, system settings) is what only real Electron proves: here every
   * URL goes DIRECT, as on a machine without a proxy.
   */
  resolveProxy(_url: string): Promise<string> {
    return Promise.resolve('DIRECT');
  },
  setSpellCheckerEnabled(): void {},
  on(): void {},
};

export const sessionModule = {
  get defaultSession() {
    return session;
  },
  fromPartition() {
    return session;
  },
};
