import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isKeyId } from '../server/index';
import { UsageError } from './errors';

/** HS256 wants at least 32 bytes of key; the hub refuses shorter secrets. */
export const MIN_SECRET_BYTES = 32;
export const SECRET_ENV = 'FALCON_SECRET';

/**
 * The token secret from `--secret-file` (contents trimmed), else from
 * FALCON_SECRET; null when neither is given. A file that cannot be read or a
 * secret shorter than 32 bytes is a usage error.
 */
export function readSecret(
  secretFile: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
  flag = `--secret-file ${secretFile}`,
): string | null {
  let secret: string;
  let source: string;
  if (secretFile !== undefined) {
    try {
      secret = readFileSync(secretFile, 'utf8').trim();
    } catch (error) {
      throw new UsageError(`cannot read ${flag}: ${reason(error)}`);
    }
    source = flag;
  } else {
    const value = env[SECRET_ENV]?.trim();
    if (!value) return null;
    secret = value;
    source = SECRET_ENV;
  }
  if (Buffer.byteLength(secret, 'utf8') < MIN_SECRET_BYTES) {
    throw new UsageError(`the secret from ${source} must be at least ${MIN_SECRET_BYTES} bytes`);
  }
  return secret;
}

/** Like `readSecret`, for commands that cannot run without one. */
export function requireSecret(secretFile: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const secret = readSecret(secretFile, env);
  if (secret === null) throw new UsageError(`no secret: pass --secret-file <file> or set ${SECRET_ENV}`);
  return secret;
}

/** The hub's secrets: the one for tokens without a kid (or none), and the ones under a kid. */
export interface HubSecrets {
  secret: string | null;
  keys: Array<{ kid: string; secret: string }>;
}

/**
 * The hub's secrets from repeatable `--secret-file [kid=]file` flags. A plain
 * file is the secret for tokens without a `kid` (at most one; FALCON_SECRET
 * when there is none); `kid=file` adds a secret for tokens signed with that
 * kid. A path that itself contains `=` can be given as `./name=with=equals`.
 */
export function readHubSecrets(specs: readonly string[], env: NodeJS.ProcessEnv = process.env): HubSecrets {
  let plain: string | undefined;
  const keys: HubSecrets['keys'] = [];
  for (const spec of specs) {
    const keyed = /^([^=/\\]+)=(.+)$/.exec(spec);
    if (!keyed) {
      if (plain !== undefined) throw new UsageError('--secret-file without a kid= may be given once');
      plain = spec;
      continue;
    }
    const [, kid = '', file = ''] = keyed;
    if (!isKeyId(kid)) {
      throw new UsageError(`--secret-file ${spec}: the kid must be 1–64 letters, digits, ".", "_" or "-"`);
    }
    if (keys.some((key) => key.kid === kid)) throw new UsageError(`--secret-file: the kid ${kid} is given twice`);
    keys.push({ kid, secret: readSecret(file, env, `--secret-file ${kid}=${file}`) as string });
  }
  return { secret: readSecret(plain, env), keys };
}

/** A fresh random secret for a throwaway hub (`falcon hub --demo`). */
export function generateSecret(): string {
  return randomBytes(32).toString('hex');
}

function reason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}
