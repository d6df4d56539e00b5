/**
 * The origin hash of a frame: what its sender signs (in a batch) and what
 * each receiver compares against the frame it decrypted.
 *
 *     origin hash = first 16 bytes of SHA-256( len(clear) (4 bytes, big-endian) || clear || sframe )
 *
 * `sframe` is header || ciphertext || tag, and `clear` the codec's clear
 * bytes, which SFrame authenticated as metadata (FrameOrigin). The clear
 * bytes are in the hash because every member holds every sender's key: with
 * the AES-GCM key known, GHASH is linear, so a member can change two or more
 * 16-byte blocks of the metadata (an H.264 frame's SPS/PPS, say) and keep
 * the same ciphertext and tag. Hashing the SFrame alone would let such a
 * frame pass as the sender's.
 *
 * Two implementations: WebCrypto (native, but a round trip through the
 * browser's crypto thread and a copy) and @noble/hashes (JavaScript, on this
 * thread, no copy). `originHash` takes the cheaper one for the size, as
 * measured in a Chromium 156 Worker on the 2-core test machine under load
 * (bench/origin-measure.mjs, µs per frame, three runs): WebCrypto costs
 * ~15–20 µs whatever the size up to 2 KB, then ~40 at 10 KB and ~210–300 at
 * 100 KB; @noble/hashes ~15–20 at 100–500 B, ~26–30 at 1 KB, ~45 at 2 KB,
 * ~200 at 10 KB, ~2000 at 100 KB. So inline up to 512 bytes (Opus), WebCrypto
 * above (video).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { FrameOrigin } from '../../frame-crypto.js';
import { ORIGIN_HASH_BYTES } from './origin-batch.js';

/** Up to this many bytes (clear + SFrame), hashing in JavaScript costs the Worker no more than a WebCrypto call. */
export const ORIGIN_HASH_INLINE_MAX = 512;

function lengthPrefix(clear: Uint8Array): Uint8Array {
  const n = clear.length;
  return new Uint8Array([n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

/** With @noble/hashes, synchronously. */
export function originHashInline(origin: Pick<FrameOrigin, 'clear' | 'sframe'>): Uint8Array {
  const h = sha256.create().update(lengthPrefix(origin.clear)).update(origin.clear).update(origin.sframe).digest();
  return h.subarray(0, ORIGIN_HASH_BYTES);
}

/** With WebCrypto. Reads `origin` before it returns (the bytes may change afterwards). */
export async function originHashSubtle(origin: Pick<FrameOrigin, 'clear' | 'sframe'>): Promise<Uint8Array> {
  const { clear, sframe } = origin;
  const input = new Uint8Array(4 + clear.length + sframe.length);
  input.set(lengthPrefix(clear), 0);
  input.set(clear, 4);
  input.set(sframe, 4 + clear.length);
  const h = await crypto.subtle.digest('SHA-256', input);
  return new Uint8Array(h, 0, ORIGIN_HASH_BYTES);
}

/**
 * The origin hash, by whichever implementation is cheaper for the frame's
 * size. Reads `origin` before it returns.
 */
export function originHash(origin: Pick<FrameOrigin, 'clear' | 'sframe'>): Uint8Array | Promise<Uint8Array> {
  return origin.clear.length + origin.sframe.length <= ORIGIN_HASH_INLINE_MAX ? originHashInline(origin) : originHashSubtle(origin);
}
