/**
 * SFrame encryption and decryption of one frame (RFC 9605 §4.4.3–4.4.4):
 *
 *     nonce      = sframe_salt XOR CTR (CTR big-endian in Nn bytes)
 *     aad        = header || metadata
 *     SFrame     = header || AEAD.Encrypt(sframe_key, nonce, aad, plaintext)
 *
 * `encryptWithKey`/`decryptWithKey` work on an already imported `SFrameKey`
 * (the hot path, used by the sender/receiver contexts). `sframeEncrypt` and
 * `sframeDecrypt` are the stateless entry points for conformance tools: they
 * derive and import the key on every call, so they are not for per-frame use.
 */
import { aeadDecrypt, aeadEncryptInto } from './aead.js';
import { SFrameError } from './errors.js';
import { decodeHeader, headerLength, MAX_HEADER_VALUE, writeHeader, type DecodedHeader } from './header.js';
import { importSFrameKey, type SFrameKey } from './sframe-key.js';

/** Writes sframe_salt XOR the big-endian `ctr` into `out` (Nn bytes; ctr < 2^64 touches only the last 8). */
function writeNonce(salt: Uint8Array, ctr: bigint, out: Uint8Array): void {
  out.set(salt, 0);
  const n = out.length;
  let lo = Number(ctr & 0xffff_ffffn);
  let hi = Number(ctr >> 32n);
  for (let i = 1; i <= 4; i++) {
    out[n - i]! ^= lo & 0xff;
    out[n - 4 - i]! ^= hi & 0xff;
    lo >>>= 8;
    hi >>>= 8;
  }
}

/** sframe_salt XOR the big-endian encoding of `ctr` (ctr < 2^64 touches only the last 8 bytes). */
export function computeNonce(salt: Uint8Array, ctr: bigint): Uint8Array {
  if (salt.length < 8) throw new SFrameError('invalid-argument', 'salt shorter than 8 bytes');
  if (ctr < 0n || ctr > MAX_HEADER_VALUE) throw new SFrameError('invalid-argument', 'CTR out of range');
  const nonce = new Uint8Array(salt.length);
  writeNonce(salt, ctr, nonce);
  return nonce;
}

/** header || metadata (the header itself when there is no metadata). */
export function buildAad(header: Uint8Array, metadata: Uint8Array): Uint8Array {
  if (metadata.length === 0) return header;
  const aad = new Uint8Array(header.length + metadata.length);
  aad.set(header, 0);
  aad.set(metadata, header.length);
  return aad;
}

/**
 * What goes before the SFrame in the buffer `encryptWithKey` returns: fixed
 * bytes, or a function of the SFrame's length (e.g. a codec's size field).
 */
export type SFramePrefix = Uint8Array | ((sframeLength: number) => Uint8Array);

/**
 * Room for the AEAD's nonce and AAD: `out[at, at + length)` when `out` has it
 * (those bytes are written only after the AEAD has read its inputs), else a
 * buffer of its own. Saves an allocation per frame, which in a Chromium Worker
 * costs more than the bytes it holds.
 */
function paramSpace(out: Uint8Array | undefined, at: number, length: number): Uint8Array {
  return out && out.length - at >= length ? out.subarray(at, at + length) : new Uint8Array(length);
}

/**
 * Encrypts one frame with counter `ctr`; returns `prefix || header ||
 * ciphertext || tag` in one buffer of exactly that length (no prefix: the
 * SFrame alone). The output buffer is allocated once and the SFrame written
 * into it; nonce and AAD are built in its ciphertext area before the AEAD
 * overwrites it.
 */
export async function encryptWithKey(
  key: SFrameKey,
  ctr: bigint,
  metadata: Uint8Array,
  plaintext: Uint8Array,
  prefix?: SFramePrefix,
): Promise<Uint8Array> {
  const { kid, suite } = key;
  const hl = headerLength(kid, ctr); // also checks the range of kid and ctr
  const sframeLength = hl + plaintext.length + suite.Nt;
  const head = typeof prefix === 'function' ? prefix(sframeLength) : prefix;
  const headLength = head?.length ?? 0;
  const start = headLength + hl; // where the ciphertext starts
  const out = new Uint8Array(start + plaintext.length + suite.Nt);
  const params = paramSpace(out, start, suite.Nn + hl + metadata.length);
  const nonce = params.subarray(0, suite.Nn);
  const aad = params.subarray(suite.Nn);
  writeNonce(key.salt, ctr, nonce);
  writeHeader(kid, ctr, aad, 0);
  aad.set(metadata, hl);
  await aeadEncryptInto(key.aead, nonce, aad, plaintext, out, start);
  // Last, as the AEAD may use the bytes just before `start` (see placeBytes).
  if (head) out.set(head, 0);
  writeHeader(kid, ctr, out, headLength);
  return out;
}

/**
 * Decrypts an SFrame whose header was already decoded (and whose KID selected
 * `key`). Returns the plaintext, or with `prefix` one buffer `prefix ||
 * plaintext` (for a codec's clear bytes, saving a copy of the frame). Throws
 * `SFrameError('auth-failed')` on any alteration.
 */
export async function decryptWithKey(
  key: SFrameKey,
  header: DecodedHeader,
  metadata: Uint8Array,
  sframe: Uint8Array,
  prefix?: Uint8Array,
): Promise<Uint8Array> {
  const suite = key.suite;
  if (sframe.length < header.length + suite.Nt) {
    throw new SFrameError('truncated', `SFrame shorter than header + ${suite.Nt}-byte tag`, header.kid);
  }
  if (key.salt.length < 8) throw new SFrameError('invalid-argument', 'salt shorter than 8 bytes');
  if (header.ctr < 0n || header.ctr > MAX_HEADER_VALUE) throw new SFrameError('invalid-argument', 'CTR out of range');
  const hl = header.length;
  const headerBytes = sframe.subarray(0, hl);
  const preLength = prefix?.length ?? 0;
  const out = preLength > 0 ? new Uint8Array(preLength + sframe.length - hl - suite.Nt) : undefined;
  let nonce: Uint8Array;
  let aad: Uint8Array;
  if (metadata.length === 0) {
    nonce = paramSpace(out, 0, suite.Nn);
    aad = headerBytes;
  } else {
    const params = paramSpace(out, 0, suite.Nn + hl + metadata.length);
    nonce = params.subarray(0, suite.Nn);
    aad = params.subarray(suite.Nn);
    aad.set(headerBytes, 0);
    aad.set(metadata, hl);
  }
  writeNonce(key.salt, header.ctr, nonce);
  try {
    const plaintext = await aeadDecrypt(key.aead, nonce, aad, sframe.subarray(hl), out, preLength);
    if (out) out.set(prefix!, 0); // last: the AEAD may use the bytes just before the plaintext
    return plaintext;
  } catch (e) {
    if (e instanceof SFrameError && e.code === 'auth-failed') {
      throw new SFrameError('auth-failed', `${e.message} (KID ${header.kid}, CTR ${header.ctr})`, header.kid, { cause: e });
    }
    throw e;
  }
}

/**
 * Stateless SFrame encryption: derives the key for (suite, baseKey, kid) and
 * returns header || ciphertext || tag. For conformance tools and tests.
 */
export async function sframeEncrypt(
  suite: number,
  baseKey: Uint8Array,
  kid: bigint,
  ctr: bigint,
  metadata: Uint8Array,
  plaintext: Uint8Array,
): Promise<Uint8Array> {
  const key = await importSFrameKey(suite, baseKey, kid);
  return encryptWithKey(key, ctr, metadata, plaintext);
}

/**
 * Stateless SFrame decryption: reads KID and CTR from the header, derives the
 * key from (suite, baseKey, KID) and verifies header, metadata, ciphertext and
 * tag. Throws `SFrameError` on any change to them.
 */
export async function sframeDecrypt(
  suite: number,
  baseKey: Uint8Array,
  metadata: Uint8Array,
  sframe: Uint8Array,
): Promise<{ kid: bigint; ctr: bigint; plaintext: Uint8Array }> {
  const header = decodeHeader(sframe, 0);
  const key = await importSFrameKey(suite, baseKey, header.kid);
  const plaintext = await decryptWithKey(key, header, metadata, sframe);
  return { kid: header.kid, ctr: header.ctr, plaintext };
}
