/**
 * The argon2id salt of a passphrase meeting (meeting-secret.ts). The
 * second generation's derivations are in ../group/ (HKDF-SHA256, MLS).
 */
import { LABEL_PASSPHRASE_SALT } from './labels.js';
import { lib } from './sodium.js';
import { Writer } from './encoding.js';

/**
 * Argon2id salt bound to the room: the first 16 bytes of unkeyed
 * BLAKE2b-256(len-prefixed label ‖ len-prefixed roomId). Public by design;
 * it only has to differ between rooms.
 */
export function passphraseSalt(roomId: string, saltBytes: number): Uint8Array {
  const input = new Writer().str(LABEL_PASSPHRASE_SALT).str(roomId).finish();
  return lib().crypto_generichash(32, input, null).slice(0, saltBytes);
}
