import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ErrorCode } from '../shared/errors';
import { type Channel, channelOf, isChannel } from '../shared/protocol';
import { AuthError, type Principal } from './auth';
import { tokenKey } from './connection-caps';
import type { Hub } from './hub';
import { HubError } from './hub-error';
import {
  MAX_INPUT_BODY_BYTES,
  decodePathSegment,
  parseAgentId,
  parseInputBody,
  parsePublishBody,
  readBody,
  resumePositions,
  sseChannels,
} from './http-input';
import { type RequestTarget, requestTarget } from './request-target';
import { SseStream } from './sse';
import { createStaticHandler } from './static-files';
import { tokenFromRequest } from './upgrade';

export type RequestHandler = (request: IncomingMessage, response: ServerResponse, next?: () => void) => void;

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.InvalidRequest]: 400,
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.MessageTooLarge]: 413,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.TooManyConnections]: 429,
  [ErrorCode.Unavailable]: 503,
  [ErrorCode.Internal]: 500,
  [ErrorCode.InvalidInput]: 400,
  [ErrorCode.InvalidChoice]: 400,
  [ErrorCode.UnknownAgent]: 404,
  [ErrorCode.AlreadyAnswered]: 409,
  [ErrorCode.RequestNotPending]: 409,
  [ErrorCode.InputRejected]: 422,
  [ErrorCode.InputUnavailable]: 503,
};

/**
 * The hub's HTTP side, connect-style so it mounts on any `http.Server` or in
 * Express: `app.use(handler)`. Requests it does not serve go to `next()`, or
 * get a JSON 404 when there is no `next`.
 *
 *   POST /api/publish                  publish an event (token with publish: true)
 *   POST /api/agents/:agentId/output   agent output, batched
 *   POST /api/agents/:agentId/input    answer an agent (token whose actOn covers agent:<id>)
 *   GET  /events/:agentId              SSE of agent:<id> (the seed's endpoint)
 *   GET  /events?channel=A&channel=B   SSE of several channels
 *   GET  /api/whoami                   what the token grants (401 when refused)
 *   GET  /api/projects                 project ids the token may read
 *   GET  /healthz                      `{ok}`; details for whoever may read the metrics
 *   GET  /metrics                      Prometheus metrics (`serveMetrics`, behind `metricsToken` when set)
 *   GET  /…                            the web edition, when `webRoot` is set
 *
 * `?token=` is accepted on the SSE routes only; every other route needs
 * `Authorization: Bearer`. With `allowedOrigins`, a foreign `Origin` gets 403
 * on every route. A target that does not parse gets 400 `invalid_request`.
 */
export function createRequestHandler(hub: Hub): RequestHandler {
  const serveStatic = hub.options.webRoot ? createStaticHandler(hub.options.webRoot, securityHeaders) : null;

  return (request, response, next) => {
    const target = requestTarget(request);
    if (!target) {
      // A target that is not a path (`*`, `host:port`, `ftp://…`): the host server's, if it has one.
      if (next) return next();
      return fail(hub, response, new HubError(ErrorCode.InvalidRequest, 'the request target is not a path'));
    }
    const work = route(hub, request, response, target);
    if (work) {
      checkOrigin(hub, request)
        .then(work)
        .catch((error: unknown) => fail(hub, response, error));
      return;
    }
    if (serveStatic && (request.method === 'GET' || request.method === 'HEAD')) {
      serveStatic(request, response, () => notFound(response, next));
      return;
    }
    notFound(response, next);
  };
}

/**
 * The handler of a separate metrics listener (`startHub`'s `metricsListen`):
 * `GET /metrics`, and `GET /healthz` with its details; everything else 404.
 * A `metricsToken`, when set, is required here too.
 */
export function createMetricsHandler(hub: Hub): RequestHandler {
  return (request, response) => {
    const target = requestTarget(request);
    let work: (() => Promise<void>) | null = null;
    if (request.method === 'GET' && target?.pathname === '/metrics') work = () => metrics(hub, request, response);
    else if (request.method === 'GET' && target?.pathname === '/healthz')
      work = () => health(hub, response, hub.options.metricsToken === null || hasMetricsToken(hub, request));
    if (!work) return notFound(response);
    work().catch((error: unknown) => fail(hub, response, error));
  };
}

function route(
  hub: Hub,
  request: IncomingMessage,
  response: ServerResponse,
  { pathname, query }: RequestTarget,
): (() => Promise<void>) | null {
  const method = request.method;
  const path = `${method} ${pathname}`;
  const agentOutput = /^\/api\/agents\/([^/]+)\/output$/.exec(pathname);
  const agentInput = /^\/api\/agents\/([^/]+)\/input$/.exec(pathname);
  const agentEvents = /^\/events\/([^/]+)$/.exec(pathname);
  if (path === 'GET /healthz') return () => health(hub, response, mayReadMetrics(hub, request));
  if (path === 'GET /metrics' && hub.options.serveMetrics) return () => metrics(hub, request, response);
  if (path === 'GET /api/whoami') return () => whoami(hub, request, response);
  if (path === 'GET /api/projects') return () => projects(hub, request, response);
  if (path === 'POST /api/publish') return () => publish(hub, request, response);
  if (method === 'POST' && agentOutput) return () => output(hub, request, response, agentOutput[1]);
  if (method === 'POST' && agentInput) return () => input(hub, request, response, agentInput[1]);
  if (path === 'GET /events') return () => events(hub, request, response, query.getAll('channel'), true);
  if (method === 'GET' && agentEvents)
    return () => events(hub, request, response, [channelOf.agent(decodePathSegment(agentEvents[1]))], false);
  return null;
}

/**
 * With `allowedOrigins` set, a browser request from another origin is refused
 * on every route the hub serves, as its WebSocket upgrade is: a cross-origin
 * `text/plain` POST needs no CORS preflight, so answering it would let any
 * page publish with a token it got hold of. Clients that are not browsers
 * send no `Origin` and pass.
 */
async function checkOrigin(hub: Hub, request: IncomingMessage): Promise<void> {
  const origin = request.headers.origin;
  if (hub.options.allowedOrigins && origin !== undefined && !hub.options.allowedOrigins.includes(origin)) {
    hub.metrics.authFailures.inc({ reason: 'origin' });
    throw new HubError(ErrorCode.Forbidden, 'origin not allowed');
  }
}

function notFound(response: ServerResponse, next?: () => void): void {
  if (next) return next();
  sendJson(response, 404, { error: { code: ErrorCode.NotFound, message: 'not found' } });
}

function securityHeaders(response: ServerResponse): void {
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('X-Frame-Options', 'DENY');
}

/** `{ok}` for anyone; the engine, connection count and uptime only for whoever may read the metrics. */
async function health(hub: Hub, response: ServerResponse, detailed: boolean): Promise<void> {
  const engine = hub.engine.health();
  const ok = engine.ok && !hub.closed;
  sendJson(
    response,
    ok ? 200 : 503,
    detailed ? { ok, engine, connections: hub.connectionCount, uptimeSeconds: Math.round(process.uptime()) } : { ok },
  );
}

async function metrics(hub: Hub, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (hub.options.metricsToken !== null && !hasMetricsToken(hub, request)) {
    hub.metrics.authFailures.inc({ reason: 'metrics' });
    response.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
    throw new HubError(ErrorCode.Unauthorized, 'metrics need the metrics token');
  }
  const text = await hub.metrics.registry.metrics();
  response.writeHead(200, { 'Content-Type': hub.metrics.registry.contentType });
  response.end(text);
}

/** Whether this request may read `/metrics` (and `/healthz`'s details) on the main listener. */
function mayReadMetrics(hub: Hub, request: IncomingMessage): boolean {
  if (hub.options.metricsToken !== null) return hasMetricsToken(hub, request);
  return hub.options.serveMetrics;
}

/** Compares digests in constant time: the length and content of the metrics token stay hidden. */
function hasMetricsToken(hub: Hub, request: IncomingMessage): boolean {
  const expected = hub.options.metricsToken;
  const given = tokenFromRequest(request, false);
  if (expected === null || given === null) return false;
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/** Who the token belongs to: lets a browser tell a refused token from a network failure. */
async function whoami(hub: Hub, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const { principal } = await authenticate(hub, request);
  sendJson(response, 200, principal);
}

/** The projects the hub knows of that the token may read: how a fresh client finds its boards. */
async function projects(hub: Hub, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const { principal } = await authenticate(hub, request);
  const ids = (await hub.engine.projects()).filter((id) => hub.mayAccess(principal, channelOf.project(id)));
  sendJson(response, 200, { projects: ids });
}

async function publish(hub: Hub, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const { principal, key } = await authenticate(hub, request, { publish: true });
  limitPublishing(hub, key);
  const { channel, event, data } = parsePublishBody(await readBody(request, hub.options.maxBodyBytes));
  // The hub checks the channel and every record the event writes against the token's grants.
  const result = await hub.publish(channel, event, data, { principal });
  sendJson(response, 202, result);
}

async function output(hub: Hub, request: IncomingMessage, response: ServerResponse, rawId: string): Promise<void> {
  const { principal, key } = await authenticate(hub, request, { publish: true });
  limitPublishing(hub, key);
  const agentId = parseAgentId(rawId);
  if (!hub.mayAccess(principal, channelOf.agent(agentId))) throw new HubError(ErrorCode.Forbidden, 'not allowed');
  const text = await readBody(request, hub.options.maxBodyBytes);
  // Batched output is published later: refuse now rather than accept what cannot be stored.
  if (!hub.engine.health().ok) throw new HubError(ErrorCode.Unavailable, 'the hub cannot store events right now');
  hub.streamAgentOutput(agentId, text);
  sendJson(response, 202, { accepted: text.length });
}

/** An answer to an agent: 202 `{inputId}`, or the codes of Hub.sendAgentInput. */
async function input(hub: Hub, request: IncomingMessage, response: ServerResponse, rawId: string): Promise<void> {
  const { principal, key } = await authenticate(hub, request);
  const { ok, retryAfterMs } = hub.inputLimits.take(key);
  if (!ok) {
    hub.metrics.httpRateLimited.inc();
    throw new RateLimitedError(Math.max(1, Math.ceil(retryAfterMs / 1000)), 'too many inputs; slow down');
  }
  const agentId = parseAgentId(rawId);
  // Checked before the body is read: a token that may not act learns nothing, and costs little.
  if (!hub.mayAct(principal, channelOf.agent(agentId))) {
    request.resume();
    throw new HubError(ErrorCode.Forbidden, `not allowed to act on agent:${agentId}`);
  }
  const body = parseInputBody(await readBody(request, Math.min(hub.options.maxBodyBytes, MAX_INPUT_BODY_BYTES)));
  sendJson(response, 202, await hub.sendAgentInput(principal, agentId, body));
}

async function events(
  hub: Hub,
  request: IncomingMessage,
  response: ServerResponse,
  channels: string[],
  wrap: boolean,
): Promise<void> {
  const { principal, key } = await authenticate(hub, request, { fromQuery: true });
  const unique = sseChannels(channels);
  for (const channel of unique) {
    if (!isChannel(channel)) throw new HubError(ErrorCode.InvalidChannel, 'invalid channel');
    if (!hub.mayAccess(principal, channel)) throw new HubError(ErrorCode.Forbidden, `not allowed to read ${channel}`);
  }
  if (hub.closed) throw new HubError(ErrorCode.Unavailable, 'hub is shutting down');
  // Gone while its token was checked: its 'close' has fired already, so nothing opened now would be released.
  if (response.destroyed) return;
  const slot = hub.sseCaps.acquire(key, request.socket.remoteAddress ?? '');
  if ('refused' in slot) {
    hub.metrics.connectionRefusals.inc({ kind: 'sse', by: slot.refused });
    const limit = slot.refused === 'token' ? hub.options.maxSseStreamsPerToken : hub.options.maxSseStreamsPerAddress;
    throw new HubError(ErrorCode.TooManyConnections, `at most ${limit} SSE streams per ${slot.refused}`);
  }
  const resume = resumePositions(request);
  const stream = new SseStream(
    randomUUID(),
    response,
    wrap,
    hub.options.maxBufferedBytes,
    hub.options.sseKeepAliveMs,
    (bytes) => hub.metrics.countSent(bytes),
  );
  if (principal.expiresAt !== null) stream.endAt(principal.expiresAt);
  hub.metrics.sseStreams.inc();
  const undoClose = hub.onClose(() => stream.end());
  response.on('close', () => {
    slot.release();
    stream.dispose();
    undoClose();
    for (const channel of [...stream.cursors.keys()]) hub.unsubscribe(stream, channel);
    hub.metrics.sseStreams.dec();
  });
  hub.subscribeAll(
    stream,
    (unique as Channel[]).map((channel) => ({ channel, since: resume.get(channel), snapshot: false, tail: 0 })),
  );
}

/**
 * Verifies the request's token. `fromQuery` lets it come from `?token=` (only
 * SSE: an EventSource cannot send headers); `key` identifies the token for the
 * caps and rate limits.
 */
async function authenticate(
  hub: Hub,
  request: IncomingMessage,
  { publish = false, fromQuery = false }: { publish?: boolean; fromQuery?: boolean } = {},
): Promise<{ principal: Principal; key: string }> {
  const token = tokenFromRequest(request, fromQuery);
  let principal: Principal;
  try {
    principal = await hub.verifyToken(token);
  } catch (error) {
    const failure = error instanceof AuthError ? error : new AuthError('invalid', 'invalid token');
    hub.metrics.authFailures.inc({ reason: failure.reason });
    throw new HubError(ErrorCode.Unauthorized, `unauthorized: ${failure.message}`);
  }
  if (publish && !principal.publish) throw new HubError(ErrorCode.Forbidden, 'token may not publish');
  return { principal, key: tokenKey(token ?? '') };
}

/** A publish refused by the per-token rate limit: 429 with `Retry-After`. */
class RateLimitedError extends HubError {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'too many publishes; slow down',
  ) {
    super(ErrorCode.RateLimited, message);
  }
}

function limitPublishing(hub: Hub, key: string): void {
  const { ok, retryAfterMs } = hub.httpPublishLimits.take(key);
  if (ok) return;
  hub.metrics.httpRateLimited.inc();
  throw new RateLimitedError(Math.max(1, Math.ceil(retryAfterMs / 1000)));
}

function fail(hub: Hub, response: ServerResponse, error: unknown): void {
  let code: ErrorCode = ErrorCode.Internal;
  let message = 'internal error';
  if (error instanceof HubError) {
    code = error.code;
    message = error.message;
  } else {
    hub.logger.error({ err: error }, 'http handler failed');
  }
  if (response.headersSent) {
    response.destroy();
    return;
  }
  hub.metrics.protocolErrors.inc({ code });
  const headers: Record<string, string> =
    error instanceof RateLimitedError ? { 'Retry-After': String(error.retryAfterSeconds) } : {};
  sendJson(response, STATUS_BY_CODE[code] ?? 400, { error: { code, message } }, headers);
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}
