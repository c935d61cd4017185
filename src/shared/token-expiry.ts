/**
 * When a token stops being accepted, read from its own payload: the hub's
 * tokens are JWTs whose `exp` claim (seconds since epoch) says so. This only
 * reads the claim, to warn before it passes; it proves nothing (the hub
 * verifies the signature). Anything that is not a JWT with a numeric `exp`
 * gives null: no warning, never an error.
 */
export function tokenExpiresAt(token: string | null | undefined): number | null {
  if (!token) return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const payload: unknown = JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')));
    const exp = (payload as { exp?: unknown } | null)?.exp;
    return typeof exp === 'number' && Number.isFinite(exp) && exp > 0 ? exp * 1000 : null;
  } catch {
    return null;
  }
}
