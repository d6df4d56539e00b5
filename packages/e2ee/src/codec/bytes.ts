/** Byte-array helpers shared by the framings. */

export const EMPTY = new Uint8Array(0);

/** a || b in a new array (or one of them as is, when the other is empty). */
export function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
