/**
 * AV1's leb128() (AV1 spec §4.10.5): little-endian base-128 unsigned
 * integers of at most 8 bytes whose value must fit in 32 bits.
 */
import { CodecError } from './errors.js';

export const LEB128_MAX_BYTES = 8;
export const LEB128_MAX_VALUE = 0xffff_ffff;

export interface Leb128 {
  value: number;
  /** Bytes the encoding occupies. */
  length: number;
}

/** Reads a leb128 at `offset`; throws `truncated` or `malformed`. */
export function readLeb128(buf: Uint8Array, offset: number): Leb128 {
  let value = 0;
  for (let i = 0; i < LEB128_MAX_BYTES; i++) {
    if (offset + i >= buf.length) throw new CodecError('truncated', 'leb128 runs past the end of the frame');
    const b = buf[offset + i]!;
    value += (b & 0x7f) * 2 ** (7 * i);
    if ((b & 0x80) === 0) {
      if (value > LEB128_MAX_VALUE) throw new CodecError('malformed', 'leb128 value exceeds 2^32 - 1');
      return { value, length: i + 1 };
    }
  }
  throw new CodecError('malformed', `leb128 longer than ${LEB128_MAX_BYTES} bytes`);
}

/** Bytes of the minimal leb128 encoding of `value`. */
export function leb128Size(value: number): number {
  checkValue(value);
  let n = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) n++;
  return n;
}

/** Writes the minimal leb128 encoding of `value` at `offset`; returns its length. */
export function writeLeb128(value: number, out: Uint8Array, offset: number): number {
  const len = leb128Size(value);
  if (offset < 0 || offset + len > out.length) throw new RangeError('leb128 output buffer too small');
  let v = value;
  for (let i = 0; i < len; i++) {
    const low = v % 0x80;
    v = Math.floor(v / 0x80);
    out[offset + i] = i + 1 < len ? low | 0x80 : low;
  }
  return len;
}

/** The minimal leb128 encoding of `value`. */
export function encodeLeb128(value: number): Uint8Array {
  const out = new Uint8Array(leb128Size(value));
  writeLeb128(value, out, 0);
  return out;
}

function checkValue(value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > LEB128_MAX_VALUE) {
    throw new CodecError('unsupported', `leb128 cannot carry ${value} (max 2^32 - 1)`);
  }
}
