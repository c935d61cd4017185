import { describe, expect, it } from 'vitest';
import { checkRelayBatch } from '../../src/shared/relay-delivery';

describe('checkRelayBatch', () => {
  it('passes a batch whose output runs carry Uint8Array bytes', () => {
    const batch = [
      { kind: 'output', channel: 'agent:a', data: new Uint8Array([104, 105]), offset: 2 },
      { kind: 'tail', channel: 'agent:a', text: 'old\n' },
      { kind: 'subscribed', channel: 'agent:a', resumed: false },
      { kind: 'error', code: 'rate_limited', message: 'slow down' },
    ];
    expect(checkRelayBatch(batch)).toEqual({ ok: true, batch });
  });

  it.each([
    ['not an array', { kind: 'output' }],
    ['output as text (an old main)', [{ kind: 'output', channel: 'agent:a', text: 'hi' }]],
    ['bytes flattened to an object (a lossy IPC)', [{ kind: 'output', channel: 'agent:a', data: { 0: 104 } }]],
    ['an unknown kind', [{ kind: 'mystery', channel: 'agent:a' }]],
    ['a missing channel', [{ kind: 'subscribed', resumed: true }]],
    ['a tail without text', [{ kind: 'tail', channel: 'agent:a' }]],
    ['an error with a numeric channel', [{ kind: 'error', channel: 7, message: 'x' }]],
    ['a null item', [null]],
  ])('refuses %s with invalid_batch', (_name, value) => {
    const result = checkRelayBatch(value);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe('invalid_batch');
      expect(result.error).toMatch(/^falcon:deliveries: /);
    }
  });
});
