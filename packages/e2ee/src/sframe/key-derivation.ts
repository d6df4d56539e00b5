/**
 * RFC 9605 §4.4.2 key derivation: from a base_key and a KID, the per-KID
 * `sframe_key` (Nk bytes) and `sframe_salt` (Nn bytes).
 *
 *     sframe_secret = HKDF-Extract("", base_key)
 *     sframe_key    = HKDF-Expand(sframe_secret, "SFrame 1.0 Secret key "  || KID || suite, Nk)
 *     sframe_salt   = HKDF-Expand(sframe_secret, "SFrame 1.0 Secret salt " || KID || suite, Nn)
 *
 * KID is 8 bytes and the suite 2 bytes, both big-endian; the hash is the
 * suite's (SHA-256, or SHA-512 for 0x0005). HKDF is written out over WebCrypto
 * HMAC so that the intermediate `sframe_secret` can be checked against the
 * RFC's test vectors. Runs once per key, never per frame.
 *
 * For the AES-CTR+HMAC suites (§4.5.1) the sframe_key is split: the first Nka
 * bytes are the AES key, the rest the HMAC key.
 */
import { cipherSuite, type CipherSuite, type HashName } from './cipher-suites.js';
import { SFrameError } from './errors.js';
import { MAX_HEADER_VALUE } from './header.js';
import { bytes, subtle } from './webcrypto.js';

const KEY_LABEL = 'SFrame 1.0 Secret key ';
const SALT_LABEL = 'SFrame 1.0 Secret salt ';

export interface DerivedKeyMaterial {
  /** HKDF-Extract output (Nh bytes). Exposed for test vectors. */
  secret: Uint8Array;
  /** sframe_key, Nk bytes. */
  key: Uint8Array;
  /** sframe_salt, Nn bytes. */
  salt: Uint8Array;
}

async function hmacKey(hash: HashName, key: Uint8Array): Promise<CryptoKey> {
  return subtle().importKey('raw', bytes(key), { name: 'HMAC', hash }, false, ['sign']);
}

/** HKDF-Extract (RFC 5869 §2.2). An empty salt means HashLen zero bytes. */
export async function hkdfExtract(hash: HashName, salt: Uint8Array, ikm: Uint8Array): Promise<Uint8Array> {
  const hashLen = hash === 'SHA-256' ? 32 : 64;
  // WebCrypto refuses empty HMAC keys; HMAC pads a short key with zeros, so
  // HashLen zeros is the same key as the empty string (RFC 5869 says so).
  const key = await hmacKey(hash, salt.length > 0 ? salt : new Uint8Array(hashLen));
  return new Uint8Array(await subtle().sign('HMAC', key, bytes(ikm)));
}

/** HKDF-Expand (RFC 5869 §2.3). */
export async function hkdfExpand(hash: HashName, prk: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array> {
  const hashLen = hash === 'SHA-256' ? 32 : 64;
  if (!Number.isInteger(length) || length < 0 || length > 255 * hashLen) {
    throw new SFrameError('invalid-argument', `HKDF-Expand length ${length} out of range`);
  }
  const key = await hmacKey(hash, prk);
  const out = new Uint8Array(length);
  const block = new Uint8Array(hashLen + info.length + 1);
  let prev = 0; // bytes of T(i-1) at the start of `block`
  for (let i = 1, done = 0; done < length; i++) {
    block.set(info, prev);
    block[prev + info.length] = i;
    const t = new Uint8Array(await subtle().sign('HMAC', key, block.subarray(0, prev + info.length + 1)));
    out.set(t.subarray(0, Math.min(hashLen, length - done)), done);
    done += hashLen;
    block.set(t, 0);
    prev = hashLen;
    t.fill(0);
  }
  block.fill(0);
  return out;
}

function label(prefix: string, kid: bigint, suite: CipherSuite): Uint8Array {
  const text = new TextEncoder().encode(prefix);
  const out = new Uint8Array(text.length + 10);
  out.set(text, 0);
  const view = new DataView(out.buffer);
  view.setBigUint64(text.length, kid, false);
  view.setUint16(text.length + 8, suite.id, false);
  return out;
}

/** "SFrame 1.0 Secret key " || KID (8 bytes BE) || suite (2 bytes BE). */
export function sframeKeyLabel(suiteId: number, kid: bigint): Uint8Array {
  checkKid(kid);
  return label(KEY_LABEL, kid, cipherSuite(suiteId));
}

/** "SFrame 1.0 Secret salt " || KID (8 bytes BE) || suite (2 bytes BE). */
export function sframeSaltLabel(suiteId: number, kid: bigint): Uint8Array {
  checkKid(kid);
  return label(SALT_LABEL, kid, cipherSuite(suiteId));
}

function checkKid(kid: bigint): void {
  if (typeof kid !== 'bigint' || kid < 0n || kid > MAX_HEADER_VALUE) {
    throw new SFrameError('invalid-argument', 'KID must be a bigint in [0, 2^64-1]');
  }
}

/**
 * Derives sframe_secret, sframe_key and sframe_salt for `kid` under `suiteId`.
 * The caller owns the returned bytes and should zero them once imported.
 */
export async function deriveKeyMaterial(suiteId: number, baseKey: Uint8Array, kid: bigint): Promise<DerivedKeyMaterial> {
  const suite = cipherSuite(suiteId);
  checkKid(kid);
  if (!(baseKey instanceof Uint8Array) || baseKey.length === 0) {
    throw new SFrameError('invalid-argument', 'base key must be a non-empty Uint8Array');
  }
  const secret = await hkdfExtract(suite.hash, new Uint8Array(0), baseKey);
  const [key, salt] = await Promise.all([
    hkdfExpand(suite.hash, secret, label(KEY_LABEL, kid, suite), suite.Nk),
    hkdfExpand(suite.hash, secret, label(SALT_LABEL, kid, suite), suite.Nn),
  ]);
  return { secret, key, salt };
}

/**
 * Splits a CTR+HMAC sframe_key into its AES key (first Nka bytes) and HMAC key
 * (the remaining Nh bytes). Returns views, not copies.
 */
export function splitCtrHmacKey(suiteId: number, sframeKey: Uint8Array): { encKey: Uint8Array; authKey: Uint8Array } {
  const suite = cipherSuite(suiteId);
  if (suite.aead !== 'aes-ctr-hmac') {
    throw new SFrameError('invalid-argument', `${suite.name} is not an AES-CTR+HMAC suite`);
  }
  if (sframeKey.length !== suite.Nk) {
    throw new SFrameError('invalid-argument', `${suite.name} needs a ${suite.Nk}-byte key, got ${sframeKey.length}`);
  }
  return { encKey: sframeKey.subarray(0, suite.Nka), authKey: sframeKey.subarray(suite.Nka) };
}
