import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DesktopSettings, SettingsStore, TokenStorageError, defaultSettings } from '../../src/main/settings-store';
import { AesCodec } from '../helpers/aes-codec';

const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.c2lnbmF0dXJl';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'falcon-settings-'));
  file = join(dir, 'settings.json');
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readJson(): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
}

describe('SettingsStore', () => {
  describe('.open', () => {
    it('starts from the defaults when the file is missing, without writing it', async () => {
      const store = await SettingsStore.open(file, new AesCodec());
      expect(store.get()).toEqual(defaultSettings());
      expect(store.get().notifications.statuses).toEqual(['waiting_for_input', 'failed', 'done', 'blocked']);
      expect(store.recoveredFromCorruption).toBe(false);
      expect(await readdir(dir)).toEqual([]);
    });

    it('creates the parent directory when it does not exist', async () => {
      const nested = join(dir, 'a', 'b', 'settings.json');
      const store = await SettingsStore.open(nested, new AesCodec());
      await store.update({ trayEnabled: false });
      expect(JSON.parse(await readFile(nested, 'utf8'))).toMatchObject({ trayEnabled: false });
    });

    it('keeps a backup of a file that is not JSON, starts from the defaults and says so', async () => {
      await writeFile(file, '{"serverUrl": "wss://x.example/ws", trayEnab');
      const store = await SettingsStore.open(file, new AesCodec());
      expect(store.recoveredFromCorruption).toBe(true);
      expect(store.get()).toEqual(defaultSettings());
      expect(store.corruptBackup).toMatch(/settings\.json\.corrupt-\d+$/);
      expect(await readFile(store.corruptBackup!, 'utf8')).toBe('{"serverUrl": "wss://x.example/ws", trayEnab');
      // The damage is repaired at once, so the next start finds a valid file.
      expect(await readJson()).toMatchObject({ trayEnabled: true });
      expect((await SettingsStore.open(file, new AesCodec())).recoveredFromCorruption).toBe(false);
    });

    it('treats JSON that is not an object as corrupt', async () => {
      for (const text of ['null', '[]', '"settings"', '42']) {
        await writeFile(file, text);
        const store = await SettingsStore.open(file, new AesCodec());
        expect(store.recoveredFromCorruption).toBe(true);
        expect(store.get()).toEqual(defaultSettings());
      }
    });

    it('replaces only the invalid fields with their defaults and backs up the original', async () => {
      const original = {
        serverUrl: 'javascript:alert(1)',
        notifications: { enabled: false, statuses: 'failed', projects: ['p1', '../etc'], pausedUntil: 1234 },
        trayEnabled: false,
        windowBounds: {
          main: { x: -10, y: 20, width: 800, height: 600, maximized: false },
          broken: { x: 0, y: 0, width: -5, height: 600, maximized: false },
        },
        allowPlaintextToken: 'yes',
      };
      await writeFile(file, JSON.stringify(original));
      const store = await SettingsStore.open(file, new AesCodec());
      expect(store.recoveredFromCorruption).toBe(true);
      expect(JSON.parse(await readFile(store.corruptBackup!, 'utf8'))).toEqual(original);
      expect(store.get()).toEqual({
        serverUrl: '',
        notifications: {
          enabled: false,
          statuses: defaultSettings().notifications.statuses,
          projects: [],
          pausedUntil: 1234,
        },
        trayEnabled: false,
        windowBounds: { main: { x: -10, y: 20, width: 800, height: 600, maximized: false } },
        allowPlaintextToken: false,
      });
    });

    describe('reads each field on its own: an invalid one takes its default, the others are kept', () => {
      const bounds = { x: -10, y: 20, width: 800, height: 600, maximized: true };
      // Every field valid and away from its default, so a field that falls back shows.
      const valid = {
        serverUrl: 'wss://hub.example/ws',
        notifications: { enabled: false, statuses: ['failed'], projects: ['p1'], pausedUntil: 1234 },
        trayEnabled: false,
        windowBounds: { main: bounds },
        allowPlaintextToken: true,
      };
      const defaults = defaultSettings();
      type Notifications = DesktopSettings['notifications'];
      /** A file with one notifications field set to `value`, and the settings it reads as: that field's default. */
      const badNotification = <K extends keyof Notifications>(key: K, value: unknown) => ({
        file: { ...valid, notifications: { ...valid.notifications, [key]: value } },
        expected: { ...valid, notifications: { ...valid.notifications, [key]: defaults.notifications[key] } },
      });
      const CASES: Array<{ name: string; file: Record<string, unknown>; expected: Record<string, unknown> }> = [
        { name: 'serverUrl: a number', file: { ...valid, serverUrl: 42 }, expected: { ...valid, serverUrl: '' } },
        { name: 'serverUrl: null', file: { ...valid, serverUrl: null }, expected: { ...valid, serverUrl: '' } },
        {
          name: 'serverUrl: an http URL',
          file: { ...valid, serverUrl: 'http://hub.example/ws' },
          expected: { ...valid, serverUrl: '' },
        },
        {
          name: 'notifications: a string',
          file: { ...valid, notifications: 'off' },
          expected: { ...valid, notifications: defaults.notifications },
        },
        {
          name: 'notifications: an array',
          file: { ...valid, notifications: [false] },
          expected: { ...valid, notifications: defaults.notifications },
        },
        { name: 'notifications.enabled: a string', ...badNotification('enabled', 'no') },
        { name: 'notifications.statuses: a string', ...badNotification('statuses', 'failed') },
        { name: 'notifications.statuses: a bad status', ...badNotification('statuses', ['failed', 'not ok']) },
        { name: 'notifications.statuses: 33 of them', ...badNotification('statuses', Array(33).fill('failed')) },
        { name: 'notifications.projects: a bad id', ...badNotification('projects', ['p1', '../etc']) },
        { name: 'notifications.projects: a number', ...badNotification('projects', [7]) },
        { name: 'notifications.pausedUntil: negative', ...badNotification('pausedUntil', -1) },
        { name: 'notifications.pausedUntil: fractional', ...badNotification('pausedUntil', 1.5) },
        { name: 'notifications.pausedUntil: a string', ...badNotification('pausedUntil', 'soon') },
        {
          name: 'trayEnabled: a string',
          file: { ...valid, trayEnabled: 'false' },
          expected: { ...valid, trayEnabled: true },
        },
        {
          name: 'windowBounds: an array',
          file: { ...valid, windowBounds: [bounds] },
          expected: { ...valid, windowBounds: {} },
        },
        {
          name: 'windowBounds: a role with a space',
          file: { ...valid, windowBounds: { main: bounds, 'agent a': bounds } },
          expected: valid,
        },
        {
          name: 'windowBounds: a role without maximized',
          file: { ...valid, windowBounds: { main: bounds, 'agent:a': { x: 0, y: 0, width: 10, height: 10 } } },
          expected: valid,
        },
        {
          name: 'windowBounds: a role off the screen range',
          file: { ...valid, windowBounds: { 'agent:a': { ...bounds, x: 2_000_000 }, main: bounds } },
          expected: valid,
        },
        {
          name: 'allowPlaintextToken: a number',
          file: { ...valid, allowPlaintextToken: 1 },
          expected: { ...valid, allowPlaintextToken: false },
        },
        { name: 'tokenCipher: a number', file: { ...valid, tokenCipher: 42 }, expected: valid },
        { name: 'tokenCipher: empty', file: { ...valid, tokenCipher: '' }, expected: valid },
      ];

      it.each(CASES)('$name', async ({ file: content, expected }) => {
        await writeFile(file, JSON.stringify(content));
        const store = await SettingsStore.open(file, new AesCodec());
        expect(store.recoveredFromCorruption).toBe(true);
        expect(store.get()).toEqual(expected);
        expect(store.hasToken()).toBe(false);
        expect(JSON.parse(await readFile(store.corruptBackup!, 'utf8'))).toEqual(content);
        // Repaired on disk: the next start finds nothing to recover.
        const reopened = await SettingsStore.open(file, new AesCodec());
        expect(reopened.recoveredFromCorruption).toBe(false);
        expect(reopened.get()).toEqual(expected);
      });

      it('takes a file with every field valid (and no token) as it is', async () => {
        await writeFile(file, JSON.stringify({ ...valid, tokenCipher: null }));
        const store = await SettingsStore.open(file, new AesCodec());
        expect(store.recoveredFromCorruption).toBe(false);
        expect(store.get()).toEqual(valid);
      });
    });

    it('drops unknown fields silently and fills missing ones from the defaults', async () => {
      const bounds = { x: 0, y: 0, width: 10, height: 10, maximized: false };
      await writeFile(
        file,
        JSON.stringify({
          version: 7,
          serverUrl: 'wss://hub.example/ws',
          futureOption: { a: 1 },
          notifications: { enabled: false, sound: 'chime' },
          windowBounds: { main: { ...bounds, display: 2 } },
        }),
      );
      const store = await SettingsStore.open(file, new AesCodec());
      expect(store.recoveredFromCorruption).toBe(false);
      expect(store.get()).toEqual({
        ...defaultSettings(),
        serverUrl: 'wss://hub.example/ws',
        notifications: { ...defaultSettings().notifications, enabled: false },
        windowBounds: { main: bounds },
      });
      expect(store.get()).not.toHaveProperty('futureOption');
    });

    it('refuses a window role named __proto__ in the file', async () => {
      await writeFile(
        file,
        '{"windowBounds": {"__proto__": {"x": 0, "y": 0, "width": 10, "height": 10, "maximized": false}}}',
      );
      const store = await SettingsStore.open(file, new AesCodec());
      expect(store.recoveredFromCorruption).toBe(true);
      expect(Object.getPrototypeOf(store.get().windowBounds)).toBe(Object.prototype);
      expect(Object.keys(store.get().windowBounds)).toEqual([]);
    });
  });

  describe('#update', () => {
    it('round-trips through the file', async () => {
      const store = await SettingsStore.open(file, new AesCodec());
      const bounds = { x: 10, y: 20, width: 1200, height: 800, maximized: true };
      const updated = await store.update({
        serverUrl: 'wss://falcon.example/ws',
        notifications: { statuses: ['failed'], pausedUntil: 1_700_000_000_000 },
        windowBounds: { main: bounds },
      });
      expect(updated).toEqual(store.get());
      const reopened = await SettingsStore.open(file, new AesCodec());
      expect(reopened.get()).toEqual({
        ...defaultSettings(),
        serverUrl: 'wss://falcon.example/ws',
        notifications: { enabled: true, statuses: ['failed'], projects: [], pausedUntil: 1_700_000_000_000 },
        windowBounds: { main: bounds },
      });
    });

    it('merges notifications field by field and window bounds role by role; null removes a role', async () => {
      const store = await SettingsStore.open(file, new AesCodec());
      const a = { x: 0, y: 0, width: 100, height: 100, maximized: false };
      await store.update({ notifications: { pausedUntil: 5 }, windowBounds: { main: a, agent: a } });
      await store.update({ notifications: { enabled: false, pausedUntil: null }, windowBounds: { agent: null } });
      expect(store.get().notifications).toEqual({
        ...defaultSettings().notifications,
        enabled: false,
        pausedUntil: null,
      });
      expect(store.get().windowBounds).toEqual({ main: a });
    });

    it('keeps bounds for detached pane roles and only the newest 100 roles', async () => {
      const store = await SettingsStore.open(file, new AesCodec());
      const b = { x: 0, y: 0, width: 100, height: 100, maximized: false };
      await store.update({ windowBounds: { main: b, [`issue:${'i'.repeat(128)}`]: b } });
      for (let i = 0; i < 120; i++) await store.update({ windowBounds: { [`agent:a-${i}`]: b } });
      await store.update({ windowBounds: { main: { ...b, maximized: true } } });
      const roles = Object.keys(store.get().windowBounds);
      expect(roles).toHaveLength(100);
      expect(roles.at(-1)).toBe('main');
      expect(roles[0]).toBe('agent:a-21');
      expect(store.get().windowBounds.main.maximized).toBe(true);
    });

    it('writes atomically: the file always parses and no temp file is left behind', async () => {
      const store = await SettingsStore.open(file, new AesCodec());
      await store.update({ trayEnabled: false });
      expect(await readJson()).toMatchObject({ version: 1, trayEnabled: false });
      expect(await readdir(dir)).toEqual(['settings.json']);
    });

    it('applies every one of 50 concurrent updates', async () => {
      const store = await SettingsStore.open(file, new AesCodec());
      const ids = Array.from({ length: 50 }, (_, i) => `project-${i}`);
      await Promise.all(
        ids.map((id) =>
          store.update((current) => ({ notifications: { projects: [...current.notifications.projects, id] } })),
        ),
      );
      expect(store.get().notifications.projects).toEqual(ids);
      const reopened = await SettingsStore.open(file, new AesCodec());
      expect(reopened.get().notifications.projects).toEqual(ids);
      expect(await readdir(dir)).toEqual(['settings.json']);
    });

    it('rejects an invalid result with a TypeError, writes nothing and keeps serving later updates', async () => {
      const store = await SettingsStore.open(file, new AesCodec());
      await store.update({ trayEnabled: false });
      await expect(store.update({ serverUrl: 'http://not-a-websocket.example' })).rejects.toThrow(TypeError);
      await expect(store.update({ notifications: { projects: ['..'] } })).rejects.toThrow(/notifications\.projects/);
      await expect(
        store.update({ windowBounds: { ['__proto__']: { x: 0, y: 0, width: 1, height: 1, maximized: false } } }),
      ).rejects.toThrow(TypeError);
      expect(store.get()).toEqual({ ...defaultSettings(), trayEnabled: false });
      await store.update({ trayEnabled: true });
      expect(await readJson()).toMatchObject({ trayEnabled: true, serverUrl: '' });
    });

    it('hands out copies: changing what get() returned changes nothing', async () => {
      const store = await SettingsStore.open(file, new AesCodec());
      store.get().notifications.projects.push('sneaky');
      expect(store.get().notifications.projects).toEqual([]);
    });
  });

  describe('tokens', () => {
    it('never asks for encryption (a possible keyring prompt) when no token is stored', async () => {
      const codec = new AesCodec('gnome_libsecret');
      const store = await SettingsStore.open(file, codec);
      await store.update({ trayEnabled: false });
      expect(codec.availabilityChecks).toBe(0);
      await store.checkEncryption();
      await store.checkEncryption();
      expect(codec.availabilityChecks).toBe(1);
      expect(store.tokenSecurity()).toEqual({ secure: true, backend: 'gnome_libsecret' });
    });

    it('treats a keyring that silently fell back to the built-in key (v10 cipher) as basic_text', async () => {
      const codec = new AesCodec('gnome_libsecret');
      codec.silentFallback = true;
      const store = await SettingsStore.open(file, codec);
      await expect(store.setToken(TOKEN)).rejects.toMatchObject({ code: 'insecure_backend' });
      expect(await readFile(file, 'utf8').catch(() => '')).not.toContain('tokenCipher');
      expect(store.tokenSecurity().secure).toBe(false);
      expect(await store.setToken(TOKEN, { allowPlaintext: true })).toBe('obfuscated');
      const reopened = await SettingsStore.open(file, codec);
      expect(reopened.getToken()).toBe(TOKEN);
      expect(reopened.tokenSecurity().secure).toBe(false);
      expect(reopened.get().allowPlaintextToken).toBe(true);
    });

    it('re-encrypts the stored token when safeStorage says the key was rotated (decryptStringAsync shouldReEncrypt)', async () => {
      const codec = new AesCodec('gnome_libsecret');
      await (await SettingsStore.open(file, codec)).setToken(TOKEN);
      const before = (await readJson()).tokenCipher;
      codec.rotated = true;
      const reopened = await SettingsStore.open(file, codec);
      expect(reopened.getToken()).toBe(TOKEN);
      // The rewrite is queued behind open; an update waits for it.
      await reopened.update({});
      const after = (await readJson()).tokenCipher;
      expect(typeof after).toBe('string');
      expect(after).not.toBe(before);
      codec.rotated = false;
      expect((await SettingsStore.open(file, codec)).getToken()).toBe(TOKEN);
    });

    it('stores the token encrypted: the file contains neither the token nor its base64', async () => {
      const codec = new AesCodec('gnome_libsecret');
      const store = await SettingsStore.open(file, codec);
      expect(store.hasToken()).toBe(false);
      expect(await store.setToken(TOKEN)).toBe('encrypted');
      const text = await readFile(file, 'utf8');
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(Buffer.from(TOKEN).toString('base64'));
      expect(text).not.toContain(Buffer.from(TOKEN).toString('base64url'));
      expect(JSON.parse(text)).toHaveProperty('tokenCipher');
      expect(store.getToken()).toBe(TOKEN);
      expect(store.hasToken()).toBe(true);
      expect(store.tokenSecurity()).toEqual({ secure: true, backend: 'gnome_libsecret' });

      const reopened = await SettingsStore.open(file, codec);
      expect(reopened.getToken()).toBe(TOKEN);
      expect(reopened.get()).not.toHaveProperty('tokenCipher');
    });

    it('removes the token with null', async () => {
      const store = await SettingsStore.open(file, new AesCodec());
      await store.setToken(TOKEN);
      await store.setToken(null);
      expect(store.getToken()).toBeNull();
      expect(await readJson()).not.toHaveProperty('tokenCipher');
    });

    it('refuses basic_text without consent and stores (obfuscated) with it', async () => {
      const store = await SettingsStore.open(file, new AesCodec('basic_text'));
      expect(store.tokenSecurity()).toEqual({ secure: false, backend: 'basic_text' });
      const refused = await store.setToken(TOKEN).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(TokenStorageError);
      expect((refused as TokenStorageError).code).toBe('insecure_backend');
      expect(store.hasToken()).toBe(false);

      expect(await store.setToken(TOKEN, { allowPlaintext: true })).toBe('obfuscated');
      expect(store.getToken()).toBe(TOKEN);
      expect(store.get().allowPlaintextToken).toBe(true);
      expect(await readFile(file, 'utf8')).not.toContain(TOKEN);
      // The consent is remembered for the next token.
      expect(await store.setToken(`${TOKEN}2`)).toBe('obfuscated');
    });

    it('treats an unknown backend as insecure', async () => {
      const store = await SettingsStore.open(file, new AesCodec('unknown'));
      await expect(store.setToken(TOKEN)).rejects.toMatchObject({ code: 'insecure_backend' });
    });

    it('keeps the token in memory only when no encryption exists at all, even with consent', async () => {
      const store = await SettingsStore.open(file, new AesCodec('basic_text', false));
      await expect(store.setToken(TOKEN)).rejects.toMatchObject({ code: 'insecure_backend' });
      expect(await store.setToken(TOKEN, { allowPlaintext: true })).toBe('memory');
      expect(store.getToken()).toBe(TOKEN);
      const text = await readFile(file, 'utf8');
      expect(text).not.toContain(TOKEN);
      expect(text).not.toContain(Buffer.from(TOKEN).toString('base64'));
      expect((await SettingsStore.open(file, new AesCodec('basic_text', false))).getToken()).toBeNull();
    });

    it('returns null, not a throw, for a token that no longer decrypts', async () => {
      await SettingsStore.open(file, new AesCodec()).then((store) => store.setToken(TOKEN));
      // Another key: the keyring changed or the file came from another machine.
      const store = await SettingsStore.open(file, new AesCodec());
      expect(store.getToken()).toBeNull();
      expect(store.hasToken()).toBe(false);
    });

    it('drops a token cipher that is not base64 and reports the file as repaired', async () => {
      await writeFile(file, JSON.stringify({ tokenCipher: TOKEN }));
      const store = await SettingsStore.open(file, new AesCodec());
      expect(store.recoveredFromCorruption).toBe(true);
      expect(store.getToken()).toBeNull();
      expect(await readFile(file, 'utf8')).not.toContain(TOKEN);
    });

    it('rejects empty, oversized and non-ASCII tokens with invalid_token', async () => {
      const store = await SettingsStore.open(file, new AesCodec());
      for (const bad of ['', 'a'.repeat(8193), 'line\nbreak', 'has space', 'tökén']) {
        await expect(store.setToken(bad)).rejects.toMatchObject({ code: 'invalid_token' });
      }
      expect(await readdir(dir)).toEqual([]);
    });

    it('serializes token writes with settings updates', async () => {
      const codec = new AesCodec();
      const store = await SettingsStore.open(file, codec);
      await Promise.all([
        store.update({ trayEnabled: false }),
        store.setToken(TOKEN),
        store.update({ serverUrl: 'ws://localhost:3002/ws' }),
      ]);
      const reopened = await SettingsStore.open(file, codec);
      expect(reopened.get()).toMatchObject({ trayEnabled: false, serverUrl: 'ws://localhost:3002/ws' });
      expect(reopened.getToken()).toBe(TOKEN);
    });
  });
});
