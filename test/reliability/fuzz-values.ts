/**
 * Building blocks of the fuzzers: hostile strings, keys, numbers and JSON
 * texts that parsers get wrong (look-alike channel names, prototype keys,
 * lone surrogates, 1e400, deep nesting…). fast-check arbitraries, so every run
 * is reproducible from its seed.
 */
import fc from 'fast-check';

/** Strings that have broken parsers before, mixed with random ones of every Unicode range. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 24 }),
  // Any code point, lone surrogates and NUL included.
  fc.string({ unit: 'binary', maxLength: 24 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '\ud800',
    '\udfff',
    '\u202e',
    '\u200b',
    '\ufeff',
    '.',
    '..',
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    '%00',
    '%E0%A4%A',
    '\\',
    '"',
    '\r\n',
    '${7*7}',
    '<script>alert(1)</script>',
    'issue:1\u0000',
    'ｉｓｓｕｅ:1',
    'issue:١',
    'ISSUE:1',
    'issue:1 ',
    ' issue:1',
    'issue::1',
    'issue:a/b',
    'issue:..',
    'issue:.',
    'agent:',
    `issue:${'a'.repeat(129)}`,
    `project:${'b'.repeat(128)}`,
  ),
);

/** Keys, with the prototype-reaching ones over-represented. */
export const hostileKey: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'prototype', 'type', 'channel', 'data') },
);

/** Numbers at the edges: what JSON.parse turns into Infinity, -0, unsafe integers. */
export const edgeNumberText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('1e400', '-1e400', '-0', '1e-400', '9007199254740993', '-1', '0.5', '1E2', '0x10', 'NaN', '01'),
  fc.double().map((value) => (Number.isFinite(value) ? String(value) : '0')),
  fc.integer().map(String),
);

/** Any JSON value, small enough to keep the fuzzers fast. */
export const jsonValue: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 });

/** Values of the wrong type for any field. */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  jsonValue,
  hostileString,
  fc.constantFrom(null, true, false, 0, -1, 1.5, [], {}, [[]], { '': '' }),
);

/** Text with unbalanced or extreme nesting of `[` and `{"a":`. */
export function deepNesting(maxLevels: number, maxBytes: number): fc.Arbitrary<string> {
  return fc
    .record({
      levels: fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: maxLevels })),
      opener: fc.constantFrom('[', '{"a":', '{"type":'),
      closed: fc.boolean(),
    })
    .map(({ levels, opener, closed }) => {
      const fits = Math.min(levels, Math.floor((maxBytes - 16) / (opener.length + 1)));
      const closer = opener === '[' ? ']' : '}';
      return `${opener.repeat(fits)}1${closed ? closer.repeat(fits) : ''}`;
    });
}

/** Texts placing a prototype-reaching key somewhere in an otherwise plausible message, escaped or not. */
export function prototypeKeyText(base: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<string> {
  const spelling = fc.constantFrom(
    '"__proto__"',
    '"constructor"',
    '"prototype"',
    '"\\u005f_proto__"',
    '"\\u005F\\u005Fproto\\u005F\\u005F"',
    '"__pro\\u0074o__"',
    '"construct\\u006fr"',
    '"__proto__"  ',
  );
  const payload = fc.constantFrom('{"polluted":true}', '{"prototype":{"polluted":true}}', 'null', '[]', '"x"');
  return fc.tuple(base, spelling, payload, fc.boolean()).map(([object, key, value, nested]) => {
    const text = JSON.stringify(object);
    const inner = `${key}:${value}`;
    // Either a top-level key, or one inside a nested object.
    const member = nested ? `"nested":{${inner}}` : inner;
    return text === '{}' ? `{${member}}` : `{${member},${text.slice(1)}`;
  });
}

/** A big string value with characters of 1–4 UTF-8 bytes (and ones JSON must escape), `bytes` long at most. */
export function bigString(maxBytes: number): fc.Arbitrary<string> {
  return fc
    .record({
      char: fc.constantFrom('a', 'é', '€', '😀', '"', '\\', '\n', '\u0000', '\ud800'),
      fraction: fc.double({ min: 0.05, max: 1, noNaN: true }),
    })
    .map(({ char, fraction }) => {
      // Worst case: a character JSON escapes as \uXXXX (6 bytes).
      const count = Math.max(1, Math.floor((fraction * maxBytes) / 6));
      return char.repeat(count);
    });
}

/** Small text damage to an otherwise valid text: a deletion, an insertion, a duplication or a truncation. */
export function mutateText(text: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .record({
      text,
      at: fc.nat(),
      span: fc.integer({ min: 1, max: 8 }),
      insert: fc.oneof(fc.string({ maxLength: 4 }), fc.constantFrom('"', '{', '}', '[', ']', ',', ':', '\\', '\u0000')),
      how: fc.constantFrom('delete', 'insert', 'duplicate', 'truncate'),
    })
    .map(({ text: original, at, span, insert, how }) => {
      const i = original.length === 0 ? 0 : at % original.length;
      switch (how) {
        case 'delete':
          return original.slice(0, i) + original.slice(i + span);
        case 'insert':
          return original.slice(0, i) + insert + original.slice(i);
        case 'duplicate':
          return original.slice(0, i) + original.slice(i, i + span).repeat(2) + original.slice(i + span);
        default:
          return original.slice(0, i);
      }
    });
}

/** JSON-looking texts that are not (quite) JSON, or JSON that is not an object. */
export const almostJson: fc.Arbitrary<string> = fc.constantFrom(
  '',
  ' ',
  'null',
  'true',
  '0',
  '"ping"',
  '[]',
  '[{"type":"ping"}]',
  '{}',
  '{"type":null}',
  '{"type":{"type":"ping"}}',
  '\ufeff{"type":"ping"}',
  '{"type":"ping",}',
  "{'type':'ping'}",
  '{"type":"ping"}{"type":"ping"}',
  '{"type":"ping" // comment\n}',
  '{"type":"ping","id":NaN}',
  '{"type":"ping","id":Infinity}',
  '{"type":"ping","type":"subscribe","channel":"issue:1"}',
  '{"type":"subscribe","channel":"issue:1","channel":"bogus"}',
  '{"type":"ping","id":"\\ud800"}',
  '{"type":"ping","id":"\\u0000"}',
  '{"type":"ping"',
  '{"type":"ping\\"}',
  `{"type":"ping"${' '.repeat(60_000)}}`,
  '\u0000',
);

/** Samples `count` values of `arbitrary` reproducibly (`seed`). */
export function sampleOf<T>(arbitrary: fc.Arbitrary<T>, count: number, seed: number): T[] {
  return fc.sample(arbitrary, { numRuns: count, seed });
}
