/**
 * mulberry32: a small, fast, seeded generator, uniform in [0, 1). The tests
 * that play an attacker or a bad network draw from it, so a failure can be
 * replayed from the seed they print (the signaling fuzzer, the browser
 * test's impairing relay).
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
