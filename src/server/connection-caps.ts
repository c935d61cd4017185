import { createHash } from 'node:crypto';

/** Why a connection was refused: too many for its token, or for its address. */
export type CapRefusal = 'token' | 'address';

/**
 * Counts open connections (or SSE streams) per token and per remote address,
 * and refuses one past either cap. `acquire` returns the release, which is
 * safe to call more than once; counts at zero are forgotten, so memory follows
 * what is open.
 */
export class ConnectionCaps {
  private readonly byToken = new Map<string, number>();
  private readonly byAddress = new Map<string, number>();

  constructor(
    private readonly perToken: number,
    private readonly perAddress: number,
  ) {}

  acquire(tokenKey: string, address: string): { release: () => void } | { refused: CapRefusal } {
    if ((this.byToken.get(tokenKey) ?? 0) >= this.perToken) return { refused: 'token' };
    if ((this.byAddress.get(address) ?? 0) >= this.perAddress) return { refused: 'address' };
    increment(this.byToken, tokenKey);
    increment(this.byAddress, address);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.release(tokenKey, address);
      },
    };
  }

  /**
   * Gives back one slot `acquire` counted, without its release function: for
   * an owner that keeps the key and address anyway and releases exactly once
   * (the hub's WebSocket connections, so no closure stays with each one).
   */
  release(tokenKey: string, address: string): void {
    decrement(this.byToken, tokenKey);
    decrement(this.byAddress, address);
  }

  /** Open connections counted for a token key (tests check that every close path releases). */
  countFor(tokenKey: string): number {
    return this.byToken.get(tokenKey) ?? 0;
  }

  /** Tokens and addresses with something open. */
  get keys(): { tokens: number; addresses: number } {
    return { tokens: this.byToken.size, addresses: this.byAddress.size };
  }
}

/**
 * What identifies a token for the caps and rate limits: a SHA-256 of the token
 * string, so two tokens of one user (`sub`) are counted apart and the map
 * never holds a usable token.
 */
export function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function decrement(counts: Map<string, number>, key: string): void {
  const count = (counts.get(key) ?? 0) - 1;
  if (count <= 0) counts.delete(key);
  else counts.set(key, count);
}
