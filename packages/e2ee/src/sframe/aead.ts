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
 * reused for every frame. Decryption returns nothing unless the tag verified,
 * and fails with `SFrameError('auth-failed')`.
 *
 * Per frame the hot path (`aeadEncryptInto`, `aeadDecrypt` with `out`)
 * allocates only what WebCrypto returns, the caller's output buffer and, for
 * CTR+HMAC, the HMAC input; see place-bytes.ts for how it copies.
 */
import { cipherSuite, type CipherSuite } from './cipher-suites.js';
import { SFrameError } from './errors.js';
import { splitCtrHmacKey } from './key-derivation.js';
import { fastCopyPad, placeBytes } from './place-bytes.js';
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

/** Checks that `out` ends exactly `length` bytes after `offset`. */
function checkOut(out: Uint8Array, offset: number, length: number): void {
  if (!Number.isInteger(offset) || offset < 0 || out.length !== offset + length) {
    throw new SFrameError('invalid-argument', `output buffer must end ${length} bytes after offset ${offset}`);
  }
}

/**
 * The bytes HMAC'd by a CTR+HMAC suite (§4.5.1), in one buffer with 16 spare
 * bytes after them for the AES-CTR initial counter block (`nonce || 0^32`),
 * so each frame allocates one buffer for both. Lengths, nonce and aad are
 * written at once (so the caller's buffers are free again when the AEAD
 * call returns its promise); the ciphertext is left for the caller, who
 * copies it from a view at `ctByteOffset` (the buffer is padded in front so
 * that copy is a fast one, see placeBytes).
 */
interface AuthData {
  /** len(aad) || len(ct) || Nt || nonce || aad || ct. */
  readonly data: Uint8Array;
  /** Where ct starts in `data`. */
  readonly ctOffset: number;
  readonly counter: Uint8Array;
}

function authData(suite: CipherSuite, nonce: Uint8Array, aad: Uint8Array, ctLength: number, ctByteOffset: number): AuthData {
  const ctOffset = 24 + nonce.length + aad.length;
  const pad = fastCopyPad(ctOffset, ctByteOffset, ctLength);
  const buf = new Uint8Array(pad + ctOffset + ctLength + 16);
  const data = buf.subarray(pad, pad + ctOffset + ctLength);
  writeU64(data, 0, aad.length);
  writeU64(data, 8, ctLength);
  writeU64(data, 16, suite.Nt);
  data.set(nonce, 24);
  data.set(aad, 24 + nonce.length);
  const counter = buf.subarray(pad + ctOffset + ctLength);
  counter.set(nonce, 0); // Nn = 12, then four zero bytes
  return { data, ctOffset, counter };
}

function ctrParams(counter: Uint8Array): AesCtrParams {
  return { name: 'AES-CTR', counter: bytes(counter), length: 32 };
}

function gcmParams(nonce: Uint8Array, aad: Uint8Array): AesGcmParams {
  return { name: 'AES-GCM', iv: bytes(nonce), additionalData: bytes(aad), tagLength: 128 };
}

/**
 * Encrypts `plaintext` and writes `ciphertext || tag` into `out` at `offset`;
 * `out` must end right after it. Hot-path form of `aeadEncrypt`: the caller
 * allocates the frame's output buffer once, with room in front for what goes
 * before the SFrame.
 *
 * `nonce` and `aad` are read before this first awaits: the caller may reuse
 * their buffers as soon as it has the promise. The bytes before `offset` may
 * be overwritten (see placeBytes): the caller writes its prefix after this
 * resolves.
 */
export async function aeadEncryptInto(
  key: AeadKey,
  nonce: Uint8Array,
  aad: Uint8Array,
  plaintext: Uint8Array,
  out: Uint8Array,
  offset: number,
): Promise<void> {
  const suite = key.suite;
  checkNonce(suite, nonce);
  checkOut(out, offset, plaintext.length + suite.Nt);
  const s = subtle();
  if (suite.aead === 'aes-gcm') {
    const sealed = await s.encrypt(gcmParams(nonce, aad), key.encKey, bytes(plaintext));
    placeBytes(out, offset, new Uint8Array(sealed));
    return;
  }
  const auth = authData(suite, nonce, aad, plaintext.length, 0); // WebCrypto's output starts its buffer
  const ct = new Uint8Array(await s.encrypt(ctrParams(auth.counter), key.encKey, bytes(plaintext)));
  auth.data.set(ct, auth.ctOffset);
  const mac = await s.sign('HMAC', key.authKey!, bytes(auth.data));
  placeBytes(out, offset, ct);
  out.set(new Uint8Array(mac, 0, suite.Nt), offset + ct.length);
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
  if (pre === 0 && suite.aead === 'aes-gcm') {
    // WebCrypto's own output is the answer: no copy.
    return new Uint8Array(await subtle().encrypt(gcmParams(nonce, aad), key.encKey, bytes(plaintext)));
  }
  const out = new Uint8Array(pre + plaintext.length + suite.Nt);
  await aeadEncryptInto(key, nonce, aad, plaintext, out, pre);
  if (pre > 0) out.set(prefix!, 0);
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
 * Verifies and decrypts `ciphertext || tag`; returns the plaintext in a
 * buffer of its own, or, with `out`, writes it there at `offset` (`out` must
 * end right after it; the bytes before `offset` may be overwritten, see
 * placeBytes) and returns `out`. Throws `SFrameError('auth-failed')` when
 * the tag does not verify, and then nothing is returned or written to `out`.
 *
 * CTR+HMAC suites compute the HMAC and the AES-CTR pass together (one wait
 * instead of two); the plaintext is released only after the tag compared
 * equal, and wiped otherwise. `nonce` and `aad` are read before this first
 * awaits, as in `aeadEncryptInto`.
 */
export async function aeadDecrypt(
  key: AeadKey,
  nonce: Uint8Array,
  aad: Uint8Array,
  ciphertextAndTag: Uint8Array,
  out?: Uint8Array,
  offset = 0,
): Promise<Uint8Array> {
  const suite = key.suite;
  checkNonce(suite, nonce);
  if (ciphertextAndTag.length < suite.Nt) {
    throw new SFrameError('auth-failed', `ciphertext shorter than the ${suite.Nt}-byte tag`);
  }
  const ctLen = ciphertextAndTag.length - suite.Nt;
  if (out) checkOut(out, offset, ctLen);
  const s = subtle();
  let pt: Uint8Array;
  if (suite.aead === 'aes-gcm') {
    try {
      pt = new Uint8Array(await s.decrypt(gcmParams(nonce, aad), key.encKey, bytes(ciphertextAndTag)));
    } catch (cause) {
      throw new SFrameError('auth-failed', 'AES-GCM tag did not verify', undefined, { cause });
    }
  } else {
    const ct = ciphertextAndTag.subarray(0, ctLen);
    const tag = ciphertextAndTag.subarray(ctLen);
    const auth = authData(suite, nonce, aad, ctLen, ct.byteOffset);
    auth.data.set(ct, auth.ctOffset);
    const [mac, decrypted] = await Promise.all([
      s.sign('HMAC', key.authKey!, bytes(auth.data)),
      s.decrypt(ctrParams(auth.counter), key.encKey, bytes(ct)),
    ]);
    pt = new Uint8Array(decrypted);
    if (!equalBytes(new Uint8Array(mac, 0, suite.Nt), tag)) {
      pt.fill(0);
      throw new SFrameError('auth-failed', 'HMAC tag did not verify');
    }
  }
  if (!out) return pt;
  placeBytes(out, offset, pt);
  return out;
}
