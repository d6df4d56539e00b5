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
import { aeadDecrypt, aeadEncrypt } from './aead.js';
import { SFrameError } from './errors.js';
import { decodeHeader, encodeHeader, MAX_HEADER_VALUE, type DecodedHeader } from './header.js';
import { importSFrameKey, type SFrameKey } from './sframe-key.js';

/** sframe_salt XOR the big-endian encoding of `ctr` (ctr < 2^64 touches only the last 8 bytes). */
export function computeNonce(salt: Uint8Array, ctr: bigint): Uint8Array {
  if (salt.length < 8) throw new SFrameError('invalid-argument', 'salt shorter than 8 bytes');
  if (ctr < 0n || ctr > MAX_HEADER_VALUE) throw new SFrameError('invalid-argument', 'CTR out of range');
  const nonce = salt.slice();
  const n = nonce.length;
  let lo = Number(ctr & 0xffff_ffffn);
  let hi = Number(ctr >> 32n);
  for (let i = 1; i <= 4; i++) {
    nonce[n - i]! ^= lo & 0xff;
    nonce[n - 4 - i]! ^= hi & 0xff;
    lo >>>= 8;
    hi >>>= 8;
  }
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

/** Encrypts one frame with counter `ctr`; returns header || ciphertext || tag. */
export async function encryptWithKey(key: SFrameKey, ctr: bigint, metadata: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
  const header = encodeHeader(key.kid, ctr);
  const nonce = computeNonce(key.salt, ctr);
  return aeadEncrypt(key.aead, nonce, buildAad(header, metadata), plaintext, header);
}

/**
 * Decrypts an SFrame whose header was already decoded (and whose KID selected
 * `key`). Throws `SFrameError('auth-failed')` on any alteration.
 */
export async function decryptWithKey(key: SFrameKey, header: DecodedHeader, metadata: Uint8Array, sframe: Uint8Array): Promise<Uint8Array> {
  if (sframe.length < header.length + key.suite.Nt) {
    throw new SFrameError('truncated', `SFrame shorter than header + ${key.suite.Nt}-byte tag`, header.kid);
  }
  const nonce = computeNonce(key.salt, header.ctr);
  const aad = buildAad(sframe.subarray(0, header.length), metadata);
  try {
    return await aeadDecrypt(key.aead, nonce, aad, sframe.subarray(header.length));
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
