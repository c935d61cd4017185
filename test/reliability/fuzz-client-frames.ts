/**
 * Adversarial client → hub frames. `clientFrame` stays within what keeps a
 * connection open (text, at most 64 KiB of UTF-8); `closingFrame` is what the
 * hub answers by closing (binary, invalid UTF-8, over 64 KiB), so each of
 * those gets a connection of its own.
 */
import fc from 'fast-check';
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

/** The hub's `maxPayload`: text frames up to this many bytes keep the connection. */
export const MAX_CLIENT_FRAME_BYTES = 64 * 1024;
/** Channels the fuzzer favours, so subscribe, re-subscribe and unsubscribe paths are exercised. */
export const FUZZ_CHANNELS = ['issue:1', 'issue:fuzz-2', 'agent:opus-1', 'project:falcon'] as const;

const validId = fc.stringMatching(/^[A-Za-z0-9._-]{1,24}$/).filter((id) => id !== '.' && id !== '..');
const validChannel = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...FUZZ_CHANNELS) },
  {
    weight: 2,
    arbitrary: fc.tuple(fc.constantFrom('issue', 'agent', 'project'), validId).map(([k, id]) => `${k}:${id}`),
  },
);
const channel = fc.oneof(
  { weight: 4, arbitrary: validChannel },
  { weight: 2, arbitrary: hostileString },
  { weight: 1, arbitrary: wrongValue },
);
const messageType = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('subscribe', 'unsubscribe', 'ping', 'focus') },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.constantFrom('Subscribe', 'subscribe ', 'ping\u0000', 'pong', 'event', 'connected', 'error', 'publish'),
      hostileString,
      wrongValue,
    ),
  },
);
const position = fc.oneof(
  fc.record({ epoch: fc.stringMatching(/^[a-z0-9]{1,12}$/), offset: fc.nat() }),
  fc.record({ epoch: wrongValue, offset: fc.oneof(fc.integer(), fc.double(), wrongValue) }, { requiredKeys: [] }),
  wrongValue,
);

/** A message with valid-looking structure whose fields may be of any type or value. */
const mutatedMessage: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.record(
      {
        type: messageType,
        channel,
        since: position,
        snapshot: fc.oneof(fc.boolean(), wrongValue),
        tail: fc.oneof(fc.integer({ min: 0, max: 10_000 }), fc.integer(), fc.double(), wrongValue),
        urgent: fc.oneof(fc.boolean(), wrongValue),
        id: fc.oneof(fc.string({ maxLength: 64 }), fc.integer(), fc.double(), wrongValue),
      },
      { requiredKeys: ['type'] },
    ),
    fc.option(fc.dictionary(hostileKey, jsonValue, { maxKeys: 3 }), { nil: undefined }),
  )
  // Extra keys first, so a hostile `type` key among them cannot override the generated one.
  .map(([message, extra]) => Object.assign(Object.create(null) as Record<string, unknown>, extra, message));

/** Well-formed messages, so the fuzz also walks the paths that succeed (snapshots, tails, resumes). */
const validMessage: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  fc.record(
    {
      type: fc.constant('subscribe'),
      channel: validChannel,
      since: fc.record({ epoch: fc.stringMatching(/^[a-z0-9]{1,12}$/), offset: fc.nat() }),
      snapshot: fc.boolean(),
      tail: fc.integer({ min: 0, max: 10_000 }),
      urgent: fc.boolean(),
    },
    { requiredKeys: ['type', 'channel'] },
  ),
  fc.record({ type: fc.constant('focus'), channel: validChannel, urgent: fc.boolean() }),
  fc.record({ type: fc.constant('unsubscribe'), channel: validChannel }),
  fc.record(
    { type: fc.constant('ping'), id: fc.oneof(fc.string({ maxLength: 64 }), fc.integer()) },
    { requiredKeys: ['type'] },
  ),
);

const numberEdges = fc
  .tuple(fc.constantFrom('tail', 'offset', 'id', 'snapshot'), edgeNumberText)
  .map(([field, number]) =>
    field === 'offset'
      ? `{"type":"subscribe","channel":"issue:1","since":{"epoch":"e","offset":${number}}}`
      : `{"type":"${field === 'id' ? 'ping' : 'subscribe'}","channel":"agent:opus-1","${field}":${number}}`,
  );

const hugeMessage = fc
  .tuple(fc.constantFrom('channel', 'id', 'type', 'key', 'since'), bigString(MAX_CLIENT_FRAME_BYTES - 256))
  .map(([field, big]) => {
    switch (field) {
      case 'key':
        return JSON.stringify({ type: 'ping', [big]: 1 });
      case 'since':
        return JSON.stringify({ type: 'subscribe', channel: 'issue:1', since: { epoch: big, offset: 1 } });
      default:
        return JSON.stringify({ type: field === 'id' ? 'ping' : 'subscribe', [field]: big });
    }
  });

/**
 * One adversarial text frame (at most 64 KiB of UTF-8, so the connection
 * stays open): valid-looking messages with mutated fields, random JSON and
 * text, deep nesting, prototype keys, edge numbers, huge strings, unicode.
 */
export const clientFrame: fc.Arbitrary<string> = fc
  .oneof(
    { weight: 30, arbitrary: mutatedMessage.map((message) => JSON.stringify(message)) },
    { weight: 15, arbitrary: validMessage.map((message) => JSON.stringify(message)) },
    { weight: 10, arbitrary: mutateText(validMessage.map((message) => JSON.stringify(message))) },
    { weight: 8, arbitrary: jsonValue.map((value) => JSON.stringify(value) ?? 'null') },
    { weight: 8, arbitrary: hostileString },
    { weight: 6, arbitrary: almostJson },
    { weight: 6, arbitrary: deepNesting(12_000, MAX_CLIENT_FRAME_BYTES) },
    { weight: 6, arbitrary: prototypeKeyText(validMessage) },
    { weight: 5, arbitrary: numberEdges },
    { weight: 1, arbitrary: hugeMessage },
  )
  .map(fitFrame);

/** Keeps a frame within the hub's limit (the over-limit ones are `closingFrame`s). */
function fitFrame(text: string): string {
  let fitted = text;
  while (Buffer.byteLength(fitted) > MAX_CLIENT_FRAME_BYTES) fitted = fitted.slice(0, Math.floor(fitted.length * 0.9));
  return fitted;
}

export type ClosingFrameKind = 'binary' | 'invalid-utf8' | 'oversize';

/** What the hub closes a connection for: a binary frame (1003), invalid UTF-8 (1007), over 64 KiB (1009). */
export const closingFrame: fc.Arbitrary<{ kind: ClosingFrameKind; data: Buffer }> = fc.oneof(
  fc
    .oneof(fc.uint8Array({ maxLength: 512 }), fc.constant(new TextEncoder().encode('{"type":"ping"}')))
    .map((bytes) => ({ kind: 'binary' as const, data: Buffer.from(bytes) })),
  fc
    .tuple(
      fc.constantFrom([0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80]),
      fc.string({ maxLength: 32 }),
    )
    .map(([bad, text]) => ({
      kind: 'invalid-utf8' as const,
      data: Buffer.concat([Buffer.from(`{"type":"ping","id":"${text}`), Buffer.from(bad), Buffer.from('"}')]),
    })),
  fc.integer({ min: MAX_CLIENT_FRAME_BYTES + 1, max: 3 * MAX_CLIENT_FRAME_BYTES }).map((size) => ({
    kind: 'oversize' as const,
    data: Buffer.from(`{"type":"ping","id":"${'x'.repeat(size)}"}`),
  })),
);
