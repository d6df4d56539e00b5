/**
 * Admission: who may be added to a meeting's group. A newcomer proves it
 * holds the link key (`#k=`, 32 random bytes the server never sees) with a
 * MAC over its KeyPackage and the room id:
 *
 *   admission_key = HKDF-SHA256(ikm = link key, salt = "", info = "conclave/v2/admission", 32)
 *   proof         = HMAC-SHA256(admission_key, len(room id) ‖ room id ‖ KeyPackage bytes)
 *
 * The committer checks it before adding anyone. The link key has 256 bits,
 * so a server that sees proofs has nothing to guess offline. (Passphrase
 * meetings stretch the passphrase into the same 32 bytes with argon2id
 * first; the next generation replaces that with a PAKE.)
 *
 * The proof binds the KeyPackage, hence the credential (peer id, name) and
 * the signature key in it: the server cannot move a proof to another
 * KeyPackage. It can replay a whole (KeyPackage, proof) pair; that can only
 * add the member who made it, as a visible tile, and committers refuse a
 * KeyPackage they have already added once.
 */
import { equalBytes } from '@noble/ciphers/utils.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';

export const LINK_KEY_BYTES = 32;
export const ADMISSION_PROOF_BYTES = 32;
const LABEL_ADMISSION = new TextEncoder().encode('conclave/v2/admission');

export type AdmissionKey = Uint8Array & { readonly __admissionKey: unique symbol };

export function admissionKey(linkKey: Uint8Array): AdmissionKey {
  if (linkKey.length !== LINK_KEY_BYTES) throw new RangeError(`link key must be ${LINK_KEY_BYTES} bytes, got ${linkKey.length}`);
  return hkdf(sha256, linkKey, undefined, LABEL_ADMISSION, 32) as AdmissionKey;
}

function proofInput(roomId: string, keyPackage: Uint8Array): Uint8Array {
  const room = new TextEncoder().encode(roomId);
  if (room.length > 255) throw new RangeError('room id too long');
  const out = new Uint8Array(1 + room.length + keyPackage.length);
  out[0] = room.length;
  out.set(room, 1);
  out.set(keyPackage, 1 + room.length);
  return out;
}

export function proveAdmission(key: AdmissionKey, roomId: string, keyPackage: Uint8Array): Uint8Array {
  return hmac(sha256, key, proofInput(roomId, keyPackage));
}

/** Constant-time check of a newcomer's proof. */
export function checkAdmission(key: AdmissionKey, roomId: string, keyPackage: Uint8Array, proof: Uint8Array): boolean {
  if (proof.length !== ADMISSION_PROOF_BYTES) return false;
  return equalBytes(proveAdmission(key, roomId, keyPackage), proof);
}
