/**
 * The desktop app's persisted settings: one JSON file in the user data
 * directory, plus the hub token, encrypted through `SecretCodec` (Electron's
 * `safeStorage`, adapted elsewhere).
 *
 * A small module instead of electron-store: what we need is ~100 lines of
 * logic (validate, merge, write atomically, serialize writes), it avoids a
 * dependency and its transitive ones in the main process, and it runs under
 * plain Node, so every branch here is tested without Electron.
 *
 * Error codes (`TokenStorageError.code`): `insecure_backend`, `invalid_token`.
 */
import { copyFile, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { isValidId } from '../shared/protocol';
import { MAX_HUB_URL_LENGTH, isHubUrl } from './link-policy';

/** What the store needs from `safeStorage`; tests supply a real reversible codec. */
export interface SecretCodec {
  /**
   * `safeStorage.isAsyncEncryptionAvailable()`: asked once, and only when a
   * token is stored or asked about (on Linux it starts the keyring, which can
   * prompt the user: never before the first window, never for demo use).
   */
  isEncryptionAvailable(): Promise<boolean>;
  /**
   * `safeStorage.getSelectedStorageBackend()` on Linux ('basic_text', 'gnome_libsecret', 'kwallet', …, or
   * 'unknown' before app ready); the adapter reports 'keychain' or 'dpapi' elsewhere.
   */
  backend(): string;
  /** `safeStorage.encryptStringAsync`. */
  encrypt(plain: string): Promise<Buffer>;
  /** `safeStorage.decryptStringAsync`: `shouldReEncrypt` when the key was rotated or a better one exists. */
  decrypt(cipher: Buffer): Promise<{ result: string; shouldReEncrypt: boolean }>;
  /**
   * Whether a cipher this codec produced is protected by the OS keyring, when
   * only the cipher can tell: on Linux the async encryptor falls back silently
   * from the Secret Service to Chromium's built-in key, marking such ciphers
   * `v10` instead of `v11`. Absent: trust `backend()`.
   */
  keyringProtected?(cipher: Buffer): boolean;
}

export interface WindowBounds {
  x: number;
  y: number;
  width: number;
  height: number;
  maximized: boolean;
}

export interface DesktopSettings {
  /** WebSocket URL of the hub; '' means the built-in demo hub. */
  serverUrl: string;
  notifications: {
    enabled: boolean;
    statuses: string[];
    /** Empty means all projects. */
    projects: string[];
    pausedUntil: number | null;
  };
  trayEnabled: boolean;
  /** Last bounds per window role ('main', 'agent:<id>', …), the newest `MAX_WINDOW_ROLES`. */
  windowBounds: Record<string, WindowBounds>;
  /** The user agreed to store the token although no keyring protects it. Changed only by `setToken`. */
  allowPlaintextToken: boolean;
}

/** A change to the settings: `notifications` merges field by field, `windowBounds` role by role (null removes a role). */
export interface SettingsPatch {
  serverUrl?: string;
  notifications?: Partial<DesktopSettings['notifications']>;
  trayEnabled?: boolean;
  windowBounds?: Record<string, WindowBounds | null>;
}

/** How a token is kept: by a keyring, by `basic_text` obfuscation, or only in memory for this session. */
export type TokenProtection = 'encrypted' | 'obfuscated' | 'memory';

export type TokenStorageErrorCode = 'insecure_backend' | 'invalid_token';

export class TokenStorageError extends Error {
  override readonly name = 'TokenStorageError';
  constructor(
    readonly code: TokenStorageErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** A fresh copy of the defaults. */
export function defaultSettings(): DesktopSettings {
  return {
    serverUrl: '',
    notifications: {
      enabled: true,
      statuses: ['waiting_for_input', 'failed', 'done', 'blocked'],
      projects: [],
      pausedUntil: null,
    },
    trayEnabled: true,
    windowBounds: {},
    allowPlaintextToken: false,
  };
}

export const MAX_TOKEN_LENGTH = 8192;
const MAX_TOKEN_CIPHER_LENGTH = 4 * MAX_TOKEN_LENGTH;
/** Visible ASCII only: the token ends up in an HTTP header, where anything else is invalid or an injection. */
const TOKEN_PATTERN = /^[\x21-\x7e]+$/;
// Backends that do not protect the token: Electron's Linux fallback with a
// hard-coded key, and 'unknown' (what Linux reports before the backend is chosen).
const INSECURE_BACKENDS = new Set(['basic_text', 'unknown']);

export function isTokenText(token: string): boolean {
  return token.length <= MAX_TOKEN_LENGTH && TOKEN_PATTERN.test(token);
}

// ---------------------------------------------------------------- schemas

const statusSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);
const projectIdSchema = z.string().max(128).refine(isValidId, { message: 'invalid project id' });

/** Field schemas of `DesktopSettings['notifications']`, shared with the IPC schemas. */
export const notificationsShape = {
  enabled: z.boolean(),
  statuses: z.array(statusSchema).max(32),
  projects: z.array(projectIdSchema).max(1000),
  pausedUntil: z.number().int().min(0).max(8.64e15).nullable(),
};

export const serverUrlSchema = z
  .string()
  .max(MAX_HUB_URL_LENGTH)
  .refine(isHubUrl, { message: 'expected "" or a ws:// or wss:// URL without credentials or fragment' });

// 'main', or a detached pane's 'agent:<id>' / 'issue:<id>' (ids are up to 128 chars).
// Starts with a letter: a role is also an object key, and '__proto__' must never be one.
const windowRoleSchema = z.string().regex(/^[A-Za-z][A-Za-z0-9._:-]{0,159}$/);
/** Bounds kept for at most this many roles, the most recently saved ones: detached panes come and go. */
export const MAX_WINDOW_ROLES = 100;
const coordinate = z.number().int().min(-1_000_000).max(1_000_000);
const extent = z.number().int().min(1).max(1_000_000);
export const windowBoundsSchema = z.object({
  x: coordinate,
  y: coordinate,
  width: extent,
  height: extent,
  maximized: z.boolean(),
});

const settingsSchema = z.object({
  serverUrl: serverUrlSchema,
  notifications: z.object(notificationsShape),
  trayEnabled: z.boolean(),
  windowBounds: z.record(windowRoleSchema, windowBoundsSchema),
  allowPlaintextToken: z.boolean(),
});
const tokenCipherSchema = z
  .string()
  .min(1)
  .max(MAX_TOKEN_CIPHER_LENGTH)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/);

interface Persisted {
  settings: DesktopSettings;
  tokenCipher: string | null;
}

// ---------------------------------------------------------------- reading the file

/** A JSON object, kept as it is: its fields are read one by one (z.record would drop a '__proto__' key unseen). */
const jsonObject = z.custom<Record<string, unknown>>(isRecord);

/** The file's fields; `notifications` and `windowBounds` are then read field by field and role by role. */
const fileFields = {
  serverUrl: serverUrlSchema,
  notifications: jsonObject,
  trayEnabled: z.boolean(),
  windowBounds: jsonObject,
  allowPlaintextToken: z.boolean(),
  tokenCipher: tokenCipherSchema.nullable(),
};
const windowBoundsEntry = z.tuple([windowRoleSchema, windowBoundsSchema]);

type Read<S extends Record<string, z.ZodType>> = { [K in keyof S]: z.output<S[K]> };

/**
 * Reads the fields of `schemas` from `raw`, each against its own schema: a
 * missing field takes its default; one that fails takes its default and is
 * named (after `prefix`) in `invalid`. Other keys of `raw` are ignored.
 */
function readFields<S extends Record<string, z.ZodType>>(
  schemas: S,
  raw: Record<string, unknown>,
  defaults: Read<S>,
  invalid: string[],
  prefix = '',
): Read<S> {
  const read = { ...defaults };
  for (const name of Object.keys(schemas) as Array<keyof S & string>) {
    const value = raw[name];
    if (value === undefined) continue;
    const result = schemas[name].safeParse(value);
    if (result.success) read[name] = result.data;
    else invalid.push(`${prefix}${name}`);
  }
  return read;
}

/**
 * Reads what can be read from a parsed file: each field that fails its schema
 * falls back to its default (so one bad field does not cost the others) and is
 * reported in `invalid`; so does each window role whose name or bounds fail.
 * Unknown fields are dropped silently: a newer version may have written them.
 */
function readPersisted(raw: Record<string, unknown>): { persisted: Persisted; invalid: string[] } {
  const invalid: string[] = [];
  const d = defaultSettings();
  const file = readFields(fileFields, raw, { ...d, notifications: {}, windowBounds: {}, tokenCipher: null }, invalid);
  const windowBounds: Record<string, WindowBounds> = {};
  for (const entry of Object.entries(file.windowBounds)) {
    const parsed = windowBoundsEntry.safeParse(entry);
    if (parsed.success) windowBounds[parsed.data[0]] = parsed.data[1];
    else invalid.push(`windowBounds.${entry[0].slice(0, 64)}`);
  }
  const settings: DesktopSettings = {
    serverUrl: file.serverUrl,
    notifications: readFields(notificationsShape, file.notifications, d.notifications, invalid, 'notifications.'),
    trayEnabled: file.trayEnabled,
    windowBounds: newestRoles(windowBounds),
    allowPlaintextToken: file.allowPlaintextToken,
  };
  return { persisted: { settings, tokenCipher: file.tokenCipher }, invalid };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge(current: DesktopSettings, patch: SettingsPatch): DesktopSettings {
  // Known keys only, by name: nothing from the patch is spread or assigned by an unchecked key.
  const n = patch.notifications ?? {};
  const next: DesktopSettings = {
    serverUrl: pick(patch.serverUrl, current.serverUrl),
    notifications: {
      enabled: pick(n.enabled, current.notifications.enabled),
      statuses: pick(n.statuses, current.notifications.statuses),
      projects: pick(n.projects, current.notifications.projects),
      pausedUntil: pick(n.pausedUntil, current.notifications.pausedUntil),
    },
    trayEnabled: pick(patch.trayEnabled, current.trayEnabled),
    windowBounds: { ...current.windowBounds },
    allowPlaintextToken: current.allowPlaintextToken,
  };
  for (const [role, bounds] of Object.entries(patch.windowBounds ?? {})) {
    // Checked before the assignment below, and not left to the schema: zod's
    // record silently skips a '__proto__' key, and assigning one would set a prototype.
    if (!windowRoleSchema.safeParse(role).success) {
      throw new TypeError(`Invalid window role ${JSON.stringify(role.slice(0, 64))}`);
    }
    // Delete first so a saved role moves to the end: the oldest roles are trimmed first.
    delete next.windowBounds[role];
    if (bounds !== null) next.windowBounds[role] = bounds;
  }
  next.windowBounds = newestRoles(next.windowBounds);
  return structuredClone(next);
}

function newestRoles(bounds: Record<string, WindowBounds>): Record<string, WindowBounds> {
  const entries = Object.entries(bounds);
  return entries.length <= MAX_WINDOW_ROLES ? bounds : Object.fromEntries(entries.slice(-MAX_WINDOW_ROLES));
}

function pick<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

// ---------------------------------------------------------------- store

// Shared by every store in the process so two stores on one file never pick the same temp name.
let tempCounter = 0;

export class SettingsStore {
  private settings: DesktopSettings;
  private tokenCipher: string | null;
  /**
   * The token in memory: decrypted once when the store opens (the async
   * safeStorage API cannot answer synchronously), or one that could not be
   * persisted (no encryption at all, with consent) for this session only.
   */
  private token: string | null = null;
  private encryptionAvailable = false;
  private encryptionChecked: Promise<void> | null = null;
  /** False once a cipher turned out not to be keyring-protected (see SecretCodec.keyringProtected). */
  private keyringWorks = true;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly file: string,
    private readonly codec: SecretCodec,
    persisted: Persisted,
    /** True when the file was unreadable or had invalid fields; the original is kept at `corruptBackup`. */
    readonly recoveredFromCorruption: boolean,
    readonly corruptBackup: string | null,
  ) {
    this.settings = persisted.settings;
    this.tokenCipher = persisted.tokenCipher;
  }

  /**
   * Loads `file` (missing → defaults). Bad content never throws: invalid JSON
   * or invalid fields are copied to `file.corrupt-<ms>`, replaced by defaults
   * and the repaired file is written back. I/O errors other than a missing
   * file (permissions, a directory in the way) do throw.
   */
  static async open(file: string, codec: SecretCodec): Promise<SettingsStore> {
    await mkdir(dirname(file), { recursive: true });
    let text: string | null;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      text = null;
    }
    if (text === null)
      return new SettingsStore(file, codec, { settings: defaultSettings(), tokenCipher: null }, false, null).init();

    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      raw = undefined;
    }
    const { persisted, invalid } = isRecord(raw)
      ? readPersisted(raw)
      : { persisted: { settings: defaultSettings(), tokenCipher: null }, invalid: ['file'] };
    if (invalid.length === 0) return new SettingsStore(file, codec, persisted, false, null).init();

    const backup = `${file}.corrupt-${Date.now()}`;
    await copyFile(file, backup);
    const store = new SettingsStore(file, codec, persisted, true, backup);
    // Rewrite at once so the next start does not find (and back up) the same damage again.
    await store.enqueue(() => store.persist(store.settings, store.tokenCipher));
    return store.init();
  }

  /**
   * Whether encryption works, asked of the codec once (see
   * SecretCodec.isEncryptionAvailable); `tokenSecurity()` is accurate after it.
   */
  checkEncryption(): Promise<void> {
    this.encryptionChecked ??= this.codec.isEncryptionAvailable().then(
      (available) => void (this.encryptionAvailable = available),
      () => void (this.encryptionAvailable = false),
    );
    return this.encryptionChecked;
  }

  /** With a stored token only: decrypts it, once; re-encrypts it when the OS asks. */
  private async init(): Promise<this> {
    if (this.tokenCipher === null) return this;
    await this.checkEncryption();
    if (!this.encryptionAvailable) return this;
    const cipher = this.tokenCipher;
    if (this.codec.keyringProtected && !this.codec.keyringProtected(Buffer.from(cipher, 'base64'))) {
      this.keyringWorks = false;
    }
    let decrypted: { result: string; shouldReEncrypt: boolean };
    try {
      decrypted = await this.codec.decrypt(Buffer.from(cipher, 'base64'));
    } catch {
      // Another keyring or a changed backend: the token is unusable, and the user is asked for it again.
      return this;
    }
    if (typeof decrypted.result !== 'string' || !isTokenText(decrypted.result)) return this;
    this.token = decrypted.result;
    if (decrypted.shouldReEncrypt) {
      const token = decrypted.result;
      await this.enqueue(async () => {
        const fresh = (await this.codec.encrypt(token)).toString('base64');
        await this.persist(this.settings, fresh);
      }).catch(() => undefined);
    }
    return this;
  }

  /** A copy of the current settings. */
  get(): DesktopSettings {
    return structuredClone(this.settings);
  }

  /**
   * Applies `patch` (or the patch `fn` returns for the settings as they are
   * when this update's turn comes) and writes the file. Updates run one at a
   * time in call order, so none is lost. Rejects with a TypeError naming the
   * field when the result is invalid; nothing is written then.
   */
  update(patch: SettingsPatch | ((current: DesktopSettings) => SettingsPatch)): Promise<DesktopSettings> {
    return this.enqueue(async () => {
      const change = typeof patch === 'function' ? patch(this.get()) : patch;
      const result = settingsSchema.safeParse(merge(this.settings, change));
      if (!result.success) {
        const issue = result.error.issues[0];
        throw new TypeError(`Invalid setting ${issue.path.join('.') || '(root)'}: ${issue.message}`);
      }
      await this.persist(result.data, this.tokenCipher);
      return this.get();
    });
  }

  /**
   * Stores the hub token (null removes it), never in clear: encrypted through
   * the codec and saved as base64. Without a keyring (`basic_text`, or no
   * encryption at all) it refuses with `insecure_backend` unless the user
   * consents with `allowPlaintext` (remembered in `allowPlaintextToken`). With
   * consent, `basic_text` still encrypts (obfuscation with a known key, better
   * than clear text); with no encryption at all the token is kept in memory for
   * this session only rather than written to disk readable by anyone.
   */
  setToken(token: string | null, options: { allowPlaintext?: boolean } = {}): Promise<TokenProtection | null> {
    if (token !== null && (typeof token !== 'string' || !isTokenText(token))) {
      return Promise.reject(
        new TokenStorageError('invalid_token', `A token is 1–${MAX_TOKEN_LENGTH} visible ASCII characters`),
      );
    }
    return this.enqueue(async () => {
      if (token === null) {
        await this.persist(this.settings, null);
        this.token = null;
        return null;
      }
      await this.checkEncryption();
      let { secure } = this.tokenSecurity();
      const consent = options.allowPlaintext ?? this.settings.allowPlaintextToken;
      if (!secure && !consent) {
        throw new TokenStorageError(
          'insecure_backend',
          `No keyring protects stored secrets (backend: ${this.codec.backend()}); pass allowPlaintext to store the token anyway`,
        );
      }
      const settings = secure ? this.settings : { ...this.settings, allowPlaintextToken: true };
      if (!this.encryptionAvailable) {
        await this.persist(settings, null);
        this.token = token;
        return 'memory';
      }
      const encrypted = await this.codec.encrypt(token);
      if (secure && this.codec.keyringProtected && !this.codec.keyringProtected(encrypted)) {
        // The backend promised a keyring, the cipher says otherwise: the same as basic_text.
        this.keyringWorks = false;
        secure = false;
        if (!consent) {
          throw new TokenStorageError(
            'insecure_backend',
            `The keyring (${this.codec.backend()}) did not protect the token; pass allowPlaintext to store it anyway`,
          );
        }
      }
      await this.persist(
        secure ? settings : { ...this.settings, allowPlaintextToken: true },
        encrypted.toString('base64'),
      );
      this.token = token;
      return secure ? 'encrypted' : 'obfuscated';
    });
  }

  /** The stored token, or null when there is none or it could not be decrypted (another keyring, a changed backend). */
  getToken(): string | null {
    return this.token;
  }

  /** Whether a usable token is stored (one that decrypts). */
  hasToken(): boolean {
    return this.getToken() !== null;
  }

  /** For the UI's warning: `secure` is false when only `basic_text` (or nothing) protects the token. */
  tokenSecurity(): { secure: boolean; backend: string } {
    const backend = this.codec.backend();
    return { secure: this.encryptionAvailable && this.keyringWorks && !INSECURE_BACKENDS.has(backend), backend };
  }

  /** Resolves once every write queued so far has finished (quitting waits for it). */
  flush(): Promise<void> {
    return this.queue.then(() => undefined);
  }

  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Writes a temp file, fsyncs it and renames it over the file; memory changes only after the rename. */
  private async persist(settings: DesktopSettings, tokenCipher: string | null): Promise<void> {
    const body = { version: 1, ...settings, ...(tokenCipher === null ? {} : { tokenCipher }) };
    const temp = `${this.file}.tmp-${process.pid}-${++tempCounter}`;
    try {
      // 0o600: the token cipher is in this file, and basic_text cipher is only obfuscation.
      const handle = await open(temp, 'w', 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(body, null, 2)}\n`, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.file);
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    await syncDirectory(dirname(this.file));
    this.settings = settings;
    this.tokenCipher = tokenCipher;
  }
}

/** Makes the rename itself durable on POSIX; Windows cannot open a directory, and the rename is already done. */
async function syncDirectory(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Best effort: some file systems refuse fsync on directories.
  }
}
