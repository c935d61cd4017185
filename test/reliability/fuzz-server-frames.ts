/**
 * Hostile hub → client frames, for fuzzing the client core: valid events
 * mixed with every message type carrying wrong fields, malformed JSON, huge
 * and deep data, prototype keys, unicode and binary frames.
 */
import fc from 'fast-check';
import {
  almostJson,
  bigString,
  deepNesting,
  hostileKey,
  hostileString,
  jsonValue,
  mutateText,
  prototypeKeyText,
  wrongValue,
} from './fuzz-values';

/** A frame the fuzzing server sends: text, or bytes sent as a binary frame. */
export type ServerFrame = string | Uint8Array;

const SERVER_TYPES = ['connected', 'subscribed', 'unsubscribed', 'pong', 'event', 'error', 'snapshot', 'tail'];
const ERROR_CODES = ['invalid_json', 'forbidden', 'unavailable', 'rate_limited', 'internal', 'not_a_code'];

/** Frames for the channels the client subscribed (`channels`) and others. */
export function serverFrame(channels: readonly string[]): fc.Arbitrary<ServerFrame> {
  const channel = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...channels) },
    { weight: 1, arbitrary: fc.constantFrom('issue:other', 'agent:nobody') },
    { weight: 2, arbitrary: hostileString },
    { weight: 1, arbitrary: wrongValue },
  );
  const eventName = fc.oneof(
    fc.constantFrom('issue_created', 'status_changed', 'output', 'output_batch', 'agent_status', 'custom.event'),
    hostileString,
  );
  const epoch = fc.oneof({ weight: 4, arbitrary: fc.constantFrom('e1', 'e2') }, { weight: 1, arbitrary: wrongValue });
  const offset = fc.oneof(
    { weight: 4, arbitrary: fc.nat({ max: 1_000_000 }) },
    { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.double(), wrongValue) },
  );

  const validEvent = fc.record(
    {
      type: fc.constant('event'),
      channel: fc.constantFrom(...channels),
      event: eventName,
      data: jsonValue,
      offset: fc.nat(),
      epoch,
    },
    { requiredKeys: ['type', 'channel', 'event', 'data'] },
  );
  const mutated = fc
    .tuple(
      fc.record(
        {
          type: fc.oneof(
            { weight: 6, arbitrary: fc.constantFrom(...SERVER_TYPES) },
            { weight: 1, arbitrary: wrongValue },
          ),
          channel,
          event: eventName,
          data: fc.oneof(
            jsonValue,
            fc.record({ issues: fc.array(jsonValue, { maxLength: 3 }), agents: fc.array(jsonValue, { maxLength: 3 }) }),
          ),
          offset,
          epoch,
          clientId: fc.oneof(fc.string({ maxLength: 40 }), wrongValue),
          message: fc.oneof(fc.string({ maxLength: 80 }), wrongValue),
          code: fc.oneof(fc.constantFrom(...ERROR_CODES), wrongValue),
          lines: fc.oneof(fc.array(fc.string({ maxLength: 40 }), { maxLength: 5 }), wrongValue),
          recovered: fc.oneof(fc.boolean(), wrongValue),
          replayed: fc.oneof(fc.nat(), wrongValue),
          features: fc.oneof(fc.array(fc.string({ maxLength: 70 }), { maxLength: 70 }), wrongValue),
        },
        { requiredKeys: ['type'] },
      ),
      fc.option(fc.dictionary(hostileKey, jsonValue, { maxKeys: 3 }), { nil: undefined }),
    )
    .map(([message, extra]) => JSON.stringify(Object.assign(Object.create(null) as object, extra, message)));
  const binary = fc.oneof(
    fc.uint8Array({ maxLength: 256 }),
    validEvent.map((event) => new TextEncoder().encode(JSON.stringify(event))),
  );

  return fc.oneof(
    { weight: 25, arbitrary: validEvent.map((event) => JSON.stringify(event)) },
    { weight: 30, arbitrary: mutated },
    { weight: 8, arbitrary: mutateText(validEvent.map((event) => JSON.stringify(event))) },
    { weight: 6, arbitrary: jsonValue.map((value) => JSON.stringify(value) ?? 'null') },
    { weight: 6, arbitrary: hostileString },
    { weight: 5, arbitrary: almostJson },
    { weight: 5, arbitrary: deepNesting(200, 64 * 1024) },
    { weight: 5, arbitrary: prototypeKeyText(validEvent) },
    { weight: 5, arbitrary: binary },
  );
}

/**
 * A frame of 1–`maxBytes` bytes of event data (the client accepts up to 16 MiB);
 * the fuzzer sends a few of these at intervals rather than mixing them in, to
 * keep the run short.
 */
export function hugeServerFrame(channels: readonly string[], maxBytes: number): fc.Arbitrary<string> {
  return fc.tuple(fc.constantFrom(...channels), bigString(maxBytes), fc.boolean()).map(([channel, big, valid]) =>
    JSON.stringify({
      type: 'event',
      channel,
      event: 'output',
      data: valid ? { timestamp: 1, content: big } : { timestamp: -1, lines: [big], nested: { big } },
    }),
  );
}
