/**
 * An SFrame key ready for per-frame use: the (suite, KID) pair, its imported
 * AEAD CryptoKeys and its salt. Built once per base key and KID by
 * `importSFrameKey` (derive with HKDF, import, then zero the raw key bytes);
 * senders and receivers cache it for as long as the KID is in use.
 */
import { cipherSuite, type CipherSuite } from './cipher-suites.js';
import { importAeadKey, type AeadKey } from './aead.js';
import { deriveKeyMaterial } from './key-derivation.js';

export interface SFrameKey {
  readonly suite: CipherSuite;
  readonly kid: bigint;
  readonly aead: AeadKey;
  /** sframe_salt (Nn bytes). Not secret on its own, but never shared. */
  readonly salt: Uint8Array;
}

/** Derives sframe_key/sframe_salt for `kid` from `baseKey` and imports the key. */
export async function importSFrameKey(suiteId: number, baseKey: Uint8Array, kid: bigint): Promise<SFrameKey> {
  const suite = cipherSuite(suiteId);
  const material = await deriveKeyMaterial(suiteId, baseKey, kid);
  try {
    const aead = await importAeadKey(suiteId, material.key);
    return Object.freeze({ suite, kid, aead, salt: material.salt });
  } finally {
    material.key.fill(0);
    material.secret.fill(0);
  }
}
