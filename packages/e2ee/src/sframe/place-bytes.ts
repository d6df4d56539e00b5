/**
 * `placeBytes(dst, offset, src)` writes `src` into `dst` at `offset`, like
 * `dst.set(src, offset)`, for the per-frame output buffers.
 *
 * Why not `set`: a large copy whose destination lies a few bytes above its
 * source (modulo 4 KiB) runs at a fraction of memcpy's speed on some CPUs
 * (glibc's `rep movsb` on AMD Zen; this machine's Chromium 156 Worker: ~40–75
 * µs for 100 KB instead of ~2.5 µs). That is exactly the SFrame case: the
 * ciphertext WebCrypto returns goes 1–17 header bytes (plus any clear codec
 * bytes) into the frame. Frame-sized buffers start on a page boundary, so the
 * distance is known from the offsets; when it falls in the slow range the
 * bytes are copied to the spot level with `src` and moved up with
 * `copyWithin`, a memmove, which copies an overlapping upward move backwards
 * and stays fast (~2 µs per 100 KB).
 *
 * Contract: `dst[0, offset)` may be overwritten; the caller writes those
 * bytes afterwards (they are the header or clear bytes that go in front).
 */

/** Below this many bytes a plain `set` is fast at any distance (glibc switches to `rep movsb` at 8 KiB or more). */
const MOVE_THRESHOLD = 4096;
/** Distances (dst above src, modulo 4 KiB) at which a plain copy is slow. */
const SLOW_DISTANCE = 256;

export function placeBytes(dst: Uint8Array, offset: number, src: Uint8Array): void {
  if (offset < 0 || offset + src.length > dst.length) throw new RangeError('placeBytes: src does not fit in dst at offset');
  const ahead = (dst.byteOffset + offset - src.byteOffset) & 4095;
  if (ahead === 0 || ahead >= SLOW_DISTANCE || src.length < MOVE_THRESHOLD || offset < ahead || dst.buffer === src.buffer) {
    dst.set(src, offset);
    return;
  }
  const at = offset - ahead;
  dst.set(src, at);
  dst.copyWithin(offset, at, at + src.length);
}

/**
 * Bytes to leave free before `offset` in a fresh (page-aligned) buffer so
 * that copying `length` bytes from a view at `srcByteOffset` to it avoids the
 * slow range above: 0 when the plain copy is already fast.
 */
export function fastCopyPad(offset: number, srcByteOffset: number, length: number): number {
  if (length < MOVE_THRESHOLD) return 0;
  const ahead = (offset - srcByteOffset) & 4095;
  return ahead === 0 || ahead >= SLOW_DISTANCE ? 0 : SLOW_DISTANCE - ahead;
}
