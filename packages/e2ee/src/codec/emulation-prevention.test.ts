import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hex, toHex } from '../../test/rfc9605-vectors.js';
import { isEscaped } from '../../test/synthetic-frames.js';
import { escapeEmulation, findZeroPair, unescapeEmulation } from './emulation-prevention.js';
import { CodecError } from './errors.js';

/** Bytes rich in zeros and small values, where escaping matters. */
const zeroHeavy = fc.uint8Array({ maxLength: 300 }).map((b) => b.map((x) => (x < 160 ? 0 : x < 200 ? x & 3 : x)));

describe('emulation prevention', () => {
  it.each([
    ['', ''],
    ['0000', '000003'],
    ['000000', '00000300'],
    ['000001', '00000301'],
    ['000002', '00000302'],
    ['000003', '00000303'],
    ['000004', '000004'],
    ['00000000', '000003000003'],
    ['0000000100', '0000030001' + '00'],
    ['ff0000ff000000', 'ff0000ff00000300'],
    ['00', '00'],
  ])('escapes %s as %s', (raw, escaped) => {
    expect(toHex(escapeEmulation(hex(raw)))).toBe(escaped);
    expect(toHex(unescapeEmulation(hex(escaped)))).toBe(raw);
  });

  it('returns the input itself when nothing needs escaping', () => {
    const b = Uint8Array.of(1, 2, 0, 4, 0, 0, 9);
    expect(escapeEmulation(b)).toBe(b);
    expect(unescapeEmulation(b)).toBe(b);
  });

  it('round-trips and escapes completely (property)', () => {
    fc.assert(
      fc.property(fc.oneof(zeroHeavy, fc.uint8Array({ maxLength: 2000 })), (raw) => {
        const e = escapeEmulation(raw);
        expect(isEscaped(e)).toBe(true);
        expect(toHex(unescapeEmulation(e))).toBe(toHex(raw));
      }),
      { numRuns: 2000 },
    );
  });

  it('accepts exactly the escaped forms (property)', () => {
    fc.assert(
      fc.property(zeroHeavy, (b) => {
        let raw: Uint8Array;
        try {
          raw = unescapeEmulation(b);
        } catch (e) {
          expect(e).toBeInstanceOf(CodecError);
          expect(isEscaped(b)).toBe(false);
          return;
        }
        expect(toHex(escapeEmulation(raw))).toBe(toHex(b));
      }),
      { numRuns: 2000 },
    );
  });

  it('escapes exactly as a byte-by-byte reference, also on views at any offset (property)', () => {
    // H.264 §7.4.1 written out: after 00 00, a byte <= 03 (or the end) gets an 03 in front.
    const reference = (src: Uint8Array): string => {
      const out: number[] = [];
      let zeros = 0;
      for (const b of src) {
        if (zeros >= 2 && b <= 3) {
          out.push(3);
          zeros = 0;
        }
        out.push(b);
        zeros = b === 0 ? zeros + 1 : 0;
      }
      if (zeros >= 2) out.push(3);
      return toHex(Uint8Array.from(out));
    };
    fc.assert(
      fc.property(zeroHeavy, fc.nat(3), (raw, at) => {
        const view = new Uint8Array([...new Uint8Array(at).fill(7), ...raw]).subarray(at);
        expect(toHex(escapeEmulation(view))).toBe(reference(raw));
      }),
      { numRuns: 2000 },
    );
  });

  it('finds the first 00 00 at or after a position (property)', () => {
    fc.assert(
      fc.property(zeroHeavy, fc.nat(310), (b, from) => {
        let expected = -1;
        for (let i = from; i + 1 < b.length; i++) {
          if (b[i] === 0 && b[i + 1] === 0) {
            expected = i;
            break;
          }
        }
        expect(findZeroPair(b, from)).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it.each(['000000', '000001', '000002', '0000', '00000304', 'aa000001bb'])('refuses %s', (bad) => {
    expect(() => unescapeEmulation(hex(bad))).toThrow(CodecError);
  });
});
