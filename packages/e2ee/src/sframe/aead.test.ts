import { describe, expect, it } from 'vitest';
import { loadVectors, toHex } from '../../test/rfc9605-vectors.js';
import { aeadDecrypt, aeadEncrypt, aeadEncryptInto, importAeadKey } from './aead.js';
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

describe('AEAD into a caller buffer (the per-frame path)', () => {
  it.each(aes_ctr_hmac.map((v) => [v.cipher_suite, v]))(
    'suite %i: same bytes, with nonce and aad as views into the output',
    async (_s, v) => {
      const key = await importAeadKey(v.cipher_suite, v.key);
      for (const at of [0, 5, 13]) {
        const out = new Uint8Array(at + v.ct.length).fill(0xee);
        // Nonce and AAD placed in the area the ciphertext will overwrite, as sframe.ts does when it fits.
        const room = out.subarray(at);
        const fits = room.length >= v.nonce.length + v.aad.length;
        const nonce = fits ? room.subarray(0, v.nonce.length) : v.nonce.slice();
        const aad = fits ? room.subarray(v.nonce.length, v.nonce.length + v.aad.length) : v.aad.slice();
        nonce.set(v.nonce);
        aad.set(v.aad);
        await aeadEncryptInto(key, nonce, aad, v.pt, out, at);
        expect(toHex(out.subarray(at))).toBe(toHex(v.ct));

        const back = new Uint8Array(at + v.pt.length);
        const opened = await aeadDecrypt(key, v.nonce, v.aad, v.ct, back, at);
        expect(opened).toBe(back);
        expect(toHex(back.subarray(at))).toBe(toHex(v.pt));
      }
    },
  );

  it('AES-GCM: into a buffer equals the plain call, for small and large inputs', async () => {
    const key = await importAeadKey(4, new Uint8Array(16).fill(4));
    const nonce = new Uint8Array(12).fill(1);
    const aad = Uint8Array.of(1, 2, 3);
    for (const n of [0, 7, 300, 10_001]) {
      const pt = Uint8Array.from({ length: n }, (_, i) => i & 0xff);
      const expected = await aeadEncrypt(key, nonce, aad, pt);
      const out = new Uint8Array(9 + n + 16);
      await aeadEncryptInto(key, nonce, aad, pt, out, 9);
      expect(toHex(out.subarray(9))).toBe(toHex(expected));
      const back = new Uint8Array(3 + n);
      await aeadDecrypt(key, nonce, aad, expected, back, 3);
      expect(toHex(back.subarray(3))).toBe(toHex(pt));
    }
  });

  it('refuses an output buffer of the wrong length', async () => {
    const key = await importAeadKey(4, new Uint8Array(16));
    const nonce = new Uint8Array(12);
    await expect(aeadEncryptInto(key, nonce, new Uint8Array(0), new Uint8Array(4), new Uint8Array(21), 0)).rejects.toMatchObject({
      code: 'invalid-argument',
    });
    const ct = await aeadEncrypt(key, nonce, new Uint8Array(0), new Uint8Array(4));
    await expect(aeadDecrypt(key, nonce, new Uint8Array(0), ct, new Uint8Array(5), 0)).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  it.each([1, 2, 3, 4, 5])('suite %i: a forged frame writes nothing into the output buffer', async (suite) => {
    const key = await importAeadKey(suite, new Uint8Array(suite <= 3 ? 48 : suite === 4 ? 16 : 32).fill(2));
    const nonce = new Uint8Array(12).fill(3);
    const pt = new Uint8Array(400).fill(0x55);
    const ct = await aeadEncrypt(key, nonce, new Uint8Array(0), pt);
    ct[0]! ^= 1;
    const out = new Uint8Array(2 + pt.length).fill(0xee);
    await expect(aeadDecrypt(key, nonce, new Uint8Array(0), ct, out, 2)).rejects.toMatchObject({ code: 'auth-failed' });
    expect(out.every((b) => b === 0xee)).toBe(true);
  });
});
