/**
 * H.264 start-code emulation prevention (ITU-T H.264 §7.4.1) applied to
 * arbitrary bytes, so an SFrame placed inside an Annex B NAL unit can never
 * contain a start code.
 *
 * Escaping inserts 0x03 after every 00 00 that is followed by a byte <= 0x03,
 * and after a 00 00 that ends the data (so the escaped bytes never end in
 * 00 00 and no trailing zeros can be lost). The escaped form therefore never
 * holds 00 00 00, 00 00 01 or 00 00 02, and every 00 00 03 in it is an
 * inserted byte.
 *
 * Unescaping removes exactly those bytes and accepts only what escaping can
 * produce: 00 00 followed by 00/01/02, a trailing 00 00, or an inserted 03
 * followed by a byte > 0x03 are refused (`CodecError('malformed')`), so each
 * byte string has exactly one escaped form.
 */
import { CodecError } from './errors.js';

/**
 * Index of the first `00 00` at or after `from` (its first zero), or -1.
 *
 * Looks at every second byte only, as any `00 00` covers an odd index.
 * Walking the zeros with `indexOf(0)`, which V8 runs a byte at a time, took
 * ~120 µs for a 100 KB frame of ciphertext in a Chromium Worker (about what
 * AES-GCM of that frame costs); this takes ~55 µs. (Reading 32-bit words and
 * testing them for a zero byte measured slower still, ~85 µs.)
 */
export function findZeroPair(src: Uint8Array, from: number): number {
  const n = src.length;
  for (let j = Math.max(from, 0) | 1; j < n; j += 2) {
    if (src[j] !== 0) continue;
    if (j - 1 >= from && src[j - 1] === 0) return j - 1;
    if (j + 1 < n && src[j + 1] === 0) return j;
  }
  return -1;
}

/** Escapes `src`; returns `src` itself when nothing needs escaping. */
export function escapeEmulation(src: Uint8Array): Uint8Array {
  const n = src.length;
  let out: Uint8Array | undefined;
  let o = 0; // bytes written to out
  let copied = 0; // src[0..copied) already copied to out
  let i = findZeroPair(src, 0);
  while (i >= 0) {
    // src[i] = src[i+1] = 0
    if (i + 2 < n && src[i + 2]! > 3) {
      i = findZeroPair(src, i + 3);
      continue;
    }
    out ??= new Uint8Array(n + (n >>> 1) + 1);
    out.set(src.subarray(copied, i + 2), o);
    o += i + 2 - copied;
    out[o++] = 0x03;
    copied = i + 2;
    i = findZeroPair(src, i + 2);
  }
  if (!out) return src;
  out.set(src.subarray(copied), o);
  o += n - copied;
  return out.subarray(0, o);
}

/** Reverses `escapeEmulation`; returns `src` itself when it holds no inserted byte. */
export function unescapeEmulation(src: Uint8Array): Uint8Array {
  const n = src.length;
  let out: Uint8Array | undefined;
  let o = 0;
  let copied = 0;
  let i = findZeroPair(src, 0);
  while (i >= 0) {
    if (i + 2 >= n) throw new CodecError('malformed', 'escaped data ends in 00 00');
    const b = src[i + 2]!;
    if (b > 3) {
      i = findZeroPair(src, i + 3);
      continue;
    }
    if (b !== 3) throw new CodecError('malformed', `start code emulation 00 00 0${b} in escaped data`);
    if (i + 3 < n && src[i + 3]! > 3) {
      throw new CodecError('malformed', 'emulation prevention byte not followed by a byte <= 0x03');
    }
    out ??= new Uint8Array(n);
    out.set(src.subarray(copied, i + 2), o);
    o += i + 2 - copied;
    copied = i + 3; // drop the 0x03
    i = findZeroPair(src, i + 3);
  }
  if (!out) return src;
  out.set(src.subarray(copied), o);
  o += n - copied;
  return out.subarray(0, o);
}
