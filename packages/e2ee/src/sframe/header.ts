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

const U32 = 0xffff_ffffn;

/**
 * Bytes needed after the config byte for `value` (0 when it fits in 3 bits).
 * Counters and KIDs are almost always below 2^32, so that case uses Number
 * arithmetic: the header is built for every frame.
 */
function extraBytes(value: bigint): number {
  if (value < 8n) return 0;
  if (value <= U32) {
    const v = Number(value);
    return v < 0x100 ? 1 : v < 0x1_0000 ? 2 : v < 0x100_0000 ? 3 : 4;
  }
  const hi = Number(value >> 32n); // 1 .. 2^32 - 1
  return hi < 0x100 ? 5 : hi < 0x1_0000 ? 6 : hi < 0x100_0000 ? 7 : 8;
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

/** Writes the low `len` (≤ 4) bytes of `v` big-endian at `offset`. */
function writeU32(v: number, out: Uint8Array, offset: number, len: number): void {
  for (let i = offset + len - 1; i >= offset; i--) {
    out[i] = v & 0xff;
    v >>>= 8;
  }
}

function writeBigEndian(value: bigint, out: Uint8Array, offset: number, len: number): void {
  if (len <= 4) {
    writeU32(Number(value), out, offset, len);
    return;
  }
  writeU32(Number(value >> 32n), out, offset, len - 4);
  writeU32(Number(value & U32), out, offset + len - 4, 4);
}

/**
 * Writes the header for (kid, ctr) into `out` at `offset`; returns its length.
 * Throws `invalid-argument` when a value is out of range or `out` is too short.
 */
export function writeHeader(kid: bigint, ctr: bigint, out: Uint8Array, offset = 0): number {
  checkValue('KID', kid);
  checkValue('CTR', ctr);
  const kLen = extraBytes(kid);
  const cLen = extraBytes(ctr);
  const len = 1 + kLen + cLen;
  if (offset < 0 || offset + len > out.length) {
    throw new SFrameError('invalid-argument', 'output buffer too small for the SFrame header');
  }
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

/** Reads `len` (≤ 4) big-endian bytes at `offset` as a Number. */
function readU32(buf: Uint8Array, offset: number, len: number): number {
  let v = 0;
  for (let i = 0; i < len; i++) v = v * 256 + buf[offset + i]!;
  return v;
}

function readLong(buf: Uint8Array, offset: number, len: number, what: string): bigint {
  // Minimal form: a long value is at least 8 and has no leading zero byte.
  if (buf[offset] === 0) {
    throw new SFrameError('malformed-header', `${what} has a leading zero byte (not minimal)`);
  }
  const v =
    len <= 4
      ? BigInt(readU32(buf, offset, len))
      : (BigInt(readU32(buf, offset, len - 4)) << 32n) | BigInt(readU32(buf, offset + len - 4, 4));
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
