import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { placeBytes } from './place-bytes.js';

function pattern(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
}

describe('placeBytes', () => {
  it('writes src at offset and leaves everything from offset + length on alone (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }), // dst view offset in its buffer
        fc.integer({ min: 0, max: 40 }), // src view offset in its buffer
        fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 4000, max: 9000 })), // src length
        fc.integer({ min: 0, max: 300 }), // bytes of dst before the target
        fc.integer({ min: 0, max: 20 }), // bytes of dst after the target
        (dstAt, srcAt, len, before, after) => {
          const src = pattern(srcAt + len, 7).subarray(srcAt);
          const dstBuf = pattern(dstAt + before + len + after, 200);
          const dst = dstBuf.subarray(dstAt);
          const original = dst.slice();
          placeBytes(dst, before, src);
          expect(Buffer.from(dst.subarray(before, before + len)).equals(Buffer.from(src))).toBe(true);
          expect(Buffer.from(dst.subarray(before + len)).equals(Buffer.from(original.subarray(before + len)))).toBe(true);
          expect(Buffer.from(dstBuf.subarray(0, dstAt)).equals(Buffer.from(pattern(dstAt, 200)))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('copies a large source a few bytes up (the moved path) exactly', () => {
    for (const [srcAt, offset] of [
      [0, 13],
      [3, 10],
      [0, 200],
    ] as const) {
      const src = pattern(srcAt + 100_000, 1).subarray(srcAt);
      const dst = new Uint8Array(offset + src.length);
      placeBytes(dst, offset, src);
      expect(Buffer.from(dst.subarray(offset)).equals(Buffer.from(src))).toBe(true);
    }
  });

  it('handles a source inside the destination buffer like set', () => {
    const buf = pattern(4000, 9);
    const expected = buf.slice();
    expected.set(buf.slice(0, 3000), 5);
    placeBytes(buf, 5, buf.subarray(0, 3000));
    expect(Buffer.from(buf).equals(Buffer.from(expected))).toBe(true);
  });

  it('refuses a source that does not fit', () => {
    expect(() => placeBytes(new Uint8Array(10), 5, new Uint8Array(6))).toThrow(RangeError);
    expect(() => placeBytes(new Uint8Array(10), -1, new Uint8Array(1))).toThrow(RangeError);
  });
});
