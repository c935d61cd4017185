import { describe, expect, it } from 'vitest';

/**
 * Each security-critical module loads and builds its schemas. Imported inside
 * the tests on purpose: a module that throws while loading (a schema that zod
 * refuses to build) then fails a test here, instead of failing only the loading
 * of other test files, which StrykerJS would not count as a failed test.
 */
describe('security-critical modules', () => {
  it('protocol builds its parsers', async () => {
    const { parseClientMessage } = await import('../../src/shared/protocol');
    expect(parseClientMessage('{"type":"ping"}')).toEqual({ ok: true, message: { type: 'ping' } });
  });

  it('ipc-schemas builds a schema for every channel', async () => {
    const { validateIpcArgs } = await import('../../src/main/ipc-schemas');
    expect(validateIpcArgs('falcon:open-window', [{ kind: 'agent', id: 'a' }])).toEqual({
      ok: true,
      args: [{ kind: 'agent', id: 'a' }],
    });
  });

  it('auth builds its claims schema', async () => {
    const { verifyToken, signToken } = await import('../../src/server/auth');
    const key = new TextEncoder().encode('k'.repeat(32));
    await expect(verifyToken(await signToken({ user: 'u', channels: ['*'] }, key), key)).resolves.toMatchObject({
      user: 'u',
    });
  });
});
