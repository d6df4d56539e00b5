import { describe, expect, it } from 'vitest';
import { loadVectors, toHex } from '../../test/rfc9605-vectors.js';
import { aeadDecrypt, aeadEncrypt, importAeadKey } from './aead.js';
import { SFrameError } from './errors.js';

const { aes_ctr_hmac } = loadVectors();

describe('AES-CTR+HMAC: RFC 9605 vectors', () => {
  it.each(aes_ctr_hmac.map((v) => [v.cipher_suite, v]))('suite %i', async (_s, v) => {
    const key = await importAeadKey(v.cipher_suite, v.key);
    const ct = await aeadEncrypt(key, v.nonce, v.aad, v.pt);
    expect(toHex(ct)).toBe(toHex(v.ct));
    expect(toHex(await aeadDecrypt(key, v.nonce, v.aad, v.ct))).toBe(toHex(v.pt));
    const withPrefix = await aeadEncrypt(key, v.nonce, v.aad, v.pt, Uint8Array.of(1, 2, 3));
    expect(toHex(withPrefix)).toBe('010203' + toHex(v.ct));
  });

  it.each(aes_ctr_hmac.map((v) => [v.cipher_suite, v]))('suite %i rejects every altered byte', async (_s, v) => {
    const key = await importAeadKey(v.cipher_suite, v.key);
    for (let i = 0; i < v.ct.length; i++) {
      const bad = v.ct.slice();
      bad[i]! ^= 0x01;
      await expect(aeadDecrypt(key, v.nonce, v.aad, bad)).rejects.toMatchObject({ code: 'auth-failed' });
    }
    const badAad = v.aad.slice();
    badAad[0]! ^= 0x80;
    await expect(aeadDecrypt(key, v.nonce, badAad, v.ct)).rejects.toBeInstanceOf(SFrameError);
    const badNonce = v.nonce.slice();
    badNonce[11]! ^= 1;
    await expect(aeadDecrypt(key, badNonce, v.aad, v.ct)).rejects.toMatchObject({ code: 'auth-failed' });
    await expect(aeadDecrypt(key, v.nonce, v.aad, v.ct.subarray(0, 3))).rejects.toMatchObject({ code: 'auth-failed' });
  });

  it('refuses wrong key and nonce sizes', async () => {
    await expect(importAeadKey(1, new Uint8Array(16))).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(importAeadKey(4, new Uint8Array(48))).rejects.toMatchObject({ code: 'invalid-argument' });
    const key = await importAeadKey(4, new Uint8Array(16));
    await expect(aeadEncrypt(key, new Uint8Array(8), new Uint8Array(0), new Uint8Array(1))).rejects.toMatchObject({
      code: 'invalid-argument',
    });
  });
});
