import { describe, expect, it } from 'vitest';
import {
  DEFAULT_BACKOFF,
  DEFAULT_DELIVERY_BATCH,
  DEFAULT_OUTPUT_TAIL,
  ReconnectingConnection,
  resolveConnectionOptions,
} from '../../src/client/index';
import { createNodeWebSocket } from '../helpers/client';

const base = { urls: 'ws://127.0.0.1:1/ws', createWebSocket: createNodeWebSocket };

describe('client core options, resolved once', () => {
  it('fills in every default', () => {
    const resolved = resolveConnectionOptions(base);
    expect(resolved).toMatchObject({
      urls: ['ws://127.0.0.1:1/ws'],
      token: null,
      backoff: DEFAULT_BACKOFF,
      resetAfterMs: 10_000,
      connectTimeoutMs: 10_000,
      pingIntervalMs: 25_000,
      pongTimeoutMs: 10_000,
      authRetryMs: 60_000,
      batch: DEFAULT_DELIVERY_BATCH,
      outputTail: DEFAULT_OUTPUT_TAIL,
      probeAuth: null,
    });
    expect(resolveConnectionOptions({ ...base, outputTail: false }).outputTail).toBeNull();
    expect(resolveConnectionOptions({ ...base, outputTail: { lines: 5 } }).outputTail).toEqual({
      lines: 5,
      chars: DEFAULT_OUTPUT_TAIL.chars,
    });
  });

  it.each([
    ['no URL', { urls: [] }, TypeError],
    ['an http URL', { urls: 'http://127.0.0.1/ws' }, TypeError],
    ['a URL that is not text', { urls: [42 as unknown as string] }, TypeError],
    ['no socket factory', { createWebSocket: undefined as unknown as typeof createNodeWebSocket }, TypeError],
    ['a negative backoff', { backoff: { initialDelayMs: -1 } }, RangeError],
    ['a cap below the first delay', { backoff: { initialDelayMs: 5000, maxDelayMs: 1000 } }, RangeError],
    ['a NaN timeout', { connectTimeoutMs: Number.NaN }, RangeError],
    ['a zero ping interval', { pingIntervalMs: 0 }, RangeError],
    ['an endless auth retry', { authRetryMs: Number.POSITIVE_INFINITY }, RangeError],
    ['a delay past what timers take', { resetAfterMs: 2 ** 31 }, RangeError],
    ['a fractional batch size', { batch: { maxBytes: 1.5 } }, RangeError],
    ['a negative flush', { batch: { flushMs: -5 } }, RangeError],
    ['an empty tail', { outputTail: { lines: 0 } }, RangeError],
  ])('refuses %s, naming the option', (_case, patch, kind) => {
    expect(() => resolveConnectionOptions({ ...base, ...patch })).toThrow(kind);
    // The connection checks them at construction, not at its first use.
    expect(() => new ReconnectingConnection({ ...base, ...patch })).toThrow(kind);
  });
});
