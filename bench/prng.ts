import { seededRng } from '@backlot/test-kit/random';

/** The tests' seeded PRNG as a plain function, so every benchmark run generates the same data and cases. */
export function prng(seed: number): () => number {
  return seededRng(seed).next;
}
