/** Tests for encoding.ts: canonical round trips, injectivity, strict rejection of malformed input. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeError, Reader, Writer, bytesEqual, compareBytes } from './encoding.js';

describe('encoding', () => {
  it('round-trips field lists', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.integer({ min: 0, max: 0xffff_ffff }),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.uint8Array({ maxLength: 100 }),
        (s, n, fixed, varb) => {
          const bytes = new Writer().str(s).u32(n).fixed(fixed, 32).bytes16(varb).u8(7).u16(513).finish();
          const r = new Reader(bytes);
          expect(r.str()).toBe(s);
          expect(r.u32()).toBe(n);
          expect(r.fixed(32)).toEqual(fixed);
          expect(r.bytes16()).toEqual(varb);
          expect(r.u8()).toBe(7);
          expect(r.u16()).toBe(513);
          r.end();
        },
      ),
      { numRuns: 200 },
    );
  });

  it('is injective on string pairs (no ambiguous concatenation)', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.string(), fc.string(), (a, b, c, d) => {
        const x = new Writer().str(a).str(b).finish();
        const y = new Writer().str(c).str(d).finish();
        expect(bytesEqual(x, y)).toBe(a === c && b === d);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects truncation, trailing bytes and bad UTF-8', () => {
    const bytes = new Writer().str('hello').u32(5).finish();
    const cut = new Reader(bytes.subarray(0, bytes.length - 1));
    cut.str();
    expect(() => cut.u32()).toThrow(DecodeError);
    expect(() => new Reader(bytes.subarray(0, 3)).str()).toThrow(DecodeError);
    const r = new Reader(bytes);
    r.str();
    expect(() => r.end()).toThrow(DecodeError);
    expect(() => new Reader(Uint8Array.of(0, 2, 0xc3, 0x28)).str()).toThrow(DecodeError);
    expect(() => new Reader(Uint8Array.of(0, 9, 1)).bytes16()).toThrow(DecodeError);
  });

  it('rejects out-of-range integers when writing', () => {
    expect(() => new Writer().u8(256)).toThrow(RangeError);
    expect(() => new Writer().u16(-1)).toThrow(RangeError);
    expect(() => new Writer().u32(2 ** 32)).toThrow(RangeError);
    expect(() => new Writer().fixed(new Uint8Array(3), 4)).toThrow(RangeError);
  });

  it('compares bytes', () => {
    expect(compareBytes(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBeLessThan(0);
    expect(compareBytes(Uint8Array.of(1), Uint8Array.of(1, 0))).toBeLessThan(0);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1))).toBe(false);
  });
});
