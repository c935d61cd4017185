import { describe, expect, it } from 'vitest';
import { type IpcArgs, type IpcChannel, ipcArgSchemas, validateIpcArgs } from '../../src/main/ipc-schemas';

const huge = 'a'.repeat(100_000);
const withProto = <T>(json: string): T => JSON.parse(json) as T;

/** Good arguments for every channel; the type makes a new channel without cases fail to compile. */
const good: { [C in IpcChannel]: IpcArgs[C][] } = {
  'falcon:subscribe': [
    ['sub-1', 'agent:opus-1', {}],
    ['A_z-9', 'issue:42', { snapshot: true, tail: 0, urgent: false }],
    ['x'.repeat(64), `project:${'p'.repeat(128)}`, { tail: 10_000 }],
  ],
  'falcon:unsubscribe': [['sub-1']],
  'falcon:set-urgent': [
    ['sub-1', true],
    ['sub-1', false],
  ],
  'falcon:retry-now': [[]],
  'falcon:open-external': [['https://github.com/falcon/pm/issues/1'], ['http://localhost:3002/']],
  'falcon:open-window': [[{ kind: 'agent', id: 'opus-1' }], [{ kind: 'issue', id: 'ISSUE.42_a' }]],
  'falcon:viewing': [[{ kind: 'issue', id: '7' }], [null]],
  'falcon:copy-text': [[''], ['copy me\nand me\u001b[0m'], ['x'.repeat(1_000_000)]],
  'falcon:hello': [[]],
  'falcon:get-server': [[]],
  'falcon:set-server': [
    [{ url: '' }],
    [{ url: 'wss://falcon.example/ws', token: 'eyJhbGciOiJIUzI1NiJ9.e30.sig' }],
    [{ url: 'ws://localhost:3002/ws', token: null }],
    [{ url: 'ws://[::1]:3002/', token: 't'.repeat(8192) }],
  ],
  'falcon:list-projects': [[]],
  'falcon:send-input': [
    ['opus-1', { action: 'approve', requestId: 'r1', choice: 'approve' }],
    ['a', { action: 'reply', text: 'yes\nand more' }],
    ['a', { action: 'interrupt' }],
  ],
  'falcon:get-notification-settings': [[]],
  'falcon:set-notification-settings': [
    [{}],
    [{ enabled: false }],
    [{ statuses: ['waiting_for_input', 'failed'], projects: ['p1', 'p-2'], pausedUntil: null }],
    [{ pausedUntil: 1_700_000_000_000 }],
    [{ statuses: Array.from({ length: 32 }, (_, i) => `s${i}`) }],
  ],
};

/** Bad arguments for every channel, each with why it is bad. */
const bad: { [C in IpcChannel]: [reason: string, args: unknown][] } = {
  'falcon:subscribe': [
    ['no arguments', []],
    ['not an array', { 0: 'sub', 1: 'agent:a', 2: {} }],
    ['missing options', ['sub-1', 'agent:a']],
    ['an extra argument', ['sub-1', 'agent:a', {}, 'extra']],
    ['an id with a dot', ['sub.1', 'agent:a', {}]],
    ['an empty id', ['', 'agent:a', {}]],
    ['an id of 65 chars', ['x'.repeat(65), 'agent:a', {}]],
    ['a huge id', [huge, 'agent:a', {}]],
    ['a numeric id', [1, 'agent:a', {}]],
    ['a path-like channel', ['sub-1', 'issue:../x', {}]],
    ['an unknown channel kind', ['sub-1', 'user:alice', {}]],
    ['a channel without id', ['sub-1', 'agent:', {}]],
    ['a huge channel', ['sub-1', `agent:${huge}`, {}]],
    ['a channel that is not a string', ['sub-1', { toString: () => 'agent:a' }, {}]],
    ['an unknown option', ['sub-1', 'agent:a', { since: { epoch: 'e', offset: 1 } }]],
    ['a negative tail', ['sub-1', 'agent:a', { tail: -1 }]],
    ['a tail over 10 000', ['sub-1', 'agent:a', { tail: 10_001 }]],
    ['a fractional tail', ['sub-1', 'agent:a', { tail: 1.5 }]],
    ['a string tail', ['sub-1', 'agent:a', { tail: '10' }]],
    ['a string snapshot', ['sub-1', 'agent:a', { snapshot: 'true' }]],
    ['null options', ['sub-1', 'agent:a', null]],
    ['options with __proto__', ['sub-1', 'agent:a', withProto('{"__proto__": {"urgent": true}}')]],
  ],
  'falcon:unsubscribe': [
    ['no arguments', []],
    ['an extra argument', ['sub-1', 'sub-2']],
    ['a bad id', ['../x']],
    ['null', [null]],
  ],
  'falcon:set-urgent': [
    ['a string flag', ['sub-1', 'true']],
    ['a missing flag', ['sub-1']],
    ['an extra argument', ['sub-1', true, false]],
  ],
  'falcon:retry-now': [
    ['an argument', [true]],
    ['not an array', undefined],
  ],
  'falcon:open-external': [
    ['javascript:', ['javascript:alert(1)']],
    ['mixed-case javascript:', ['JaVaScRiPt:alert(1)']],
    ['file:', ['file:///etc/passwd']],
    ['smb:', ['smb://host/share']],
    ['credentials', ['https://user:pass@example.com/']],
    ['a relative path', ['/x']],
    ['a huge URL', [`https://example.com/${huge}`]],
    ['a URL object', [new URL('https://example.com/')]],
    ['an extra argument', ['https://example.com/', 'x']],
  ],
  'falcon:open-window': [
    ['an unknown kind', [{ kind: 'project', id: 'p' }]],
    ['an invalid id', [{ kind: 'agent', id: '../etc' }]],
    ['the id ..', [{ kind: 'agent', id: '..' }]],
    ['a huge id', [{ kind: 'issue', id: huge }]],
    ['an extra field', [{ kind: 'agent', id: 'a', url: 'https://x' }]],
    ['a __proto__ key', [withProto('{"kind": "agent", "id": "a", "__proto__": {"polluted": true}}')]],
    ['null', [null]],
    [
      'an extra argument',
      [
        { kind: 'agent', id: 'a' },
        { kind: 'agent', id: 'b' },
      ],
    ],
  ],
  'falcon:viewing': [
    ['no arguments', []],
    ['undefined', [undefined]],
    ['a string target', ['agent:a']],
  ],
  'falcon:copy-text': [
    ['no arguments', []],
    ['a number', [1]],
    ['an extra argument', ['a', 'b']],
    ['more than 32 MiB', ['x'.repeat(32 * 1024 * 1024 + 1)]],
  ],
  'falcon:hello': [['an argument', ['x']]],
  'falcon:get-server': [['an argument', [{}]]],
  'falcon:set-server': [
    ['an http URL', [{ url: 'https://falcon.example/ws' }]],
    ['javascript:', [{ url: 'javascript:alert(1)' }]],
    ['credentials in the URL', [{ url: 'wss://u:p@falcon.example/ws' }]],
    ['a fragment', [{ url: 'wss://falcon.example/ws#x' }]],
    ['a URL over 2048 chars', [{ url: `wss://falcon.example/${'a'.repeat(2048)}` }]],
    ['a missing URL', [{ token: 't' }]],
    ['a token over 8192 chars', [{ url: '', token: 't'.repeat(8193) }]],
    ['an empty token', [{ url: '', token: '' }]],
    ['a token with a newline', [{ url: '', token: 'abc\r\nX-Injected: 1' }]],
    ['a numeric token', [{ url: '', token: 42 }]],
    ['an extra field', [{ url: '', hasToken: true }]],
    ['a __proto__ key', [withProto('{"url": "", "__proto__": {"token": "t"}}')]],
    ['a string instead of an object', ['wss://falcon.example/ws']],
  ],
  'falcon:list-projects': [['an argument', [1]]],
  'falcon:send-input': [
    ['no input', ['a']],
    ['an agent id with a space', ['a b', { action: 'interrupt' }]],
    ['an unknown action', ['a', { action: 'rm -rf' }]],
    ['a reply without text', ['a', { action: 'reply' }]],
    ['an extra field', ['a', { action: 'interrupt', by: 'someone-else' }]],
    ['a huge text', ['a', { action: 'reply', text: huge }]],
    ['an extra argument', ['a', { action: 'interrupt' }, 'x']],
  ],
  'falcon:get-notification-settings': [['an argument', [null]]],
  'falcon:set-notification-settings': [
    ['secureStorage, which is read-only', [{ secureStorage: true }]],
    ['an unknown field', [{ sound: 'ding' }]],
    ['a string flag', [{ enabled: 'yes' }]],
    ['33 statuses', [{ statuses: Array.from({ length: 33 }, (_, i) => `s${i}`) }]],
    ['a huge status', [{ statuses: [huge] }]],
    ['a status with spaces', [{ statuses: ['waiting for input'] }]],
    ['a status that is not a string', [{ statuses: [1] }]],
    ['an invalid project id', [{ projects: ['../x'] }]],
    ['a negative pause', [{ pausedUntil: -1 }]],
    ['an infinite pause', [{ pausedUntil: Infinity }]],
    ['a __proto__ key', [withProto('{"__proto__": {"enabled": false}}')]],
    ['no arguments', []],
  ],
};

describe('validateIpcArgs', () => {
  it('has good and bad cases for every channel', () => {
    expect(Object.keys(good).sort()).toEqual(Object.keys(ipcArgSchemas).sort());
    expect(Object.keys(bad).sort()).toEqual(Object.keys(ipcArgSchemas).sort());
  });

  describe.each(Object.keys(ipcArgSchemas) as IpcChannel[])('%s', (channel) => {
    it.each(good[channel].map((args) => [JSON.stringify(args).slice(0, 80), args] as const))(
      'accepts %s',
      (_label, args) => {
        const result = validateIpcArgs(channel, args);
        expect(result).toEqual({ ok: true, args });
      },
    );

    it.each(bad[channel])('rejects %s with invalid_args', (_reason, args) => {
      const result = validateIpcArgs(channel, args);
      expect(result.ok).toBe(false);
      if (!result.ok) {
        expect(result.code).toBe('invalid_args');
        expect(result.error.startsWith(`${channel}: `)).toBe(true);
        expect(result.error.length).toBeLessThanOrEqual(300);
      }
    });
  });

  it('returns a fresh copy, so later changes to the input cannot reach the handler', () => {
    const options = { tail: 5 };
    const result = validateIpcArgs('falcon:subscribe', ['s', 'agent:a', options]);
    expect(result.ok).toBe(true);
    if (result.ok) {
      options.tail = 1_000_000;
      expect(result.args[2].tail).toBe(5);
    }
  });

  it('does not pollute Object.prototype through a __proto__ key', () => {
    validateIpcArgs('falcon:set-notification-settings', [withProto('{"__proto__": {"polluted": true}}')]);
    validateIpcArgs('falcon:open-window', [withProto('{"kind": "agent", "id": "a", "__proto__": {"polluted": true}}')]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('names the argument path in the error, without echoing the value', () => {
    const result = validateIpcArgs('falcon:subscribe', ['s', 'agent:a', { tail: 'SECRET-VALUE' }]);
    expect(result).toMatchObject({ ok: false, code: 'invalid_args' });
    if (!result.ok) {
      expect(result.error).toContain('args[2].tail');
      expect(result.error).not.toContain('SECRET-VALUE');
    }
  });

  it.each([
    ['an unknown channel', 'falcon:exec'],
    ['a raw protocol channel', 'issue:../x'],
    ['an inherited property name', '__proto__'],
    ['another inherited property name', 'constructor'],
    ['toString', 'toString'],
    ['the empty string', ''],
    ['a huge name', huge],
  ])('rejects %s with unknown_channel', (_reason, channel) => {
    const result = validateIpcArgs(channel, []);
    expect(result).toMatchObject({ ok: false, code: 'unknown_channel' });
    if (!result.ok) expect(result.error.length).toBeLessThan(120);
  });

  it('never throws, even on a channel that is not a string or arguments that throw when read', () => {
    expect(validateIpcArgs(Symbol('x') as unknown as string, [])).toMatchObject({ code: 'unknown_channel' });
    expect(validateIpcArgs({ toString: () => 'falcon:hello' } as unknown as string, [])).toMatchObject({
      code: 'unknown_channel',
    });
    const hostile = new Proxy([], {
      get() {
        throw new Error('boom');
      },
      getPrototypeOf() {
        throw new Error('boom');
      },
    });
    expect(validateIpcArgs('falcon:retry-now', hostile)).toMatchObject({ ok: false, code: 'invalid_args' });
    const getter = {
      kind: 'agent',
      get id(): string {
        throw new Error('boom');
      },
    };
    expect(validateIpcArgs('falcon:open-window', [getter])).toMatchObject({ ok: false, code: 'invalid_args' });
  });
});
