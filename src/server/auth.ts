import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import type { Channel } from '../shared/protocol';

/** What a verified hub token grants. */
export interface Principal {
  /** The user (`sub`). */
  user: string;
  /** Glob patterns of channels the user may subscribe to (`project:*`, `agent:opus-1`, `*`). */
  channels: string[];
  /** May publish through the HTTP API. */
  publish: boolean;
  /** Expiry in ms since epoch, if the token has one. */
  expiresAt: number | null;
}

export type AuthFailure = 'missing' | 'invalid' | 'expired';

export class AuthError extends Error {
  constructor(
    readonly reason: AuthFailure,
    message: string,
  ) {
    super(message);
    this.name = 'AuthError';
  }
}

const claimsSchema = z.object({
  sub: z.string().min(1).max(256),
  channels: z.array(z.string().min(1).max(256)).max(256),
  publish: z.boolean().optional(),
  exp: z.number().optional(),
});

const ALGORITHMS = ['HS256'];

/** Turns a secret string into the key jose wants; rejects secrets too short for HS256. */
export function secretKey(secret: string | Uint8Array): Uint8Array {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  if (key.length < 32) throw new RangeError('The token secret must be at least 32 bytes');
  return key;
}

/** Verifies a hub token (HS256) and returns what it grants. */
export async function verifyToken(token: string | null | undefined, key: Uint8Array): Promise<Principal> {
  if (!token) throw new AuthError('missing', 'no token');
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, key, { algorithms: ALGORITHMS }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new AuthError('expired', 'token expired');
    throw new AuthError('invalid', 'invalid token');
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) throw new AuthError('invalid', 'token lacks sub or channels');
  const { sub, channels, publish, exp } = claims.data;
  return { user: sub, channels, publish: publish === true, expiresAt: exp === undefined ? null : exp * 1000 };
}

export interface TokenRequest {
  user: string;
  channels: string[];
  publish?: boolean;
  /** Lifetime in seconds; omit for a token that does not expire. */
  ttlSeconds?: number;
}

/** Signs a hub token (HS256). */
export async function signToken(request: TokenRequest, key: Uint8Array): Promise<string> {
  const jwt = new SignJWT({ channels: request.channels, ...(request.publish ? { publish: true } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(request.user)
    .setIssuedAt();
  if (request.ttlSeconds !== undefined) jwt.setExpirationTime(Math.floor(Date.now() / 1000) + request.ttlSeconds);
  return jwt.sign(key);
}

const globCache = new Map<string, RegExp>();

/** Whether a channel matches one of the principal's glob patterns (`*` matches any run of characters). */
export function mayAccess(principal: Principal, channel: Channel): boolean {
  return principal.channels.some((pattern) => globToRegExp(pattern).test(channel));
}

function globToRegExp(pattern: string): RegExp {
  let regexp = globCache.get(pattern);
  if (!regexp) {
    const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
    regexp = new RegExp(`^${source.join('.*')}$`);
    if (globCache.size > 1000) globCache.clear();
    globCache.set(pattern, regexp);
  }
  return regexp;
}

/** Parses a lifetime such as `90s`, `15m`, `24h`, `30d` into seconds. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+)\s*(s|m|h|d)?$/.exec(text.trim());
  if (!match) return null;
  const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[(match[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * unit;
  return seconds > 0 ? seconds : null;
}
