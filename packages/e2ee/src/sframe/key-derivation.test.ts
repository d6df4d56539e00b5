import { describe, expect, it } from 'vitest';
import { loadVectors, toHex } from '../../test/rfc9605-vectors.js';
import { cipherSuite } from './cipher-suites.js';
import { deriveKeyMaterial, hkdfExpand, hkdfExtract, sframeKeyLabel, sframeSaltLabel, splitCtrHmacKey } from './key-derivation.js';

const { sframe, aes_ctr_hmac } = loadVectors();

describe('key derivation: RFC 9605 vectors', () => {
  it.each(sframe.map((v) => [v.cipher_suite, v]))('suite %i', async (_s, v) => {
    expect(toHex(sframeKeyLabel(v.cipher_suite, v.kid))).toBe(toHex(v.sframe_key_label));
    expect(toHex(sframeSaltLabel(v.cipher_suite, v.kid))).toBe(toHex(v.sframe_salt_label));
    const m = await deriveKeyMaterial(v.cipher_suite, v.base_key, v.kid);
    expect(toHex(m.secret)).toBe(toHex(v.sframe_secret));
    expect(toHex(m.key)).toBe(toHex(v.sframe_key));
    expect(toHex(m.salt)).toBe(toHex(v.sframe_salt));
  });

  it('matches WebCrypto’s own HKDF', async () => {
    for (const v of sframe) {
      const suite = cipherSuite(v.cipher_suite);
      const ikm = await crypto.subtle.importKey('raw', v.base_key as Uint8Array<ArrayBuffer>, 'HKDF', false, ['deriveBits']);
      const bits = await crypto.subtle.deriveBits(
        { name: 'HKDF', hash: suite.hash, salt: new Uint8Array(0), info: v.sframe_key_label as Uint8Array<ArrayBuffer> },
        ikm,
        suite.Nk * 8,
      );
      expect(toHex(new Uint8Array(bits))).toBe(toHex(v.sframe_key));
    }
  });

  it('HKDF matches RFC 5869 test case 1', async () => {
    const ikm = new Uint8Array(22).fill(0x0b);
    const salt = Uint8Array.from({ length: 13 }, (_, i) => i);
    const info = Uint8Array.from({ length: 10 }, (_, i) => 0xf0 + i);
    const prk = await hkdfExtract('SHA-256', salt, ikm);
    expect(toHex(prk)).toBe('077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5');
    const okm = await hkdfExpand('SHA-256', prk, info, 42);
    expect(toHex(okm)).toBe('3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865');
  });

  it('splits CTR+HMAC keys into enc_key and auth_key', () => {
    for (const v of aes_ctr_hmac) {
      const { encKey, authKey } = splitCtrHmacKey(v.cipher_suite, v.key);
      expect(toHex(encKey)).toBe(toHex(v.enc_key));
      expect(toHex(authKey)).toBe(toHex(v.auth_key));
    }
    expect(() => splitCtrHmacKey(4, new Uint8Array(16))).toThrow();
    expect(() => splitCtrHmacKey(1, new Uint8Array(47))).toThrow();
  });

  it('refuses an empty base key and out-of-range KIDs', async () => {
    await expect(deriveKeyMaterial(4, new Uint8Array(0), 1n)).rejects.toThrow();
    await expect(deriveKeyMaterial(4, new Uint8Array(16), -1n)).rejects.toThrow();
    await expect(deriveKeyMaterial(4, new Uint8Array(16), 1n << 64n)).rejects.toThrow();
  });
});
