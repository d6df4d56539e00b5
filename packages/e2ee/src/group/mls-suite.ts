/**
 * The one MLS cipher suite Conclave's groups use, RFC 9420's mandatory one:
 * MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519 (X25519 HPKE, AES-128-GCM,
 * SHA-256, Ed25519). WebCrypto does the AEAD and hashing; the curves come
 * from @noble via ts-mls. Loaded once per page or Worker.
 */
import { getCiphersuiteFromName, getCiphersuiteImpl, type CiphersuiteImpl } from 'ts-mls';

export const MLS_SUITE_NAME = 'MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519' as const;

let suite: Promise<CiphersuiteImpl> | undefined;

export function mlsSuite(): Promise<CiphersuiteImpl> {
  suite ??= getCiphersuiteImpl(getCiphersuiteFromName(MLS_SUITE_NAME));
  return suite;
}
