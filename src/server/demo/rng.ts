/**
 * A small seedable PRNG so a demo run (and a benchmark corpus) can be replayed
 * exactly from its seed; `Math.random` cannot be seeded.
 */

/** Returns floats in [0, 1), like `Math.random`. */
export type Rng = () => number;

/** mulberry32: 32 bits of state, fast, and good enough for fake data. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [min, max], both inclusive. */
export function int(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

/** Float in [min, max). */
export function between(rng: Rng, min: number, max: number): number {
  return min + rng() * (max - min);
}

export function chance(rng: Rng, probability: number): boolean {
  return rng() < probability;
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('pick() needs at least one item');
  return items[Math.floor(rng() * items.length)];
}

/** `count` distinct items in random order (all of them if there are fewer). */
export function sample<T>(rng: Rng, items: readonly T[], count: number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < count && pool.length > 0) out.push(pool.splice(Math.floor(rng() * pool.length), 1)[0]);
  return out;
}

/** Picks by weight; `entries` are `[weight, value]` pairs with positive weights. */
export function weighted<T>(rng: Rng, entries: readonly (readonly [number, T])[]): T {
  const total = entries.reduce((sum, [weight]) => sum + weight, 0);
  let roll = rng() * total;
  for (const [weight, value] of entries) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return entries[entries.length - 1][1];
}
