import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import sirv from 'sirv';
import { z } from 'zod';
import { ErrorCode } from '../shared/errors';
import { checkJsonShape } from '../shared/json-guard';
import { type Channel, channelOf, isChannel, isValidId } from '../shared/protocol';
import { AuthError, type Principal } from './auth';
import type { Hub } from './hub';
import { HubError } from './hub-error';
import { SseStream, parseLastEventId } from './sse';
import { tokenFromRequest } from './upgrade';

export type RequestHandler = (request: IncomingMessage, response: ServerResponse, next?: () => void) => void;

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.Unauthorized]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.MessageTooLarge]: 413,
  [ErrorCode.Unavailable]: 503,
  [ErrorCode.Internal]: 500,
};

const publishBody = z.strictObject({ channel: z.string(), event: z.string(), data: z.unknown() });
const MAX_SSE_CHANNELS = 64;

/**
 * The hub's HTTP side, connect-style so it mounts on any `http.Server` or in
 * Express: `app.use(handler)`. Requests it does not serve go to `next()`, or
 * get a JSON 404 when there is no `next`.
 *
 *   POST /api/publish                  publish an event (token with publish: true)
 *   POST /api/agents/:agentId/output   agent output, batched
 *   GET  /events/:agentId              SSE of agent:<id> (the seed's endpoint)
 *   GET  /events?channel=A&channel=B   SSE of several channels
 *   GET  /api/whoami                   what the token grants (401 when refused)
 *   GET  /api/projects                 project ids the token may read
 *   GET  /healthz, GET /metrics        health and Prometheus metrics
 *   GET  /…                            the web edition, when `webRoot` is set
 */
export function createRequestHandler(hub: Hub): RequestHandler {
  const serveStatic = hub.options.webRoot
    ? sirv(hub.options.webRoot, { etag: true, dev: false, setHeaders: securityHeaders })
    : null;

  return (request, response, next) => {
    const url = new URL(request.url ?? '/', 'http://hub.invalid');
    const route = `${request.method} ${url.pathname}`;
    const agentOutput = /^\/api\/agents\/([^/]+)\/output$/.exec(url.pathname);
    const agentEvents = /^\/events\/([^/]+)$/.exec(url.pathname);
    let work: Promise<void> | null = null;
    if (route === 'GET /healthz') work = health(hub, response);
    else if (route === 'GET /metrics') work = metrics(hub, response);
    else if (route === 'GET /api/whoami') work = whoami(hub, request, response);
    else if (route === 'GET /api/projects') work = projects(hub, request, response);
    else if (route === 'POST /api/publish') work = publish(hub, request, response);
    else if (request.method === 'POST' && agentOutput) work = output(hub, request, response, agentOutput[1]);
    else if (route === 'GET /events') work = events(hub, request, response, url.searchParams.getAll('channel'), true);
    else if (request.method === 'GET' && agentEvents)
      work = events(hub, request, response, [channelOf.agent(decodePathSegment(agentEvents[1]))], false);
    if (work) {
      work.catch((error: unknown) => fail(hub, response, error));
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
 * Decodes a path segment without throwing: a malformed escape (`%E0%A4%A`)
 * would otherwise throw a URIError out of the request listener and crash the
 * process. Left as is, it keeps its `%`, which no id accepts.
 */
function decodePathSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
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

async function health(hub: Hub, response: ServerResponse): Promise<void> {
  const engine = hub.engine.health();
  const ok = engine.ok && !hub.closed;
  sendJson(response, ok ? 200 : 503, {
    ok,
    engine,
    connections: hub.connectionCount,
    uptimeSeconds: Math.round(process.uptime()),
  });
}

async function metrics(hub: Hub, response: ServerResponse): Promise<void> {
  const text = await hub.metrics.registry.metrics();
  response.writeHead(200, { 'Content-Type': hub.metrics.registry.contentType });
  response.end(text);
}

/** Who the token belongs to: lets a browser tell a refused token from a network failure. */
async function whoami(hub: Hub, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const principal = await authenticate(hub, request, false);
  sendJson(response, 200, principal);
}

/** The projects the hub knows of that the token may read: how a fresh client finds its boards. */
async function projects(hub: Hub, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const principal = await authenticate(hub, request, false);
  const ids = (await hub.engine.projects()).filter((id) => hub.mayAccess(principal, channelOf.project(id)));
  sendJson(response, 200, { projects: ids });
}

async function publish(hub: Hub, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const principal = await authenticate(hub, request, true);
  const text = await readBody(request, hub.options.maxBodyBytes);
  const shape = checkJsonShape(text, { maxDepth: 32 });
  if (shape) throw new HubError(shape.code, shape.message);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HubError(ErrorCode.InvalidJson, 'body is not valid JSON');
  }
  const body = publishBody.safeParse(json);
  if (!body.success) throw new HubError(ErrorCode.InvalidMessage, 'body must be {channel, event, data}');
  const { channel, event, data } = body.data;
  if (!isChannel(channel)) throw new HubError(ErrorCode.InvalidChannel, 'invalid channel');
  if (!hub.mayAccess(principal, channel))
    throw new HubError(ErrorCode.Forbidden, `not allowed to publish to ${channel}`);
  const result = await hub.publish(channel, event, data);
  sendJson(response, 202, result);
}

async function output(hub: Hub, request: IncomingMessage, response: ServerResponse, rawId: string): Promise<void> {
  const principal = await authenticate(hub, request, true);
  const agentId = decodePathSegment(rawId);
  if (!isValidId(agentId)) throw new HubError(ErrorCode.InvalidChannel, 'invalid agent id');
  if (!hub.mayAccess(principal, channelOf.agent(agentId))) throw new HubError(ErrorCode.Forbidden, 'not allowed');
  const text = await readBody(request, hub.options.maxBodyBytes);
  // Batched output is published later: refuse now rather than accept what cannot be stored.
  if (!hub.engine.health().ok) throw new HubError(ErrorCode.Unavailable, 'the hub cannot store events right now');
  hub.streamAgentOutput(agentId, text);
  sendJson(response, 202, { accepted: text.length });
}

async function events(
  hub: Hub,
  request: IncomingMessage,
  response: ServerResponse,
  channels: string[],
  wrap: boolean,
): Promise<void> {
  const principal = await authenticate(hub, request, false);
  const unique = [...new Set(channels)];
  if (unique.length === 0 || unique.length > MAX_SSE_CHANNELS) {
    throw new HubError(ErrorCode.InvalidMessage, `give 1–${MAX_SSE_CHANNELS} ?channel= parameters`);
  }
  for (const channel of unique) {
    if (!isChannel(channel)) throw new HubError(ErrorCode.InvalidChannel, 'invalid channel');
    if (!hub.mayAccess(principal, channel)) throw new HubError(ErrorCode.Forbidden, `not allowed to read ${channel}`);
  }
  if (hub.closed) throw new HubError(ErrorCode.Unavailable, 'hub is shutting down');
  const lastEventId = request.headers['last-event-id'];
  const resume = parseLastEventId(Array.isArray(lastEventId) ? lastEventId[0] : lastEventId);
  const stream = new SseStream(
    randomUUID(),
    response,
    wrap,
    hub.options.maxBufferedBytes,
    hub.options.sseKeepAliveMs,
    (bytes) => {
      hub.metrics.messagesOut.inc();
      hub.metrics.bytesOut.inc(bytes);
    },
  );
  hub.metrics.sseStreams.inc();
  const undoClose = hub.onClose(() => stream.end());
  response.on('close', () => {
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

async function authenticate(hub: Hub, request: IncomingMessage, needPublish: boolean): Promise<Principal> {
  let principal: Principal;
  try {
    principal = await hub.verifyToken(tokenFromRequest(request));
  } catch (error) {
    const failure = error instanceof AuthError ? error : new AuthError('invalid', 'invalid token');
    hub.metrics.authFailures.inc({ reason: failure.reason });
    throw new HubError(ErrorCode.Unauthorized, `unauthorized: ${failure.message}`);
  }
  if (needPublish && !principal.publish) throw new HubError(ErrorCode.Forbidden, 'token may not publish');
  return principal;
}

function readBody(request: IncomingMessage, limit: number): Promise<string> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    request.resume();
    return Promise.reject(new HubError(ErrorCode.MessageTooLarge, `body is larger than ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.resume();
        reject(new HubError(ErrorCode.MessageTooLarge, `body is larger than ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
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
  sendJson(response, STATUS_BY_CODE[code] ?? 400, { error: { code, message } });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  response.end(text);
}
