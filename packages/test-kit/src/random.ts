// A small seeded PRNG (mulberry32) for every package's property tests and the benchmarks' data:
// the same seed gives the same cases, so a failure (or a run) can be replayed. It lives with core,
// the package every other one depends on.
export interface Rng {
  next(): number;
  int(n: number): number;
  chance(p: number): boolean;
  pick<T>(xs: readonly T[]): T;
}

export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), chance: (p) => next() < p, pick: (xs) => xs[Math.floor(next() * xs.length)] };
}

/** `size` incompressible bytes, the same for the same seed (stand-ins for media files). */
export function seededBytes(size: number, seed: number): Buffer {
  const rng = seededRng(seed);
  const out = Buffer.allocUnsafe(size);
  let i = 0;
  for (; i + 4 <= size; i += 4) out.writeUInt32LE((rng.next() * 4294967296) >>> 0, i);
  for (; i < size; i++) out[i] = rng.int(256);
  return out;
}
