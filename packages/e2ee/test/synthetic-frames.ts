/**
 * Realistic synthetic encoded frames for the codec framing tests (test
 * support only; not part of the build). Payload bytes come from a seeded
 * generator so failures reproduce.
 */
import { escapeEmulation } from '../src/codec/emulation-prevention.js';
import { encodeLeb128 } from '../src/codec/leb128.js';

/** Deterministic pseudo-random bytes (xorshift32); `zeroRate` in [0, 1] biases toward 0x00. */
export function noise(n: number, seed = 1, zeroRate = 0): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = (x & 0xffff) / 0x10000 < zeroRate ? 0 : x >>> 24;
  }
  return out;
}

export function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** VP8 key frame: 3-byte tag (key), start code, 640x480, then data. */
export function vp8KeyFrame(dataLen: number, seed = 1): Uint8Array {
  return cat(Uint8Array.of(0x50, 0x2d, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01), noise(dataLen, seed));
}

/** VP8 delta frame: 3-byte tag (inter frame), then data. */
export function vp8DeltaFrame(dataLen: number, seed = 2): Uint8Array {
  return cat(Uint8Array.of(0x31, 0x0a, 0x00), noise(dataLen, seed));
}

const SC4 = Uint8Array.of(0, 0, 0, 1);
const SC3 = Uint8Array.of(0, 0, 1);

/** One Annex B NAL unit: start code, header byte, emulation-prevented body. */
export function nal(header: number, body: Uint8Array, fourByteStartCode = true): Uint8Array {
  return cat(fourByteStartCode ? SC4 : SC3, Uint8Array.of(header), escapeEmulation(body));
}

export const SPS_BODY = Uint8Array.of(0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16, 0xe8, 0x40, 0x00, 0x00, 0x00, 0x40); // RBSP; nal() adds the 03
export const PPS_BODY = Uint8Array.of(0xce, 0x3c, 0x80);

/** H.264 IDR access unit: SPS, PPS, IDR slice (4-byte start codes by default). */
export function h264IdrFrame(sliceLen: number, seed = 3, fourByte = true, zeroRate = 0.2): Uint8Array {
  return cat(
    nal(0x67, SPS_BODY, fourByte),
    nal(0x68, PPS_BODY, fourByte),
    nal(0x65, cat(Uint8Array.of(0x88, 0x84), noise(sliceLen, seed, zeroRate)), fourByte),
  );
}

/** H.264 non-IDR access unit: AUD, SEI, then two slices of type 1. */
export function h264DeltaFrame(sliceLen: number, seed = 4, fourByte = false): Uint8Array {
  return cat(
    nal(0x09, Uint8Array.of(0xf0), true),
    nal(0x06, Uint8Array.of(0x05, 0x02, 0x11, 0x22, 0x80), fourByte),
    nal(0x41, cat(Uint8Array.of(0x9a), noise(sliceLen, seed, 0.2)), fourByte),
    nal(0x41, cat(Uint8Array.of(0x9b), noise(sliceLen >> 1, seed + 1, 0.2)), fourByte),
  );
}

/** One AV1 OBU with obu_has_size_field = 1 and an optional extension byte. */
export function obu(type: number, payload: Uint8Array, extension?: number): Uint8Array {
  const header = (type << 3) | 0x02 | (extension === undefined ? 0 : 0x04);
  const hdr = extension === undefined ? Uint8Array.of(header) : Uint8Array.of(header, extension);
  return cat(hdr, encodeLeb128(payload.length), payload);
}

export const AV1_SEQUENCE_HEADER = Uint8Array.of(0x00, 0x00, 0x00, 0x02, 0xaf, 0xff, 0x9b, 0x5f, 0x30, 0x08);

/** AV1 temporal unit: temporal delimiter, sequence header, frame OBU. */
export function av1KeyFrame(frameLen: number, seed = 5, extension?: number): Uint8Array {
  return cat(obu(2, new Uint8Array(0), extension), obu(1, AV1_SEQUENCE_HEADER, extension), obu(6, noise(frameLen, seed), extension));
}

/** AV1 temporal unit: temporal delimiter, metadata, frame header, two tile groups. */
export function av1SplitFrame(tileLen: number, seed = 6): Uint8Array {
  return cat(
    obu(2, new Uint8Array(0)),
    obu(5, Uint8Array.of(0x01, 0x00, 0x10, 0x80)),
    obu(3, noise(12, seed)),
    obu(4, noise(tileLen, seed + 1)),
    obu(4, noise(tileLen, seed + 2)),
  );
}

/** No 00 00 00/01/02, no trailing 00 00, and every 00 00 03 followed by a byte <= 03 or the end. */
export function isEscaped(b: Uint8Array): boolean {
  for (let i = 0; i + 1 < b.length; i++) {
    if (b[i] !== 0 || b[i + 1] !== 0) continue;
    if (i + 2 >= b.length) return false;
    const c = b[i + 2]!;
    if (c < 3) return false;
    if (c === 3 && i + 3 < b.length && b[i + 3]! > 3) return false;
  }
  return true;
}
