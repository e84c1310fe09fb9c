/**
 * A small deterministic PRNG (mulberry32) so property-style tests explore many
 * cases yet fail reproducibly: the seed is in the test title.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** An integer in [0, max). */
export function randomInt(random: () => number, max: number): number {
  return Math.floor(random() * max);
}

/** Fisher-Yates shuffle into a new array. */
export function shuffled<T>(random: () => number, items: readonly T[]): T[] {
  const result = [...items];
  for (let index = result.length - 1; index > 0; index--) {
    const other = randomInt(random, index + 1);
    const a = result[index] as T;
    result[index] = result[other] as T;
    result[other] = a;
  }
  return result;
}
