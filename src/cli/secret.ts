import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UsageError } from './errors';

/** HS256 wants at least 32 bytes of key; the hub refuses shorter secrets. */
export const MIN_SECRET_BYTES = 32;
export const SECRET_ENV = 'FALCON_SECRET';

/**
 * The token secret from `--secret-file` (contents trimmed), else from
 * FALCON_SECRET; null when neither is given. A file that cannot be read or a
 * secret shorter than 32 bytes is a usage error.
 */
export function readSecret(secretFile: string | undefined, env: NodeJS.ProcessEnv = process.env): string | null {
  let secret: string;
  let source: string;
  if (secretFile !== undefined) {
    try {
      secret = readFileSync(secretFile, 'utf8').trim();
    } catch (error) {
      throw new UsageError(`cannot read --secret-file ${secretFile}: ${reason(error)}`);
    }
    source = `--secret-file ${secretFile}`;
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

/** A fresh random secret for a throwaway hub (`falcon hub --demo`). */
export function generateSecret(): string {
  return randomBytes(32).toString('hex');
}

function reason(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}
