/**
 * The AEADs of RFC 9605 §4.5 on WebCrypto:
 *
 * - AES-GCM (suites 0x0004, 0x0005), 16-byte tag.
 * - AES-CTR + HMAC (suites 0x0001–0x0003, §4.5.1): the plaintext is encrypted
 *   with AES-CTR from the initial counter block `nonce || 0x00000000`, and the
 *   tag is HMAC(auth_key, auth_data) truncated to Nt bytes, where
 *
 *       auth_data = len(aad) (8 bytes BE) || len(ct) (8 bytes BE) || Nt (8 bytes BE)
 *                   || nonce || aad || ct
 *
 * Keys are imported once (`importAeadKey`) into non-extractable CryptoKeys and
 * reused for every frame. Decryption verifies the tag before it decrypts
 * anything and fails with `SFrameError('auth-failed')`.
 */
import { cipherSuite, type CipherSuite } from './cipher-suites.js';
import { SFrameError } from './errors.js';
import { splitCtrHmacKey } from './key-derivation.js';
import { bytes, subtle } from './webcrypto.js';

/** An imported sframe_key, ready for per-frame use. */
export interface AeadKey {
  readonly suite: CipherSuite;
  /** The AES key (AES-GCM, or AES-CTR for CTR+HMAC suites). */
  readonly encKey: CryptoKey;
  /** The HMAC key of a CTR+HMAC suite; undefined for GCM. */
  readonly authKey: CryptoKey | undefined;
}

/**
 * Imports an sframe_key (Nk bytes) for `suiteId`. Does not keep or modify
 * `key`; the caller may zero it afterwards.
 */
export async function importAeadKey(suiteId: number, key: Uint8Array): Promise<AeadKey> {
  const suite = cipherSuite(suiteId);
  if (key.length !== suite.Nk) {
    throw new SFrameError('invalid-argument', `${suite.name} needs a ${suite.Nk}-byte key, got ${key.length}`);
  }
  const s = subtle();
  if (suite.aead === 'aes-gcm') {
    const encKey = await s.importKey('raw', bytes(key), { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
    return Object.freeze({ suite, encKey, authKey: undefined });
  }
  const { encKey: enc, authKey: auth } = splitCtrHmacKey(suiteId, key);
  const [encKey, authKey] = await Promise.all([
    s.importKey('raw', bytes(enc), { name: 'AES-CTR' }, false, ['encrypt', 'decrypt']),
    s.importKey('raw', bytes(auth), { name: 'HMAC', hash: suite.hash }, false, ['sign']),
  ]);
  return Object.freeze({ suite, encKey, authKey });
}

function checkNonce(suite: CipherSuite, nonce: Uint8Array): void {
  if (nonce.length !== suite.Nn) {
    throw new SFrameError('invalid-argument', `${suite.name} needs a ${suite.Nn}-byte nonce, got ${nonce.length}`);
  }
}

/** Writes `n` (< 2^53) as 8 big-endian bytes. */
function writeU64(out: Uint8Array, offset: number, n: number): void {
  const hi = Math.floor(n / 0x1_0000_0000);
  const lo = n >>> 0;
  out[offset] = hi >>> 24;
  out[offset + 1] = (hi >>> 16) & 0xff;
  out[offset + 2] = (hi >>> 8) & 0xff;
  out[offset + 3] = hi & 0xff;
  out[offset + 4] = lo >>> 24;
  out[offset + 5] = (lo >>> 16) & 0xff;
  out[offset + 6] = (lo >>> 8) & 0xff;
  out[offset + 7] = lo & 0xff;
}

function ctrParams(nonce: Uint8Array): AesCtrParams {
  const counter = new Uint8Array(16);
  counter.set(nonce, 0); // Nn = 12, then four zero bytes
  return { name: 'AES-CTR', counter, length: 32 };
}

/** The truncated HMAC tag of §4.5.1 over (nonce, aad, ct). */
async function ctrHmacTag(key: AeadKey, nonce: Uint8Array, aad: Uint8Array, ct: Uint8Array): Promise<Uint8Array> {
  const authData = new Uint8Array(24 + nonce.length + aad.length + ct.length);
  writeU64(authData, 0, aad.length);
  writeU64(authData, 8, ct.length);
  writeU64(authData, 16, key.suite.Nt);
  authData.set(nonce, 24);
  authData.set(aad, 24 + nonce.length);
  authData.set(ct, 24 + nonce.length + aad.length);
  const mac = await subtle().sign('HMAC', key.authKey!, authData);
  return new Uint8Array(mac, 0, key.suite.Nt);
}

/**
 * Encrypts `plaintext`; returns `prefix || ciphertext || tag` (the prefix,
 * e.g. the SFrame header, saves the caller a copy of the whole frame).
 */
export async function aeadEncrypt(
  key: AeadKey,
  nonce: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
  prefix?: Uint8Array,
): Promise<Uint8Array> {
  const suite = key.suite;
  checkNonce(suite, nonce);
  const pre = prefix?.length ?? 0;
  const s = subtle();
  if (suite.aead === 'aes-gcm') {
    const sealed = await s.encrypt(
      { name: 'AES-GCM', iv: bytes(nonce), additionalData: bytes(aad), tagLength: 128 },
      key.encKey,
      bytes(plaintext),
    );
    if (pre === 0) return new Uint8Array(sealed);
    const out = new Uint8Array(pre + sealed.byteLength);
    out.set(prefix!, 0);
    out.set(new Uint8Array(sealed), pre);
    return out;
  }
  const ct = new Uint8Array(await s.encrypt(ctrParams(nonce), key.encKey, bytes(plaintext)));
  const tag = await ctrHmacTag(key, nonce, aad, ct);
  const out = new Uint8Array(pre + ct.length + suite.Nt);
  if (pre > 0) out.set(prefix!, 0);
  out.set(ct, pre);
  out.set(tag, pre + ct.length);
  return out;
}

/** Compares two equal-length byte strings without an early exit. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * Verifies and decrypts `ciphertext || tag`. Throws `SFrameError('auth-failed')`
 * when the tag does not verify (nothing is decrypted in that case).
 */
export async function aeadDecrypt(key: AeadKey, nonce: Uint8Array, aad: Uint8Array, ciphertextAndTag: Uint8Array): Promise<Uint8Array> {
  const suite = key.suite;
  checkNonce(suite, nonce);
  if (ciphertextAndTag.length < suite.Nt) {
    throw new SFrameError('auth-failed', `ciphertext shorter than the ${suite.Nt}-byte tag`);
  }
  const s = subtle();
  if (suite.aead === 'aes-gcm') {
    try {
      const pt = await s.decrypt(
        { name: 'AES-GCM', iv: bytes(nonce), additionalData: bytes(aad), tagLength: 128 },
        key.encKey,
        bytes(ciphertextAndTag),
      );
      return new Uint8Array(pt);
    } catch (cause) {
      throw new SFrameError('auth-failed', 'AES-GCM tag did not verify', undefined, { cause });
    }
  }
  const ctLen = ciphertextAndTag.length - suite.Nt;
  const ct = ciphertextAndTag.subarray(0, ctLen);
  const tag = ciphertextAndTag.subarray(ctLen);
  const expected = await ctrHmacTag(key, nonce, aad, ct);
  if (!equalBytes(expected, tag)) {
    throw new SFrameError('auth-failed', 'HMAC tag did not verify');
  }
  return new Uint8Array(await s.decrypt(ctrParams(nonce), key.encKey, bytes(ct)));
}
