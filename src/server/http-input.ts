import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { type AgentInput, parseAgentInput } from '../shared/agent-input';
import { ErrorCode } from '../shared/errors';
import { checkJsonShape } from '../shared/json-guard';
import { type Channel, type StreamPosition, isChannel, isValidId } from '../shared/protocol';
import { HubError } from './hub-error';

/**
 * What the HTTP API reads from a request, parsed into typed values in one
 * place: bodies within their size limit, publish bodies, agent ids from a
 * path, the `?channel=` list of an SSE request and its `Last-Event-ID`. Bad
 * input is a `HubError` with a stable code; nothing here throws anything else.
 */

/** Most channels one SSE request may ask for. */
export const MAX_SSE_CHANNELS = 64;

const publishBody = z.strictObject({ channel: z.string(), event: z.string(), data: z.unknown() });

/** A publish body: `{channel, event, data}` and nothing else. */
export interface PublishBody {
  channel: Channel;
  event: string;
  data: unknown;
}

/**
 * Reads a request body as UTF-8, refusing one past `limit` bytes with 413
 * `message_too_large`: at once when `Content-Length` says so, else as soon as
 * the bytes received pass it. A refused body is drained, not buffered.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<string> {
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
    // The client hung up mid-body (or broke its chunked framing): its fault, not a handler failure to log.
    request.on('error', () => reject(new HubError(ErrorCode.InvalidRequest, 'the request body was cut short')));
  });
}

/** A body's JSON, once its shape is within bounds (depth, sizes: checkJsonShape); a HubError otherwise. */
function parseBoundedJson(text: string, maxDepth: number): unknown {
  const shape = checkJsonShape(text, { maxDepth });
  if (shape) throw new HubError(shape.code, shape.message);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HubError(ErrorCode.InvalidJson, 'body is not valid JSON');
  }
}

/** Parses the body of `POST /api/publish`: JSON of a bounded shape, `{channel, event, data}`, a valid channel. */
export function parsePublishBody(text: string): PublishBody {
  const body = publishBody.safeParse(parseBoundedJson(text, 32));
  if (!body.success) throw new HubError(ErrorCode.InvalidMessage, 'body must be {channel, event, data}');
  const { channel, event, data } = body.data;
  if (!isChannel(channel)) throw new HubError(ErrorCode.InvalidChannel, 'invalid channel');
  return { channel, event, data };
}

/** Largest body of `POST /api/agents/:agentId/input` (a 16 000-character reply fits, in any script). */
export const MAX_INPUT_BODY_BYTES = 64 * 1024;

/** Parses the body of `POST /api/agents/:agentId/input`: bounded JSON, then the one input parser (agent-input.ts). */
export function parseInputBody(text: string): AgentInput {
  const parsed = parseAgentInput(parseBoundedJson(text, 8));
  if (!parsed.ok) throw new HubError(parsed.error.code, parsed.error.message);
  return parsed.input;
}

/**
 * Decodes a path segment without throwing: a malformed escape (`%E0%A4%A`)
 * would otherwise throw a URIError out of the request listener and crash the
 * process. Left as is, it keeps its `%`, which no id accepts.
 */
export function decodePathSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** The agent id of a path segment (`/api/agents/:agentId/output`), decoded; 400 `invalid_channel` when it is no id. */
export function parseAgentId(rawSegment: string): string {
  const agentId = decodePathSegment(rawSegment);
  if (!isValidId(agentId)) throw new HubError(ErrorCode.InvalidChannel, 'invalid agent id');
  return agentId;
}

/**
 * The channels an SSE request asks for, each once: 1 to `MAX_SSE_CHANNELS`
 * of them, else 400 `invalid_message`. Each is checked with `isChannel` by
 * the caller, in turn with its authorization.
 */
export function sseChannels(requested: readonly string[]): string[] {
  const unique = [...new Set(requested)];
  if (unique.length === 0 || unique.length > MAX_SSE_CHANNELS) {
    throw new HubError(ErrorCode.InvalidMessage, `give 1–${MAX_SSE_CHANNELS} ?channel= parameters`);
  }
  return unique;
}

/** The resume positions of a request's `Last-Event-ID` (the first, if it is sent more than once). */
export function resumePositions(request: IncomingMessage): Map<Channel, StreamPosition> {
  const header = request.headers['last-event-id'];
  return parseLastEventId(Array.isArray(header) ? header[0] : header);
}

/** Reads a `Last-Event-ID` written by `SseStream`; unknown parts are ignored. */
export function parseLastEventId(value: string | undefined): Map<Channel, StreamPosition> {
  const positions = new Map<Channel, StreamPosition>();
  if (!value || value.length > 64 * 1024) return positions;
  for (const part of value.split(',')) {
    const match = /^([a-z]+:[A-Za-z0-9._-]+)@([A-Za-z0-9_-]{1,64}):(\d{1,15})$/.exec(part.trim());
    if (match && isChannel(match[1])) positions.set(match[1], { epoch: match[2], offset: Number(match[3]) });
  }
  return positions;
}
