/** Tests for verification-code.ts: emoji table, format, ≥80 bits of digits, and that it follows the authenticator and room. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SAFETY_EMOJI, verificationCode } from './verification-code.js';

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

describe('verification code', () => {
  it('has a table of 256 distinct single emoji with distinct names', () => {
    expect(SAFETY_EMOJI).toHaveLength(256);
    expect(new Set(SAFETY_EMOJI.map(([e]) => e)).size).toBe(256);
    expect(new Set(SAFETY_EMOJI.map(([, n]) => n)).size).toBe(256);
    for (const [e, n] of SAFETY_EMOJI) {
      expect([...e]).toHaveLength(1); // one code point: no ZWJ sequences, modifiers or variation selectors
      expect(e).toMatch(/\p{Extended_Pictographic}/u);
      expect(n).toMatch(/^[a-z]+( [a-z]+)?$/);
    }
  });

  it('is 25 digits in five groups of five (83 bits) with 4 emoji and a spoken form', () => {
    const c = verificationCode(random(32), 'room', 3, 7n);
    expect(c.digits).toMatch(/^\d{5} \d{5} \d{5} \d{5} \d{5}$/);
    expect(25 * Math.log2(10)).toBeGreaterThan(80);
    expect(c.emoji).toHaveLength(4);
    expect(c.memberCount).toBe(3);
    expect(c.epoch).toBe(7n);
    expect(c.words.split(';')[0]!.split(',')).toHaveLength(5);
    expect(c.words.endsWith(c.emojiNames.join(', '))).toBe(true);
  });

  it('is a function of the epoch authenticator and the room only', () => {
    const auth = random(32);
    expect(verificationCode(auth, 'room', 2, 1n).digits).toBe(verificationCode(auth.slice(), 'room', 2, 1n).digits);
    expect(verificationCode(auth, 'room', 2, 1n).digits).not.toBe(verificationCode(random(32), 'room', 2, 1n).digits);
    expect(verificationCode(auth, 'room', 2, 1n).digits).not.toBe(verificationCode(auth, 'other-room', 2, 1n).digits);
  });

  it('refuses an authenticator too short to carry 80 bits', () => {
    expect(() => verificationCode(random(8), 'room', 1, 0n)).toThrow(RangeError);
  });

  it('digits and emoji look uniformly spread', () => {
    const firstDigit = new Array<number>(10).fill(0);
    const emojiSeen = new Set<string>();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (auth) => {
        const c = verificationCode(auth, 'room', 1, 0n);
        for (const g of c.digits.split(' ')) firstDigit[Number(g[0])]! += 1;
        for (const e of c.emoji) emojiSeen.add(e);
      }),
      { numRuns: 1000 },
    );
    for (const n of firstDigit) expect(n).toBeGreaterThan(350);
    expect(emojiSeen.size).toBeGreaterThan(240);
  });
});
