/**
 * The key derivation function of the key schedule:
 *
 *   KDF(key, label) = BLAKE2b-256(key = key, message = UTF-8(label))
 *
 * i.e. libsodium `crypto_generichash(32, label, key)`. Keyed BLAKE2b is a PRF
 * (it is libsodium's MAC/KDF building block), so outputs for distinct labels
 * are independent, and BLAKE2b has no length-extension property, so a label
 * that is a prefix of another is harmless (ours are all distinct anyway).
 *
 * Why not `crypto_kdf_derive_from_key`? It is the same BLAKE2b underneath,
 * but its context is exactly 8 bytes plus a 64-bit subkey id, which would
 * force our readable, versioned labels ("conclave/v1/ratchet") into 8-byte
 * codes. Keyed BLAKE2b with the whole label as message keeps the labels
 * self-describing and is easy to reproduce in any BLAKE2b implementation.
 */
import { LABEL_PASSPHRASE_SALT } from './labels.js';
import { lib } from './sodium.js';
import { Writer } from './encoding.js';

export const KEY_BYTES = 32;

/** KDF(key, label): 32 bytes. The key must be 32 bytes (all our keys are). */
export function kdf(key: Uint8Array, label: string): Uint8Array {
  if (key.length !== KEY_BYTES) throw new RangeError(`KDF key must be ${KEY_BYTES} bytes, got ${key.length}`);
  if (label.length === 0) throw new RangeError('KDF label must not be empty');
  return lib().crypto_generichash(KEY_BYTES, label, key);
}

/**
 * Argon2id salt bound to the room: the first 16 bytes of unkeyed
 * BLAKE2b-256(len-prefixed label ‖ len-prefixed roomId). Public by design;
 * it only has to differ between rooms.
 */
export function passphraseSalt(roomId: string, saltBytes: number): Uint8Array {
  const input = new Writer().str(LABEL_PASSPHRASE_SALT).str(roomId).finish();
  return lib().crypto_generichash(32, input, null).slice(0, saltBytes);
}
