/**
 * The cipher suites of RFC 9605 §4.5 / §8.1 and their sizes, in bytes:
 * Nh (hash output), Nka (AES key part of a CTR+HMAC key), Nk (AEAD key),
 * Nn (nonce), Nt (tag).
 *
 * 0x0001–0x0003 are AES-128-CTR with a truncated HMAC-SHA256 tag (the
 * construction of §4.5.1), 0x0004 and 0x0005 are AES-GCM.
 */
import { SFrameError } from './errors.js';

export type AeadKind = 'aes-ctr-hmac' | 'aes-gcm';
export type HashName = 'SHA-256' | 'SHA-512';

export interface CipherSuite {
  /** IANA value, e.g. 0x0004. */
  readonly id: number;
  readonly name: string;
  readonly aead: AeadKind;
  /** Hash used by HKDF (and by the HMAC of CTR+HMAC suites). */
  readonly hash: HashName;
  readonly Nh: number;
  /** AES key length inside a CTR+HMAC key; equals Nk for GCM suites. */
  readonly Nka: number;
  readonly Nk: number;
  readonly Nn: number;
  readonly Nt: number;
}

export const AES_128_CTR_HMAC_SHA256_80 = 0x0001;
export const AES_128_CTR_HMAC_SHA256_64 = 0x0002;
export const AES_128_CTR_HMAC_SHA256_32 = 0x0003;
export const AES_128_GCM_SHA256_128 = 0x0004;
export const AES_256_GCM_SHA512_128 = 0x0005;

function ctrHmac(id: number, name: string, Nt: number): CipherSuite {
  return Object.freeze({ id, name, aead: 'aes-ctr-hmac', hash: 'SHA-256', Nh: 32, Nka: 16, Nk: 48, Nn: 12, Nt });
}

const SUITES: ReadonlyMap<number, CipherSuite> = new Map(
  [
    ctrHmac(AES_128_CTR_HMAC_SHA256_80, 'AES_128_CTR_HMAC_SHA256_80', 10),
    ctrHmac(AES_128_CTR_HMAC_SHA256_64, 'AES_128_CTR_HMAC_SHA256_64', 8),
    ctrHmac(AES_128_CTR_HMAC_SHA256_32, 'AES_128_CTR_HMAC_SHA256_32', 4),
    Object.freeze<CipherSuite>({
      id: AES_128_GCM_SHA256_128,
      name: 'AES_128_GCM_SHA256_128',
      aead: 'aes-gcm',
      hash: 'SHA-256',
      Nh: 32,
      Nka: 16,
      Nk: 16,
      Nn: 12,
      Nt: 16,
    }),
    Object.freeze<CipherSuite>({
      id: AES_256_GCM_SHA512_128,
      name: 'AES_256_GCM_SHA512_128',
      aead: 'aes-gcm',
      hash: 'SHA-512',
      Nh: 64,
      Nka: 32,
      Nk: 32,
      Nn: 12,
      Nt: 16,
    }),
  ].map((s) => [s.id, s] as const),
);

/** Every supported suite, in IANA order. */
export const CIPHER_SUITES: readonly CipherSuite[] = Object.freeze([...SUITES.values()]);

/** The suite with IANA value `id`; throws `unknown-suite` otherwise. */
export function cipherSuite(id: number): CipherSuite {
  const s = SUITES.get(id);
  if (!s) throw new SFrameError('unknown-suite', `unknown SFrame cipher suite 0x${id.toString(16).padStart(4, '0')}`);
  return s;
}
