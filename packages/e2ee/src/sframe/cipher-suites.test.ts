import { describe, expect, it } from 'vitest';
import { CIPHER_SUITES, cipherSuite } from './cipher-suites.js';
import { SFrameError } from './errors.js';

describe('cipher suites', () => {
  it('lists the five RFC 9605 suites with their sizes', () => {
    expect(CIPHER_SUITES.map((s) => [s.id, s.name, s.Nh, s.Nk, s.Nn, s.Nt])).toEqual([
      [1, 'AES_128_CTR_HMAC_SHA256_80', 32, 48, 12, 10],
      [2, 'AES_128_CTR_HMAC_SHA256_64', 32, 48, 12, 8],
      [3, 'AES_128_CTR_HMAC_SHA256_32', 32, 48, 12, 4],
      [4, 'AES_128_GCM_SHA256_128', 32, 16, 12, 16],
      [5, 'AES_256_GCM_SHA512_128', 64, 32, 12, 16],
    ]);
    expect(cipherSuite(5).hash).toBe('SHA-512');
    expect(cipherSuite(2).aead).toBe('aes-ctr-hmac');
    expect(cipherSuite(1).Nka).toBe(16);
  });

  it('refuses unknown suites', () => {
    for (const id of [0, 6, 0xf000, -1, 1.5]) {
      expect(() => cipherSuite(id)).toThrow(SFrameError);
    }
  });
});
