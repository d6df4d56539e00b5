import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { cat, nal, noise } from '../../../test/synthetic-frames.js';
import { framingFor } from '../../codec/registry.js';
import { FrameCrypto, type FrameOrigin } from '../../frame-crypto.js';
import { deriveKeyMaterial } from '../../sframe/key-derivation.js';
import { headerLength } from '../../sframe/header.js';
import { ORIGIN_HASH_INLINE_MAX, originHash, originHashInline, originHashSubtle } from './frame-origin.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('origin hash', () => {
  it('is the first 16 bytes of SHA-256(len(clear) || clear || sframe), the same by either implementation', async () => {
    for (const [c, f] of [
      [0, 0],
      [10, 500],
      [3, ORIGIN_HASH_INLINE_MAX - 3],
      [3, ORIGIN_HASH_INLINE_MAX - 2],
      [40, 100_000],
    ] as const) {
      const o = { clear: noise(c, 1), sframe: noise(f, 2) };
      const expected = sha256(cat(Uint8Array.of(0, 0, 0, c), o.clear, o.sframe)).subarray(0, 16);
      expect(hex(originHashInline(o))).toBe(hex(expected));
      expect(hex(await originHashSubtle(o))).toBe(hex(expected));
      const picked = originHash(o);
      expect(picked instanceof Promise).toBe(c + f > ORIGIN_HASH_INLINE_MAX);
      expect(hex(await picked)).toBe(hex(expected));
    }
  });

  it('reads the bytes before it returns (they may be reused once the frame goes on)', async () => {
    const o = { clear: noise(10, 3), sframe: noise(5000, 4) };
    const expected = hex(originHashInline(o));
    const pending = originHashSubtle(o);
    o.sframe.fill(0);
    expect(hex(await pending)).toBe(expected);
  });

  it('tells apart frames that move bytes between the clear part and the SFrame', () => {
    const bytes = noise(64, 5);
    expect(hex(originHashInline({ clear: bytes.subarray(0, 10), sframe: bytes.subarray(10) }))).not.toBe(
      hex(originHashInline({ clear: bytes.subarray(0, 3), sframe: bytes.subarray(3) })),
    );
  });

  /**
   * Why the clear bytes are hashed too: with the AES-GCM key (every member
   * has it), a member can change two adjacent 16-byte blocks of the SFrame
   * metadata, the second by the first's change times H, and the tag still
   * verifies: the SFrame bytes stay exactly the sender's.
   */
  it("catches a member's frame that keeps the sender's SFrame bytes but changes its clear bytes (GCM metadata malleability)", async () => {
    const kid = 0x0100n;
    const baseKey = new Uint8Array(32).fill(0x11);
    const alice = new FrameCrypto();
    await alice.sender.setKey(0x0004, kid, baseKey);
    const receiver = async () => {
      const r = new FrameCrypto();
      await r.receiver.addKey(0x0004, kid, baseKey);
      return r;
    };
    // An H.264 IDR access unit with an SEI in the clear part (before the slice NAL header).
    const sei = noise(80, 7).map((b) => b | 0x10); // no zero bytes: no start code, however it changes
    const frame = cat(nal(0x06, sei), nal(0x65, cat(Uint8Array.of(0x88, 0x84), noise(3000, 8))));
    const clear = framingFor('video/H264').split(frame, true).clear;
    let sent!: FrameOrigin;
    const wire = await alice.encryptFrame(
      'video/H264',
      true,
      frame,
      (o) => (sent = { ...o, clear: o.clear.slice(), sframe: o.sframe.slice() }),
    );

    // Mallory: H = AES_K(0^128); AAD = header || clear, so clear byte j is AAD byte hl + j.
    const { key } = await deriveKeyMaterial(0x0004, baseKey, kid);
    const aes = await crypto.subtle.importKey('raw', key.slice(), 'AES-CBC', false, ['encrypt']);
    const H = toBig(
      new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-CBC', iv: new Uint8Array(16) }, aes, new Uint8Array(16))).subarray(0, 16),
    );
    const hl = headerLength(kid, 0n);
    const block = Math.ceil((hl + 5) / 16); // the first AAD block wholly inside the SEI body (start code + NAL header = 5 bytes)
    const at = block * 16 - hl; // its offset in the clear bytes
    expect(at + 32).toBeLessThan(clear.length - 5);
    const delta = 0x0f0e0d0c0b0a09080706050403020100n;
    const forged = wire.slice();
    xorAt(forged, at, delta);
    xorAt(forged, at + 16, gmul(delta, H)); // GHASH: Δ·H^(n+1) + (Δ·H)·H^n = 0

    expect(hex(forged.subarray(0, clear.length))).not.toBe(hex(wire.subarray(0, clear.length)));
    let got!: FrameOrigin;
    await (await receiver()).decryptFrame('video/H264', forged, (o) => (got = o));
    // SFrame accepted it, with the sender's SFrame bytes: a hash of those alone would vouch for it.
    expect(hex(got.sframe)).toBe(hex(sent.sframe));
    expect(hex(got.clear)).not.toBe(hex(sent.clear));
    // The origin hash does not.
    expect(hex(originHashInline(got))).not.toBe(hex(originHashInline(sent)));
    await (await receiver()).decryptFrame('video/H264', wire, (o) => expect(hex(originHashInline(o))).toBe(hex(originHashInline(sent))));
  });
});

const toBig = (b: Uint8Array) => BigInt(`0x${hex(b)}`);

function xorAt(bytes: Uint8Array, at: number, x: bigint): void {
  for (let i = 15; i >= 0; i--, x >>= 8n) bytes[at + i]! ^= Number(x & 0xffn);
}

/** Multiplication in GF(2^128) as GCM defines it (NIST SP 800-38D, algorithm 1). */
function gmul(x: bigint, y: bigint): bigint {
  const R = 0xe1n << 120n;
  let z = 0n;
  let v = y;
  for (let i = 127n; i >= 0n; i--) {
    if ((x >> i) & 1n) z ^= v;
    v = v & 1n ? (v >> 1n) ^ R : v >> 1n;
  }
  return z;
}
