/** Tests for safety-code.ts: emoji table, order independence, changes with membership and secret. */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateIdentity } from './identity.js';
import { SAFETY_EMOJI, computeSafetyCode, deriveVerifyKey } from './safety-code.js';
import { lib, sodiumReady } from './sodium.js';

beforeAll(sodiumReady);

describe('safety code', () => {
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

  it('does not depend on member order, and has the documented format', () => {
    const vk = deriveVerifyKey(lib().randombytes_buf(32));
    const ids = [generateIdentity(), generateIdentity(), generateIdentity()];
    const a = computeSafetyCode(vk, 'room', ids);
    const b = computeSafetyCode(vk, 'room', [ids[2]!, ids[0]!, ids[1]!]);
    expect(a).toEqual(b);
    expect(a.digits).toMatch(/^\d{5} \d{5}$/);
    expect(a.emoji).toHaveLength(4);
    expect(a.memberCount).toBe(3);
    expect(a.words).toMatch(/^(zero|one|two|three|four|five|six|seven|eight|nine)( \w+){4}, (\w+ ){4}\w+; [a-z ]+(, [a-z ]+){3}$/);
    expect(a.words.endsWith(a.emojiNames.join(', '))).toBe(true);
  });

  it('changes when anyone joins or leaves, and with the meeting secret', () => {
    const vk = deriveVerifyKey(lib().randombytes_buf(32));
    const ids = [generateIdentity(), generateIdentity(), generateIdentity()];
    const all = computeSafetyCode(vk, 'room', ids);
    const two = computeSafetyCode(vk, 'room', ids.slice(0, 2));
    const four = computeSafetyCode(vk, 'room', [...ids, generateIdentity()]);
    const otherSecret = computeSafetyCode(deriveVerifyKey(lib().randombytes_buf(32)), 'room', ids);
    for (const c of [two, four, otherSecret]) expect(c.digits + c.emoji.join('')).not.toBe(all.digits + all.emoji.join(''));
  });

  it('digits and emoji look uniformly spread', () => {
    const vk = deriveVerifyKey(lib().randombytes_buf(32));
    const firstDigit = new Array(10).fill(0);
    const emojiSeen = new Set<string>();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (pk) => {
        const c = computeSafetyCode(vk, 'room', [{ signPk: pk, boxPk: pk }]);
        firstDigit[Number(c.digits[0])] += 1;
        for (const e of c.emoji) emojiSeen.add(e);
      }),
      { numRuns: 1000 },
    );
    for (const n of firstDigit) expect(n).toBeGreaterThan(50);
    expect(emojiSeen.size).toBeGreaterThan(240);
  });
});
