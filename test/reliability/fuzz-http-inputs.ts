/**
 * Hostile inputs for the hub's HTTP side: bodies for `POST /api/publish` and
 * request lines and headers for `GET /events` (SSE).
 */
import fc from 'fast-check';
import { FUZZ_CHANNELS } from './fuzz-client-frames';
import {
  almostJson,
  bigString,
  deepNesting,
  edgeNumberText,
  hostileKey,
  hostileString,
  jsonValue,
  mutateText,
  prototypeKeyText,
  wrongValue,
} from './fuzz-values';

/** The hub's default `maxBodyBytes`. */
export const MAX_BODY_BYTES = 1024 * 1024;

const validId = fc.stringMatching(/^[A-Za-z0-9._-]{1,24}$/).filter((id) => id !== '.' && id !== '..');
const label = fc.stringMatching(/^[a-z_]{1,20}$/);
const timestamp = fc.nat();

/** Known events with payloads their schemas accept, and unknown event names with any JSON. */
const validEvent: fc.Arbitrary<{ event: string; data: unknown }> = fc.oneof(
  fc
    .record(
      { issueId: validId, projectId: validId, title: fc.string({ maxLength: 60 }), status: label, stage: label },
      { requiredKeys: ['issueId'] },
    )
    .map((data) => ({ event: 'issue_created', data })),
  fc
    .record({ issueId: validId, newStatus: label, oldStatus: label }, { requiredKeys: ['issueId', 'newStatus'] })
    .map((data) => ({ event: 'status_changed', data })),
  fc
    .record({ timestamp, content: fc.string({ unit: 'grapheme', maxLength: 80 }) })
    .map((data) => ({ event: 'output', data })),
  fc.record({ timestamp, lines: fc.array(fc.string({ maxLength: 40 }), { maxLength: 5 }) }).map((data) => ({
    event: 'output_batch',
    data,
  })),
  fc
    .record({ agentId: validId, status: fc.constantFrom('working', 'waiting_for_input', 'failed', 'idle', 'offline') })
    .map((data) => ({ event: 'agent_status', data })),
  fc
    .tuple(
      fc.oneof(
        fc.stringMatching(/^[a-z][a-z0-9_.:-]{0,20}$/),
        // Valid names that are also Object.prototype members or the hub's own SSE notices.
        fc.constantFrom('constructor', 'tostring', 'valueof', 'hasownproperty', 'prototype', 'error', 'resync'),
      ),
      jsonValue,
    )
    .map(([event, data]) => ({ event, data })),
);

/** Known events with payloads of the wrong shape. */
const invalidPayload: fc.Arbitrary<{ event: string; data: unknown }> = fc
  .tuple(
    fc.constantFrom(
      'issue_created',
      'issue_updated',
      'status_changed',
      'stage_changed',
      'agent_assigned',
      'agent_started',
    ),
    fc.constantFrom('agent_status', 'output', 'output_batch'),
    fc.oneof(wrongValue, fc.dictionary(hostileKey, wrongValue, { maxKeys: 4 })),
    fc.boolean(),
  )
  .map(([issueEvent, otherEvent, data, pickIssue]) => ({ event: pickIssue ? issueEvent : otherEvent, data }));

const channel = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...FUZZ_CHANNELS) },
  { weight: 2, arbitrary: hostileString },
  { weight: 1, arbitrary: wrongValue },
);
const eventName = fc.oneof(fc.constantFrom('issue_created', 'output', 'x'), hostileString, wrongValue);

const validBody = fc
  .tuple(fc.constantFrom(...FUZZ_CHANNELS), validEvent)
  .map(([name, { event, data }]) => ({ channel: name, event, data }));

/** A publish body, as bytes, and whether to send it chunked rather than with a Content-Length. */
export interface PublishInput {
  body: Buffer;
  chunked: boolean;
}

export const publishBody: fc.Arbitrary<PublishInput> = fc
  .tuple(
    fc
      .oneof(
        { weight: 25, arbitrary: validBody.map((body) => JSON.stringify(body)) },
        {
          weight: 10,
          arbitrary: fc
            .tuple(fc.constantFrom(...FUZZ_CHANNELS), invalidPayload)
            .map(([name, { event, data }]) => JSON.stringify({ channel: name, event, data })),
        },
        {
          weight: 15,
          arbitrary: fc
            .record({ channel, event: eventName, data: jsonValue }, { requiredKeys: [] })
            .map((body) => JSON.stringify(body)),
        },
        {
          weight: 6,
          arbitrary: fc
            .tuple(validBody, fc.dictionary(hostileKey, jsonValue, { minKeys: 1, maxKeys: 2 }))
            .map(([body, extra]) => JSON.stringify(Object.assign(Object.create(null) as object, extra, body))),
        },
        { weight: 8, arbitrary: mutateText(validBody.map((body) => JSON.stringify(body))) },
        { weight: 6, arbitrary: jsonValue.map((value) => JSON.stringify(value) ?? 'null') },
        { weight: 6, arbitrary: hostileString },
        { weight: 5, arbitrary: almostJson },
        { weight: 5, arbitrary: deepNesting(20_000, MAX_BODY_BYTES) },
        { weight: 5, arbitrary: prototypeKeyText(validBody) },
        {
          weight: 4,
          arbitrary: edgeNumberText.map(
            (number) => `{"channel":"agent:opus-1","event":"output","data":{"timestamp":${number},"content":"x"}}`,
          ),
        },
        {
          weight: 1,
          arbitrary: fc
            .tuple(fc.constantFrom(...FUZZ_CHANNELS), bigString(MAX_BODY_BYTES / 4))
            .map(([name, big]) =>
              JSON.stringify({ channel: name, event: 'output', data: { timestamp: 1, content: big } }),
            ),
        },
      )
      .map((text) => Buffer.from(text)),
    fc.oneof(
      { weight: 300, arbitrary: fc.constant(null) },
      // Invalid UTF-8, and bodies past the 1 MiB limit.
      { weight: 30, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from([0xff, 0xfe, ...bytes])) },
      {
        weight: 1,
        arbitrary: fc
          .integer({ min: MAX_BODY_BYTES + 1, max: MAX_BODY_BYTES + 64 * 1024 })
          .map((size) => Buffer.from(`{"channel":"issue:1","event":"x","data":"${'y'.repeat(size)}"}`)),
      },
    ),
    fc.boolean(),
  )
  .map(([body, replacement, chunked]) => ({ body: replacement ?? body, chunked }));

/** Tokens for the SSE fuzzer: every channel, issue channels only, expired, forged. */
export interface SseTokens {
  all: string;
  issuesOnly: string;
  expired: string;
  forged: string;
}

/** One raw `GET` for the SSE endpoints: a request target (sent as is) and extra header lines. */
export interface SseInput {
  target: string;
  headers: string[];
}

/** Hostile query strings and Last-Event-ID headers for `GET /events` and `GET /events/:agentId`. */
export function sseRequest(tokens: SseTokens, epoch: string): fc.Arbitrary<SseInput> {
  const encodeSome = (text: string, raw: boolean): string =>
    // Mostly percent-encoded so the text reaches the hub; sometimes raw bytes (only what keeps the request line intact).
    raw
      ? // eslint-disable-next-line no-control-regex -- control characters are exactly what must not reach the request line
        text.replace(/[\s\u0000-\u001f\u007f-\uffff]/g, '_')
      : encodeURIComponent(text.replace(/[\ud800-\udfff]/g, '?'));
  const channelValue = fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...FUZZ_CHANNELS).map((name) => encodeURIComponent(name)) },
    { weight: 3, arbitrary: fc.tuple(hostileString, fc.boolean()).map(([text, raw]) => encodeSome(text, raw)) },
    { weight: 1, arbitrary: fc.constantFrom('%', '%zz', '%E0%A4%A', '%00', '&', '=', '%26channel%3Dissue:1', '+') },
  );
  const token = fc.constantFrom(
    `token=${tokens.all}`,
    `token=${tokens.issuesOnly}`,
    `token=${tokens.expired}`,
    `token=${tokens.forged}`,
    'token=',
    'token',
    '',
    `token=${tokens.all}&token=${tokens.forged}`,
  );
  const queryTarget = fc
    .tuple(fc.array(channelValue, { minLength: 0, maxLength: 70 }), token, fc.array(hostileString, { maxLength: 2 }))
    .map(([channels, auth, junk]) =>
      [...channels.map((value) => `channel=${value}`), auth, ...junk.map((text) => encodeSome(text, false))]
        .filter((part) => part !== '')
        .join('&'),
    )
    .map((query) => `/events?${query}`);
  const agentTarget = fc
    .tuple(fc.oneof(fc.constantFrom('opus-1', '%E0%A4%A', '..', '%2e%2e', 'a%2Fb', '%00'), hostileString), token)
    .map(([id, auth]) => `/events/${encodeSome(id, false) || 'x'}?${auth}`);

  const lastEventId = fc.oneof(
    fc
      .array(
        fc.tuple(fc.constantFrom(...FUZZ_CHANNELS, 'issue:other'), fc.constantFrom(epoch, 'stale', ''), edgeNumberText),
        { maxLength: 80 },
      )
      .map((parts) => parts.map(([name, at, offset]) => `${name}@${at}:${offset}`).join(',')),
    // Line breaks would end the header; other control characters stay (Node answers them with 400).
    hostileString.map((text) => text.replace(/[\r\n]/g, ' ').replace(/[\u0100-\uffff]/g, '?')),
    fc.constantFrom(',,,,', '@:', `issue:1@${epoch}:999999999999999`, `issue:1@${epoch}:-1`, 'x'.repeat(4000)),
  );
  const header = fc.oneof(
    lastEventId.map((value) => `Last-Event-ID: ${value}`),
    fc.constantFrom(
      `Authorization: Bearer ${tokens.all}`,
      `Authorization: Bearer ${tokens.forged}`,
      'Authorization: Bearer',
      'Authorization: Basic dXNlcjpwYXNz',
      'Accept: text/event-stream',
      'Last-Event-ID: a\tb',
    ),
  );
  return fc
    .record({
      target: fc.oneof({ weight: 5, arbitrary: queryTarget }, { weight: 1, arbitrary: agentTarget }),
      headers: fc.array(header, { maxLength: 3 }),
    })
    .map(fitHead);
}

/** Node refuses request heads past 16 KiB with 431 before the hub sees them: stay under, dropping query parts. */
function fitHead({ target, headers }: SseInput): SseInput {
  const budget = 12 * 1024 - headers.reduce((size, line) => size + line.length + 2, 0);
  let fitted = target;
  while (fitted.length > budget && fitted.includes('&')) fitted = fitted.slice(0, fitted.lastIndexOf('&'));
  return { target: fitted.slice(0, Math.max(budget, 64)), headers };
}

/** The raw request for one SSE input (closing after the answer, so a refusal ends its connection). */
export function sseRequestText({ target, headers }: SseInput): string {
  return `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers.map((line) => `${line}\r\n`).join('')}Connection: close\r\n\r\n`;
}

/**
 * Whether `target` still names an SSE endpoint once the URL parser has
 * normalized it: `/events/..` is a request for `/`, answered 404 like any
 * unknown path.
 */
export function addressesSse(target: string): boolean {
  return /^\/events(\/[^/]+)?$/.test(new URL(target, 'http://hub.invalid').pathname);
}
