/** Tests for sender-key.ts: KID layout, fresh keys, the join ratchet, the derived SFrame base key. */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { freshSenderKey, kidFor, ratchetSenderKey, sframeBaseKey, splitKid } from './sender-key.js';
import { sodiumReady } from './sodium.js';

beforeAll(sodiumReady);

describe('sender keys', () => {
  it('KID = senderIndex << 16 | generation & 0xffff', () => {
    expect(kidFor(0, 0)).toBe(0n);
    expect(kidFor(1, 2)).toBe(0x10002n);
    expect(kidFor(7, 0x1_0003)).toBe(0x70003n);
    expect(kidFor(0xffff_ffff, 0xffff)).toBe(0xffff_ffff_ffffn);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 0, max: 0xffff_ffff }), (i, g) => {
        expect(splitKid(kidFor(i, g))).toEqual({ senderIndex: i, generationLow: g & 0xffff });
      }),
    );
  });

  it('fresh keys are random and count generations', () => {
    const a = freshSenderKey();
    expect(a.generation).toBe(0);
    expect(a.key).toHaveLength(32);
    const b = freshSenderKey(a);
    expect(b.generation).toBe(1);
    expect(b.key).not.toEqual(a.key);
  });

  it('ratchet is deterministic, moves forward, and never cycles back in a long run', () => {
    const a = freshSenderKey();
    const r1 = ratchetSenderKey(a);
    expect(r1).toEqual(ratchetSenderKey(a));
    expect(r1.generation).toBe(1);
    const seen = new Set([Buffer.from(a.key).toString('hex')]);
    let k = a;
    for (let i = 0; i < 200; i++) {
      k = ratchetSenderKey(k);
      const h = Buffer.from(k.key).toString('hex');
      expect(seen.has(h)).toBe(false);
      seen.add(h);
    }
  });

  it('the SFrame base key is derived, not the raw key', () => {
    const a = freshSenderKey();
    expect(sframeBaseKey(a)).toHaveLength(32);
    expect(sframeBaseKey(a)).not.toEqual(a.key);
    expect(sframeBaseKey(a)).not.toEqual(ratchetSenderKey(a).key);
  });
});
