import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { z } from 'zod';
import { matchesChannelGlobs } from '../shared/channel-glob';
import type { Channel } from '../shared/protocol';

/** What a verified hub token grants. */
export interface Principal {
  /** The user (`sub`). */
  user: string;
  /** Glob patterns of channels the user may subscribe to (`project:*`, `agent:opus-1`, `*`). */
  channels: string[];
  /** May publish through the HTTP API. */
  publish: boolean;
  /**
   * Glob patterns of channels whose agents the user may answer (`agent:*`): the `actOn` claim.
   * Absent: none. Reading a channel never implies acting on it.
   */
  actOn?: string[];
  /** Expiry in ms since epoch, if the token has one. */
  expiresAt: number | null;
}

/**
 * Why a token was refused; the `reason` label of `falcon_hub_auth_failures_total`.
 * `expired` (past `exp`) stays apart from `invalid` (forged, malformed, lacking claims)
 * so a client can tell "get a fresh token" from "this token will never work".
 */
export type AuthFailure =
  'missing' | 'invalid' | 'expired' | 'no-expiry' | 'lifetime' | 'audience' | 'issuer' | 'unknown-kid';

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
  actOn: z.array(z.string().min(1).max(256)).max(256).optional(),
  exp: z.number().optional(),
  iat: z.number().optional(),
});

const ALGORITHMS = ['HS256'];

/** Longest token lifetime a hub accepts unless told otherwise: 30 days. */
export const DEFAULT_MAX_TOKEN_TTL_SECONDS = 30 * 86_400;
/** Lifetime `signToken` gives a token when the request names none: 24 hours. */
export const DEFAULT_TOKEN_TTL_SECONDS = 86_400;

/** Key ids: short, and safe to print in logs and file names. */
const KID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;

/** Turns a secret string into the key jose wants; rejects secrets too short for HS256. */
export function secretKey(secret: string | Uint8Array): Uint8Array {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  if (key.length < 32) throw new RangeError('The token secret must be at least 32 bytes');
  return key;
}

/** Whether `kid` can name a key (1–64 of `A–Z a–z 0–9 . _ -`). */
export function isKeyId(kid: unknown): kid is string {
  return typeof kid === 'string' && KID_PATTERN.test(kid);
}

/**
 * The secrets a hub verifies tokens with. A token whose header has no `kid` is
 * verified with the default key only; a token with a `kid` with that key only.
 * Rotation: add the new secret under a kid, sign new tokens with it
 * (`falcon token --kid`), and remove the old one once its tokens have expired.
 */
export class KeyRing {
  private readonly byKid = new Map<string, Uint8Array>();
  readonly defaultKey: Uint8Array | null;

  constructor(
    defaultSecret: string | Uint8Array | undefined,
    keys: ReadonlyArray<{ kid: string; secret: string | Uint8Array }> = [],
  ) {
    this.defaultKey = defaultSecret === undefined ? null : secretKey(defaultSecret);
    if (!Array.isArray(keys)) throw new TypeError('The keys option must be an array of { kid, secret }');
    for (const entry of keys) {
      if (!isKeyId(entry?.kid)) {
        throw new TypeError('Each key needs a kid of 1–64 letters, digits, ".", "_" or "-"');
      }
      if (this.byKid.has(entry.kid)) throw new TypeError(`The key id "${entry.kid}" is given twice`);
      this.byKid.set(entry.kid, secretKey(entry.secret));
    }
    if (this.defaultKey === null && this.byKid.size === 0) {
      throw new TypeError('The hub needs a secret: the secret option or at least one entry in keys');
    }
  }

  /** Key ids in the order given. */
  get kids(): string[] {
    return [...this.byKid.keys()];
  }

  /** The key for a token's header, or an AuthError when the hub has none for it. */
  keyFor(kid: unknown): Uint8Array {
    if (kid === undefined) {
      if (this.defaultKey) return this.defaultKey;
      throw new AuthError('unknown-kid', 'token has no kid and the hub has no default secret');
    }
    // A kid that is not a string (a number, an object) names no key of the map either.
    const key = this.byKid.get(kid as string);
    if (!key) throw new AuthError('unknown-kid', 'token kid names no key of this hub');
    return key;
  }

  /** What new tokens are signed with: the last of `keys`, else the default secret. */
  get signing(): { kid: string | undefined; key: Uint8Array } {
    const kid = this.kids.at(-1);
    // Without keys, keyFor(undefined) is the default secret, which the constructor guarantees then.
    return { kid, key: this.keyFor(kid) };
  }
}

/** What a hub demands of a token besides a good signature. */
export interface TokenPolicy {
  /** Longest accepted lifetime in seconds (see `verifyToken`). Default 30 days. */
  maxTtlSeconds?: number;
  /** Accept tokens without `exp` (`falcon token --ttl never`). Default false. */
  allowNonExpiring?: boolean;
  /** When set, the token's `aud` must name one of these. */
  audience?: string | string[];
  /** When set, the token's `iss` must be one of these. */
  issuer?: string | string[];
  /** The clock, in ms since epoch (tests). Default `Date.now()`. */
  now?: number;
}

/**
 * Verifies a hub token (HS256 only) and returns what it grants. `key` is one
 * key (tokens without `kid`) or a KeyRing.
 *
 * Lifetime: a token must expire (unless `allowNonExpiring`), and its lifetime
 * must not exceed `maxTtlSeconds`. The lifetime is `exp − iat`; without `iat`,
 * or with `iat` in the future, it is `exp − now` — so a token cannot shorten
 * its own lifetime by claiming to be issued later than it is checked.
 */
export async function verifyToken(
  token: string | null | undefined,
  key: Uint8Array | KeyRing,
  policy: TokenPolicy = {},
): Promise<Principal> {
  if (!token) throw new AuthError('missing', 'no token');
  const now = policy.now ?? Date.now();
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, key instanceof KeyRing ? (header) => key.keyFor(header.kid) : key, {
      algorithms: ALGORITHMS,
      currentDate: new Date(now),
      // jose checks aud/iss only when these are set.
      audience: policy.audience,
      issuer: policy.issuer,
    }));
  } catch (error) {
    throw authErrorOf(error);
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) throw new AuthError('invalid', 'token lacks sub or channels');
  const { sub, channels, publish, actOn, exp, iat } = claims.data;
  if (exp === undefined) {
    if (policy.allowNonExpiring !== true) throw new AuthError('no-expiry', 'token has no expiry (exp)');
  } else {
    const nowSeconds = now / 1000;
    const start = iat === undefined ? nowSeconds : Math.min(iat, nowSeconds);
    if (exp - start > (policy.maxTtlSeconds ?? DEFAULT_MAX_TOKEN_TTL_SECONDS)) {
      throw new AuthError('lifetime', "token lifetime exceeds the hub's maximum");
    }
  }
  return {
    user: sub,
    channels,
    publish: publish === true,
    ...(actOn !== undefined && actOn.length > 0 ? { actOn } : {}),
    expiresAt: exp === undefined ? null : exp * 1000,
  };
}

function authErrorOf(error: unknown): AuthError {
  if (error instanceof AuthError) return error;
  if (error instanceof joseErrors.JWTExpired) return new AuthError('expired', 'token expired');
  // Stryker disable next-line ConditionalExpression: only jose's claim errors carry `claim`, and JWTExpired was handled above
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return new AuthError('audience', 'token audience (aud) not accepted');
    if (error.claim === 'iss') return new AuthError('issuer', 'token issuer (iss) not accepted');
  }
  return new AuthError('invalid', 'invalid token');
}

export interface TokenRequest {
  user: string;
  channels: string[];
  publish?: boolean;
  /** Channel globs whose agents the holder may answer (the `actOn` claim); none when empty or absent. */
  actOn?: string[];
  /** Lifetime in seconds; default 24 h. `null` signs a token without `exp`, which hubs refuse unless they allow it. */
  ttlSeconds?: number | null;
  /** The `aud` claim, for hubs that check it. */
  audience?: string;
  /** The `iss` claim, for hubs that check it. */
  issuer?: string;
  /** The `kid` header: which of the hub's keys `key` is. */
  kid?: string;
}

/** Signs a hub token (HS256). */
export async function signToken(request: TokenRequest, key: Uint8Array): Promise<string> {
  if (request.kid !== undefined && !isKeyId(request.kid))
    throw new TypeError('kid must be 1–64 letters, digits, ".", "_" or "-"');
  const jwt = new SignJWT({
    channels: request.channels,
    ...(request.publish ? { publish: true } : {}),
    ...(request.actOn && request.actOn.length > 0 ? { actOn: request.actOn } : {}),
  })
    // An undefined kid is left out of the header's JSON.
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: request.kid })
    .setSubject(request.user)
    .setIssuedAt();
  const ttlSeconds = request.ttlSeconds === undefined ? DEFAULT_TOKEN_TTL_SECONDS : request.ttlSeconds;
  if (ttlSeconds !== null) jwt.setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds);
  if (request.audience !== undefined) jwt.setAudience(request.audience);
  if (request.issuer !== undefined) jwt.setIssuer(request.issuer);
  return jwt.sign(key);
}

/**
 * Whether a channel matches one of the principal's glob patterns (grammar in
 * src/shared/channel-glob.ts).
 */
export function mayAccess(principal: Principal, channel: Channel): boolean {
  return matchesChannelGlobs(principal.channels, channel);
}

/** Whether the principal may answer the agent of a channel (its `actOn` globs, same grammar as `channels`). */
export function mayAct(principal: Principal, channel: Channel): boolean {
  return matchesChannelGlobs(principal.actOn ?? [], channel);
}

/** Parses a lifetime such as `90s`, `15m`, `24h`, `30d` into seconds. */
export function parseDuration(text: string): number | null {
  const match = /^(\d+)\s*(s|m|h|d)?$/.exec(text.trim());
  if (!match) return null;
  const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[(match[2] ?? 's') as 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * unit;
  return seconds > 0 ? seconds : null;
}
