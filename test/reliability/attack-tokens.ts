import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';

/** One way of presenting a bad token on an upgrade: a request target and extra header lines. */
export interface BadTokenAttempt {
  kind: 'missing' | 'forged' | 'expired';
  label: string;
  target: string;
  headers: string[];
}

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Upgrades that must all be refused with 401: no token (in every place one
 * could be), forged tokens (another key, `alg: none`, HS512 with the right
 * key, a swapped payload, garbage, 8 KB), and expired or not-yet-valid tokens
 * signed with the right key. `valid` is a good token, used to forge from.
 */
export async function badTokenAttempts(key: Uint8Array, valid: string, path = '/ws'): Promise<BadTokenAttempt[]> {
  const otherKey = randomBytes(32);
  const now = Math.floor(Date.now() / 1000);
  const claims = { channels: ['*'] };
  const [header, payload, signature] = valid.split('.');
  const sign = (alg: string, signingKey: Uint8Array, build: (jwt: SignJWT) => SignJWT = (jwt) => jwt) =>
    build(new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' }).setSubject('mallory')).sign(signingKey);

  const forged: Array<[string, string]> = [
    ['signed with another key', await sign('HS256', otherKey)],
    ['alg none', `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'mallory', ...claims })}.`],
    ['HS512 with the right key', await sign('HS512', key)],
    [
      'payload swapped under a valid signature',
      `${header}.${base64url({ sub: 'admin', channels: ['*'] })}.${signature}`,
    ],
    ['signature stripped', `${header}.${payload}.`],
    ['signature truncated', `${header}.${payload}.${signature.slice(0, -4)}`],
    ['two segments', `${header}.${payload}`],
    ['garbage', randomBytes(48).toString('base64url')],
    ['three garbage segments', `${randomBytes(8).toString('base64url')}.${randomBytes(8).toString('base64url')}.x`],
    ['8 KB token', `${header}.${'A'.repeat(8192)}.${signature}`],
    ['JSON instead of a JWT', encodeURIComponent(JSON.stringify({ sub: 'mallory', channels: ['*'] }))],
    ['unicode', encodeURIComponent('тoken.💥.\u0000')],
    [
      'right key, no channels claim',
      await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('x').sign(key),
    ],
    ['right key, empty subject', await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(key)],
  ];
  const expired: Array<[string, string]> = [
    ['expired a minute ago', await sign('HS256', key, (jwt) => jwt.setExpirationTime(now - 60))],
    [
      'expired a year ago',
      await sign('HS256', key, (jwt) => jwt.setIssuedAt(now - 2 * 31_536_000).setExpirationTime(now - 31_536_000)),
    ],
    ['expired this second', await sign('HS256', key, (jwt) => jwt.setExpirationTime(now - 1))],
    ['not valid for another hour', await sign('HS256', key, (jwt) => jwt.setNotBefore(now + 3600))],
  ];

  const attempts: BadTokenAttempt[] = [
    { kind: 'missing', label: 'no query', target: path, headers: [] },
    { kind: 'missing', label: 'empty token', target: `${path}?token=`, headers: [] },
    { kind: 'missing', label: 'bare token key', target: `${path}?token`, headers: [] },
    { kind: 'missing', label: 'another parameter', target: `${path}?tok=${valid}`, headers: [] },
    { kind: 'missing', label: 'empty bearer', target: path, headers: ['Authorization: Bearer '] },
    { kind: 'missing', label: 'basic auth', target: path, headers: ['Authorization: Basic dXNlcjpwYXNz'] },
  ];
  for (const [label, token] of forged) {
    attempts.push({ kind: 'forged', label: `${label} (query)`, target: `${path}?token=${token}`, headers: [] });
    attempts.push({
      kind: 'forged',
      label: `${label} (bearer)`,
      target: path,
      headers: [`Authorization: Bearer ${token}`],
    });
  }
  // The header wins over the query: a forged bearer is refused even beside a valid query token.
  attempts.push({
    kind: 'forged',
    label: 'forged bearer beside a valid query token',
    target: `${path}?token=${valid}`,
    headers: [`Authorization: Bearer ${forged[0][1]}`],
  });
  for (const [label, token] of expired) {
    attempts.push({ kind: 'expired', label: `${label} (query)`, target: `${path}?token=${token}`, headers: [] });
    attempts.push({
      kind: 'expired',
      label: `${label} (bearer)`,
      target: path,
      headers: [`authorization: bearer ${token}`],
    });
  }
  return attempts;
}
