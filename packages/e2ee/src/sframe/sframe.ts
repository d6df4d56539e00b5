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
 * The nonce and AAD of the frame being handed to the AEAD, written into one
 * long-lived buffer through views that are kept too. The AEAD reads both
 * before it first awaits (aead.ts: WebCrypto copies its inputs when called),
 * so the next frame may overwrite them. Fresh buffers cost more than the
 * bytes they hold: in a Chromium Worker each new typed array handed to
 * WebCrypto adds ~1–2 µs (allocating it, and wrapping it for Blink), against
 * ~9 µs for AES-GCM of a whole 1 KB frame.
 */
class ParamScratch {
  #buf = new Uint8Array(256);
  readonly #views = new Map<number, Uint8Array>();

  #view(offset: number, length: number): Uint8Array {
    const key = offset * 0x1_0000 + length;
    let v = this.#views.get(key);
    if (!v) {
      v = this.#buf.subarray(offset, offset + length);
      this.#views.set(key, v);
    }
    return v;
  }

  /** Views for a nonce of `nonceLength` bytes and, after it, an AAD of `aadLength` bytes. */
  take(nonceLength: number, aadLength: number): { nonce: Uint8Array; aad: Uint8Array } {
    const aadAt = Math.max(16, nonceLength);
    if (aadAt + aadLength > this.#buf.length) {
      this.#buf = new Uint8Array(2 ** Math.ceil(Math.log2(aadAt + aadLength)));
      this.#views.clear();
    }
    return { nonce: this.#view(0, nonceLength), aad: this.#view(aadAt, aadLength) };
  }
}

const scratch = new ParamScratch();

/**
 * Encrypts one frame with counter `ctr`; returns `prefix || header ||
 * ciphertext || tag` in one buffer of exactly that length (no prefix: the
 * SFrame alone). The output buffer is allocated once and the SFrame written
 * into it.
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
  const { nonce, aad } = scratch.take(suite.Nn, hl + metadata.length);
  writeNonce(key.salt, ctr, nonce);
  writeHeader(kid, ctr, aad, 0);
  aad.set(metadata, hl);
  await aeadEncryptInto(key.aead, nonce, aad, plaintext, out, start);
  // Last, as the AEAD may use the bytes before `start` (see placeBytes).
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
  const preLength = prefix?.length ?? 0;
  const out = preLength > 0 ? new Uint8Array(preLength + sframe.length - hl - suite.Nt) : undefined;
  const { nonce, aad } = scratch.take(suite.Nn, hl + metadata.length);
  for (let i = 0; i < hl; i++) aad[i] = sframe[i]!;
  aad.set(metadata, hl);
  writeNonce(key.salt, header.ctr, nonce);
  try {
    const plaintext = await aeadDecrypt(key.aead, nonce, aad, sframe.subarray(hl), out, preLength);
    if (out) out.set(prefix!, 0); // last: the AEAD may use the bytes before the plaintext
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
