import { describe, expect, it } from 'vitest';
import { validateIpcArgs } from '../../src/main/ipc-schemas';

/**
 * The error texts main logs for a refused IPC message name the channel, the
 * argument and the rule (these tests are what npm run test:mutation scores
 * ipc-schemas.ts by).
 */
const error = (channel: string, args: unknown) => {
  const result = validateIpcArgs(channel, args);
  return result.ok ? null : result;
};

describe('validateIpcArgs messages', () => {
  it('names an unknown channel, quoted and cut to 64 characters', () => {
    expect(error('falcon:exec', [])).toEqual({
      ok: false,
      code: 'unknown_channel',
      error: 'unknown IPC channel "falcon:exec"',
    });
    expect(error('x'.repeat(100), [])?.error).toBe(`unknown IPC channel "${'x'.repeat(64)}"`);
  });

  it('names the type of a channel that is not a string', () => {
    expect(error(42 as unknown as string, [])?.error).toBe('unknown IPC channel number');
  });

  it.each([
    ['falcon:unsubscribe', ['bad id!'], 'falcon:unsubscribe: args[0]: invalid subscription id'],
    ['falcon:subscribe', ['s', 'issue:../x', {}], 'falcon:subscribe: args[1]: invalid channel'],
    ['falcon:open-window', [{ kind: 'agent', id: '..' }], 'falcon:open-window: args[0].id: invalid id'],
    ['falcon:open-window', [{ kind: 'issue', id: 'a/b' }], 'falcon:open-window: args[0].id: invalid id'],
    [
      'falcon:set-server',
      [{ url: '', token: 'a\nb' }],
      'falcon:set-server: args[0].token: a token is visible ASCII characters',
    ],
    [
      'falcon:open-external',
      ['javascript:alert(1)'],
      'falcon:open-external: args[0]: only http(s) links without credentials open outside',
    ],
  ])('%s %j → %s', (channel, args, message) => {
    expect(error(channel, args)).toEqual({ ok: false, code: 'invalid_args', error: message });
  });

  it('refuses a pane target of an unknown kind and one with an extra field', () => {
    expect(error('falcon:open-window', [{ kind: 'project', id: 'p' }])?.error).toMatch(
      /^falcon:open-window: args\[0\]/,
    );
    expect(error('falcon:open-window', [{ kind: 'issue', id: '1', x: 1 }])?.error).toMatch(
      /^falcon:open-window: args\[0\]/,
    );
  });

  it('cuts an error to 300 characters', () => {
    const key = 'k'.repeat(400);
    const result = error('falcon:set-notification-settings', [{ [key]: true }]);
    expect(result?.error).toHaveLength(300);
    expect(result?.error.startsWith('falcon:set-notification-settings: args[0]')).toBe(true);
  });

  it('says the arguments could not be read when reading them throws', () => {
    const hostile = new Proxy([], {
      get() {
        throw new Error('boom');
      },
      getPrototypeOf() {
        throw new Error('boom');
      },
    });
    expect(error('falcon:retry-now', hostile)).toEqual({
      ok: false,
      code: 'invalid_args',
      error: 'falcon:retry-now: arguments could not be read',
    });
  });
});
