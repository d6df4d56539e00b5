/**
 * Whether a private key belongs to a public key, for the MLS vectors that give
 * both: HPKE by sealing to the public key and opening with the private one,
 * signatures by signing with the private key and verifying with the public
 * one. Test support only; not part of the build.
 */
import type { CiphersuiteImpl } from 'ts-mls/crypto/ciphersuite.js';
import type { Hpke } from 'ts-mls/crypto/hpke.js';

export async function hpkeKeysMatch(publicKey: Uint8Array, privateKey: Uint8Array, hpke: Hpke): Promise<boolean> {
  const plaintext = new TextEncoder().encode('key check');
  const info = new TextEncoder().encode('mls interop vectors');
  const { ct, enc } = await hpke.seal(await hpke.importPublicKey(publicKey), plaintext, info);
  try {
    const opened = await hpke.open(await hpke.importPrivateKey(privateKey), enc, ct, info);
    return new TextDecoder().decode(opened) === 'key check';
  } catch {
    return false;
  }
}

export async function signatureKeysMatch(publicKey: Uint8Array, privateKey: Uint8Array, impl: CiphersuiteImpl): Promise<boolean> {
  const message = new TextEncoder().encode('mls interop vectors: key check');
  const signature = await impl.signature.sign(privateKey, message);
  return impl.signature.verify(publicKey, message, signature);
}
