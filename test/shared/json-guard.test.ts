import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/shared/errors';
import { checkJsonShape } from '../../src/shared/json-guard';

const limits = { maxDepth: 3 };
const code = (text: string, maxDepth = limits.maxDepth) => checkJsonShape(text, { maxDepth })?.code ?? null;

describe('checkJsonShape', () => {
  describe('depth', () => {
    it.each([
      ['flat text', '1', null],
      ['nesting exactly at the limit', '[{"a":[1]}]', null],
      ['objects one past the limit', '{"a":{"b":{"c":{}}}}', ErrorCode.TooDeep],
      ['arrays one past the limit', '[[[[]]]]', ErrorCode.TooDeep],
      ['siblings that never nest deeply', '[[[]],[[]],[[]],[[]]]', null],
      ['object siblings that never nest deeply', '[{"a":{}},{"b":{}},{"c":{}},{}]', null],
      ['closing braces that bring the depth back down', '[[[]]]' + '[[[]]]', null],
      ['brackets inside strings', '["[[[[[[", "{{{{{{"]', null],
      ['brackets after an escaped quote in a string', '["\\"[[[[[["]', null],
      ['brackets after an escaped backslash', '["\\\\", [[[]]]]', ErrorCode.TooDeep],
    ])('%s → %s', (_case, text, expected) => {
      expect(code(text)).toBe(expected);
    });

    it('names the limit in the message', () => {
      expect(checkJsonShape('[[[[]]]]', limits)).toEqual({
        code: ErrorCode.TooDeep,
        message: 'message nests deeper than 3',
      });
    });

    it('allows a depth of zero only for scalars', () => {
      expect(code('"x"', 0)).toBeNull();
      expect(code('[]', 0)).toBe(ErrorCode.TooDeep);
      expect(code('{}', 0)).toBe(ErrorCode.TooDeep);
    });
  });

  describe('forbidden keys', () => {
    it.each([
      ['__proto__', '{"__proto__":{}}'],
      ['constructor', '{"constructor":{}}'],
      ['prototype', '{"prototype":1}'],
      ['a key followed by spaces, tabs and newlines before the colon', '{"__proto__" \t\r\n :1}'],
      ['an escaped key', '{"\\u005f_proto__":1}'],
      ['a fully escaped key', '{"\\u0063onstructor":1}'],
      ['a nested key', '{"a":[{"b":{"prototype":1}}]}'],
    ])('rejects %s', (_case, text) => {
      expect(checkJsonShape(text, { maxDepth: 16 })).toEqual({
        code: ErrorCode.ForbiddenKey,
        message: 'message contains a forbidden key',
      });
    });

    it.each([
      ['the words as values', '{"a":"__proto__","b":["constructor","prototype"]}'],
      ['a key that only contains one', '{"x__proto__":1,"constructorx":2}'],
      ['a value followed by a colon-like text later', '["__proto__", ":"]'],
      ['an escaped key that decodes to something else', '{"\\u0041":1}'],
      ['a malformed escape (left for JSON.parse)', '{"\\u00zz":1}'],
      ['a value at the end of the text', '"__proto__"'],
      ['an unterminated string', '{"__proto__'],
      ['a long key that starts like one', `{"__proto__${'x'.repeat(70)}":1}`],
    ])('allows %s', (_case, text) => {
      expect(checkJsonShape(text, { maxDepth: 16 })).toBeNull();
    });

    const escaped = (key: string) =>
      [...key].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');

    it.each(['__proto__', 'constructor', 'prototype'])('rejects %s with every character escaped', (key) => {
      // "constructor" escaped is 66 characters: a guard that looked at 64 only let it through.
      expect(escaped(key)).toHaveLength(key.length * 6);
      expect(code(`{"${escaped(key)}":1}`, 16)).toBe(ErrorCode.ForbiddenKey);
    });
  });
});
