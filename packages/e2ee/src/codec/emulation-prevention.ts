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

/** Escapes `src`; returns `src` itself when nothing needs escaping. */
export function escapeEmulation(src: Uint8Array): Uint8Array {
  const n = src.length;
  let out: Uint8Array | undefined;
  let o = 0; // bytes written to out
  let copied = 0; // src[0..copied) already copied to out
  let i = src.indexOf(0);
  while (i >= 0 && i + 1 < n) {
    if (src[i + 1] !== 0) {
      i = src.indexOf(0, i + 2);
      continue;
    }
    // src[i] = src[i+1] = 0
    if (i + 2 < n && src[i + 2]! > 3) {
      i = src.indexOf(0, i + 3);
      continue;
    }
    out ??= new Uint8Array(n + (n >>> 1) + 1);
    out.set(src.subarray(copied, i + 2), o);
    o += i + 2 - copied;
    out[o++] = 0x03;
    copied = i + 2;
    i = src.indexOf(0, i + 2);
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
  let i = src.indexOf(0);
  while (i >= 0 && i + 1 < n) {
    if (src[i + 1] !== 0) {
      i = src.indexOf(0, i + 2);
      continue;
    }
    if (i + 2 >= n) throw new CodecError('malformed', 'escaped data ends in 00 00');
    const b = src[i + 2]!;
    if (b > 3) {
      i = src.indexOf(0, i + 3);
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
    i = src.indexOf(0, i + 3);
  }
  if (!out) return src;
  out.set(src.subarray(copied), o);
  o += n - copied;
  return out.subarray(0, o);
}
