/** A small seeded PRNG (mulberry32): the same seed picks the same kill points, tools and mutations. */

export interface Rng {
  seed: number
  /** a float in [0, 1) */
  next(): number
  /** an integer in [lo, hi] */
  int(lo: number, hi: number): number
  pick<T>(items: readonly T[]): T
  chance(p: number): boolean
}

/** Spread a small seed over all 32 bits (murmur3's finaliser), so seeds 1, 2, 3 do not start alike. */
function mix(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b)
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35)
  return (x ^ (x >>> 16)) >>> 0
}

export function rng(seed: number): Rng {
  let a = mix(seed >>> 0)
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return {
    seed,
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
  }
}

/** The seed of trial `i` of a session seeded with `seed` (printed with a failure, replayable alone). */
export function trialSeed(seed: number, i: number): number {
  return rng((seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0).int(1, 2 ** 31 - 1)
}

/** A random session seed (when none is given). */
export function freshSeed(): number {
  return 1 + Math.floor(Math.random() * (2 ** 31 - 2))
}
