import { ErrorCode, type ProtocolError, protocolError } from './errors';

export interface ShapeLimits {
  /** Deepest accepted nesting of objects and arrays. */
  maxDepth: number;
}

// Keys that could reach an object's prototype if a later step merged with
// Object.assign or a for-in copy. Rejected wholesale rather than stripped.
const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'];
// Longest raw text that can decode to a forbidden key: every character written as a
// six-character `\uXXXX` escape ("constructor" → 66). Longer strings are never decoded.
const LONGEST_ESCAPED_KEY = Math.max(...FORBIDDEN_KEYS.map((key) => key.length)) * 6;

/**
 * One linear pass over JSON text, before JSON.parse: rejects nesting deeper
 * than `maxDepth` (so no later recursive step can blow the stack) and keys that
 * could pollute prototypes. Strings are skipped with their escapes. Malformed
 * text is left for JSON.parse to report.
 */
export function checkJsonShape(text: string, limits: ShapeLimits): ProtocolError | null {
  let depth = 0;
  const length = text.length;
  // Stryker disable next-line EqualityOperator: one step past the end reads NaN, which matches no character
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i + 1;
      i = skipString(text, start);
      // Stryker disable next-line ConditionalExpression: the length test only skips decoding strings that cannot be a forbidden key
      if (i - start <= LONGEST_ESCAPED_KEY && isForbiddenKey(text, start, i)) {
        return protocolError(ErrorCode.ForbiddenKey, 'message contains a forbidden key');
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limits.maxDepth) {
        return protocolError(ErrorCode.TooDeep, `message nests deeper than ${limits.maxDepth}`);
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return null;
}

/** Returns the index of the closing quote (or text.length if unterminated). */
function skipString(text: string, from: number): number {
  let i = from;
  // Stryker disable next-line EqualityOperator: one step past the end reads NaN, which matches no character
  for (; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22) return i;
  }
  return i;
}

function isForbiddenKey(text: string, start: number, end: number): boolean {
  // Only keys matter: the next non-space character after the string is ':'.
  let j = end + 1;
  // Stryker disable next-line ConditionalExpression,EqualityOperator: past the end, charCodeAt gives NaN, which is no space
  while (j < text.length && isSpace(text.charCodeAt(j))) j++;
  if (text.charCodeAt(j) !== 0x3a /* : */) return false;
  const raw = text.slice(start, end);
  // An escaped key ("\u005f_proto__") decodes to the same thing; decode when escapes are present.
  // Stryker disable next-line StringLiteral: decoding text without escapes gives the same text; the test only saves the work
  const key = raw.includes('\\') ? safeDecode(raw) : raw;
  return FORBIDDEN_KEYS.includes(key);
}

function safeDecode(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
