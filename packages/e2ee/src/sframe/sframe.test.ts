import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadVectors, toHex } from '../../test/rfc9605-vectors.js';
import { CIPHER_SUITES, cipherSuite } from './cipher-suites.js';
import { SFrameError } from './errors.js';
import { decodeHeader, encodeHeader, MAX_HEADER_VALUE } from './header.js';
import { deriveKeyMaterial } from './key-derivation.js';
import { buildAad, computeNonce, decryptWithKey, encryptWithKey, sframeDecrypt, sframeEncrypt } from './sframe.js';
import { importSFrameKey } from './sframe-key.js';

const { sframe: vectors } = loadVectors();

describe('SFrame: RFC 9605 vectors', () => {
  it.each(vectors.map((v) => [v.cipher_suite, v]))('suite %i: nonce, aad, ciphertext, round trip', async (_s, v) => {
    const { salt } = await deriveKeyMaterial(v.cipher_suite, v.base_key, v.kid);
    expect(toHex(computeNonce(salt, v.ctr))).toBe(toHex(v.nonce));
    expect(toHex(buildAad(encodeHeader(v.kid, v.ctr), v.metadata))).toBe(toHex(v.aad));

    const ct = await sframeEncrypt(v.cipher_suite, v.base_key, v.kid, v.ctr, v.metadata, v.pt);
    expect(toHex(ct)).toBe(toHex(v.ct));

    const out = await sframeDecrypt(v.cipher_suite, v.base_key, v.metadata, v.ct);
    expect(out.kid).toBe(v.kid);
    expect(out.ctr).toBe(v.ctr);
    expect(toHex(out.plaintext)).toBe(toHex(v.pt));
  });
});

describe('SFrame: output with a prefix (the codec bytes that go in front)', () => {
  const prefix = Uint8Array.from({ length: 11 }, (_, i) => 0xa0 + i);

  it.each(vectors.map((v) => [v.cipher_suite, v]))('suite %i: prefix || the vector bytes, either way round', async (_s, v) => {
    const key = await importSFrameKey(v.cipher_suite, v.base_key, v.kid);
    expect(toHex(await encryptWithKey(key, v.ctr, v.metadata, v.pt))).toBe(toHex(v.ct));
    expect(toHex(await encryptWithKey(key, v.ctr, v.metadata, v.pt, prefix))).toBe(toHex(prefix) + toHex(v.ct));
    let asked = -1;
    const viaFunction = await encryptWithKey(key, v.ctr, v.metadata, v.pt, (n) => {
      asked = n;
      return prefix;
    });
    expect(asked).toBe(v.ct.length);
    expect(toHex(viaFunction)).toBe(toHex(prefix) + toHex(v.ct));
    const header = decodeHeader(v.ct);
    expect(toHex(await decryptWithKey(key, header, v.metadata, v.ct))).toBe(toHex(v.pt));
    const restored = await decryptWithKey(key, header, v.metadata, v.ct, prefix);
    expect(toHex(restored)).toBe(toHex(prefix) + toHex(v.pt));
    expect(restored.byteLength).toBe(restored.buffer.byteLength); // one exact buffer, usable as a frame's data
  });

  it('equals prefix || the unprefixed SFrame for any sizes, and decrypts back (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...suiteIds),
        smallOrLarge,
        fc.uint8Array({ maxLength: 24 }),
        fc.uint8Array({ maxLength: 40 }),
        fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 256, maxLength: 5000 })),
        async (suite, ctr, pre, metadata, plaintext) => {
          const key = await importSFrameKey(suite, new Uint8Array(16).fill(5), 0x1_0002n);
          const bare = await encryptWithKey(key, ctr, metadata, plaintext);
          const joined = await encryptWithKey(key, ctr, metadata, plaintext, pre);
          expect(toHex(joined)).toBe(toHex(pre) + toHex(bare));
          expect(joined.byteLength).toBe(joined.buffer.byteLength);
          const header = decodeHeader(bare);
          const restored = await decryptWithKey(key, header, metadata, joined.subarray(pre.length), pre);
          expect(toHex(restored)).toBe(toHex(pre) + toHex(plaintext));
          const bad = joined.slice(pre.length);
          bad[bad.length - 1]! ^= 1;
          await expect(decryptWithKey(key, header, metadata, bad, pre)).rejects.toMatchObject({ code: 'auth-failed' });
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('SFrame: frames encrypted concurrently', () => {
  // sframe.ts builds each frame's nonce and AAD in one buffer that the next
  // frame reuses, relying on WebCrypto copying its inputs when called.
  it.each(suiteIds)('suite %i: the same bytes as one at a time, with varying header and metadata lengths', async (suite) => {
    const key = await importSFrameKey(suite, new Uint8Array(16).fill(8), 0x1_0002n);
    const frames = Array.from({ length: 40 }, (_, i) => ({
      ctr: BigInt(i * 37) ** 3n, // header lengths 1..5 bytes of CTR
      metadata: new Uint8Array(i % 7).fill(i),
      plaintext: new Uint8Array(i % 3 === 0 ? 5000 : 60 + i).fill(255 - i),
    }));
    const together = await Promise.all(frames.map((f) => encryptWithKey(key, f.ctr, f.metadata, f.plaintext, Uint8Array.of(1, 2))));
    for (const [i, f] of frames.entries()) {
      expect(toHex(together[i]!)).toBe(toHex(await encryptWithKey(key, f.ctr, f.metadata, f.plaintext, Uint8Array.of(1, 2))));
    }
    const opened = await Promise.all(
      frames.map((f, i) => {
        const sf = together[i]!.subarray(2);
        return decryptWithKey(key, decodeHeader(sf), f.metadata, sf, f.metadata);
      }),
    );
    for (const [i, f] of frames.entries()) expect(toHex(opened[i]!)).toBe(toHex(f.metadata) + toHex(f.plaintext));
  });
});

describe('SFrame: nonce', () => {
  it('XORs the 64-bit counter into the last 8 bytes of the salt', () => {
    const salt = Uint8Array.from({ length: 12 }, (_, i) => i * 17);
    const n = computeNonce(salt, MAX_HEADER_VALUE);
    expect(toHex(n.subarray(0, 4))).toBe(toHex(salt.subarray(0, 4)));
    for (let i = 4; i < 12; i++) expect(n[i]).toBe(salt[i]! ^ 0xff);
    expect(toHex(computeNonce(salt, 0n))).toBe(toHex(salt));
    expect(computeNonce(salt, 0x0102030405060708n)[11]).toBe(salt[11]! ^ 0x08);
    expect(computeNonce(salt, 0x0102030405060708n)[4]).toBe(salt[4]! ^ 0x01);
  });
});

const suiteIds = CIPHER_SUITES.map((s) => s.id);
const u64 = fc.bigInt({ min: 0n, max: MAX_HEADER_VALUE });
const smallOrLarge = fc.oneof(fc.bigInt({ min: 0n, max: 300n }), u64);

describe('SFrame: properties', () => {
  it('round-trips every suite, any size up to 20 KB, any KID and CTR', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...suiteIds),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        smallOrLarge,
        smallOrLarge,
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ maxLength: 20_000 }),
        async (suite, baseKey, kid, ctr, metadata, plaintext) => {
          const sf = await sframeEncrypt(suite, baseKey, kid, ctr, metadata, plaintext);
          const h = decodeHeader(sf);
          expect(sf.length).toBe(h.length + plaintext.length + cipherSuite(suite).Nt);
          const out = await sframeDecrypt(suite, baseKey, metadata, sf);
          expect(out.kid).toBe(kid);
          expect(out.ctr).toBe(ctr);
          expect(toHex(out.plaintext)).toBe(toHex(plaintext));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('rejects any single flipped bit in header, ciphertext, tag or metadata', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...suiteIds),
        smallOrLarge,
        smallOrLarge,
        fc.uint8Array({ minLength: 1, maxLength: 16 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.nat(),
        fc.nat(7),
        async (suite, kid, ctr, metadata, plaintext, pos, bit) => {
          const baseKey = new Uint8Array(16).fill(9);
          const sf = await sframeEncrypt(suite, baseKey, kid, ctr, metadata, plaintext);
          // Position over sframe bytes (header, ciphertext, tag) then metadata bytes.
          const i = pos % (sf.length + metadata.length);
          const badSf = sf.slice();
          const badMd = metadata.slice();
          if (i < sf.length) badSf[i]! ^= 1 << bit;
          else badMd[i - sf.length]! ^= 1 << bit;
          await expect(sframeDecrypt(suite, baseKey, badMd, badSf)).rejects.toBeInstanceOf(SFrameError);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('flipping every bit of a small frame is rejected, for each suite', async () => {
    for (const suite of suiteIds) {
      const baseKey = new Uint8Array(16).fill(3);
      const metadata = Uint8Array.of(0xaa, 0xbb);
      const sf = await sframeEncrypt(suite, baseKey, 1234n, 99n, metadata, Uint8Array.of(1, 2, 3));
      const all = [...sf, ...metadata];
      const tries: Promise<unknown>[] = [];
      for (let i = 0; i < all.length * 8; i++) {
        const badSf = sf.slice();
        const badMd = metadata.slice();
        const byte = i >> 3;
        if (byte < sf.length) badSf[byte]! ^= 1 << (i & 7);
        else badMd[byte - sf.length]! ^= 1 << (i & 7);
        tries.push(
          sframeDecrypt(suite, baseKey, badMd, badSf).then(
            () => Promise.reject(new Error(`bit ${i} accepted`)),
            (e) => {
              expect(e).toBeInstanceOf(SFrameError);
            },
          ),
        );
      }
      await Promise.all(tries);
    }
  });

  it('fails with the right codes', async () => {
    const key = new Uint8Array(16);
    const sf = await sframeEncrypt(4, key, 1n, 2n, new Uint8Array(0), new Uint8Array(10));
    await expect(sframeDecrypt(4, key, new Uint8Array(0), sf.subarray(0, 10))).rejects.toMatchObject({ code: 'truncated' });
    await expect(sframeDecrypt(4, key, new Uint8Array(0), new Uint8Array(0))).rejects.toMatchObject({ code: 'truncated' });
    await expect(sframeDecrypt(4, new Uint8Array(16).fill(1), new Uint8Array(0), sf)).rejects.toMatchObject({
      code: 'auth-failed',
      kid: 1n,
    });
    await expect(sframeDecrypt(9, key, new Uint8Array(0), sf)).rejects.toMatchObject({ code: 'unknown-suite' });
    await expect(sframeEncrypt(4, key, 1n, -1n, new Uint8Array(0), new Uint8Array(1))).rejects.toMatchObject({ code: 'invalid-argument' });
  });
});
