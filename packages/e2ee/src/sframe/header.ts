/**
 * The SFrame header of RFC 9605 §4.3: one config byte `X|K(3)|Y|C(3)` then
 * the KID and CTR, each a big-endian unsigned integer of at most 8 bytes.
 *
 * A value 0–7 sits in the config byte itself (flag 0); a larger value is
 * written in the fewest bytes that hold it, after the config byte, and the
 * 3-bit field holds that byte count minus one (flag 1). KID comes before CTR.
 *
 * Decoding accepts only this minimal form (as a sender MUST produce it), so
 * every (KID, CTR) pair has exactly one header.
 */
import { SFrameError } from './errors.js';

/** Largest KID or CTR a header can carry: 2^64 − 1. */
export const MAX_HEADER_VALUE = 0xffff_ffff_ffff_ffffn;

/** Longest possible header: config byte + 8 KID bytes + 8 CTR bytes. */
export const MAX_HEADER_LENGTH = 17;

export interface SFrameHeader {
  kid: bigint;
  ctr: bigint;
}

export interface DecodedHeader extends SFrameHeader {
  /** Number of bytes the header occupies. */
  length: number;
}

/** Bytes needed after the config byte for `value` (0 when it fits in 3 bits). */
function extraBytes(value: bigint): number {
  if (value < 8n) return 0;
  let n = 1;
  let v = value >> 8n;
  while (v > 0n) {
    n++;
    v >>= 8n;
  }
  return n;
}

function checkValue(name: string, value: bigint): void {
  if (typeof value !== 'bigint' || value < 0n || value > MAX_HEADER_VALUE) {
    throw new SFrameError('invalid-argument', `${name} must be a bigint in [0, 2^64-1]`);
  }
}

/** Length in bytes of the header for (kid, ctr). */
export function headerLength(kid: bigint, ctr: bigint): number {
  checkValue('KID', kid);
  checkValue('CTR', ctr);
  return 1 + extraBytes(kid) + extraBytes(ctr);
}

function writeBigEndian(value: bigint, out: Uint8Array, offset: number, len: number): void {
  let v = value;
  for (let i = offset + len - 1; i >= offset; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
}

/**
 * Writes the header for (kid, ctr) into `out` at `offset`; returns its length.
 * Throws `invalid-argument` when a value is out of range or `out` is too short.
 */
export function writeHeader(kid: bigint, ctr: bigint, out: Uint8Array, offset = 0): number {
  const len = headerLength(kid, ctr);
  if (offset < 0 || offset + len > out.length) {
    throw new SFrameError('invalid-argument', 'output buffer too small for the SFrame header');
  }
  const kLen = extraBytes(kid);
  const cLen = extraBytes(ctr);
  const kBits = kLen === 0 ? Number(kid) << 4 : 0x80 | ((kLen - 1) << 4);
  const cBits = cLen === 0 ? Number(ctr) : 0x08 | (cLen - 1);
  out[offset] = kBits | cBits;
  writeBigEndian(kid, out, offset + 1, kLen);
  writeBigEndian(ctr, out, offset + 1 + kLen, cLen);
  return len;
}

/** Encodes (kid, ctr) as a fresh header. */
export function encodeHeader(kid: bigint, ctr: bigint): Uint8Array {
  const out = new Uint8Array(headerLength(kid, ctr));
  writeHeader(kid, ctr, out, 0);
  return out;
}

function readLong(buf: Uint8Array, offset: number, len: number, what: string): bigint {
  // Minimal form: a long value is at least 8 and has no leading zero byte.
  if (buf[offset] === 0) {
    throw new SFrameError('malformed-header', `${what} has a leading zero byte (not minimal)`);
  }
  let v = 0n;
  for (let i = 0; i < len; i++) v = (v << 8n) | BigInt(buf[offset + i]!);
  if (v < 8n) {
    throw new SFrameError('malformed-header', `${what} < 8 must be carried in the config byte`);
  }
  return v;
}

/**
 * Reads the header at `offset` of `buf`.
 * Throws `truncated` when `buf` ends inside it, `malformed-header` when it is
 * not minimally encoded.
 */
export function decodeHeader(buf: Uint8Array, offset = 0): DecodedHeader {
  if (offset < 0 || offset >= buf.length) {
    throw new SFrameError('truncated', 'no SFrame header: input is empty');
  }
  const config = buf[offset]!;
  const kLong = (config & 0x80) !== 0;
  const cLong = (config & 0x08) !== 0;
  const kField = (config >> 4) & 0x07;
  const cField = config & 0x07;
  const kLen = kLong ? kField + 1 : 0;
  const cLen = cLong ? cField + 1 : 0;
  const length = 1 + kLen + cLen;
  if (offset + length > buf.length) {
    throw new SFrameError('truncated', `SFrame header needs ${length} bytes, ${buf.length - offset} left`);
  }
  const kid = kLong ? readLong(buf, offset + 1, kLen, 'KID') : BigInt(kField);
  const ctr = cLong ? readLong(buf, offset + 1 + kLen, cLen, 'CTR') : BigInt(cField);
  return { kid, ctr, length };
}
