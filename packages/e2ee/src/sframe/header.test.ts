import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadVectors, toHex } from '../../test/rfc9605-vectors.js';
import { SFrameError } from './errors.js';
import { decodeHeader, encodeHeader, headerLength, MAX_HEADER_VALUE, writeHeader } from './header.js';

const { header: vectors } = loadVectors();

function expectCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SFrameError);
    expect((e as SFrameError).code).toBe(code);
    return;
  }
  throw new Error(`expected SFrameError(${code})`);
}

describe('SFrame header: RFC 9605 vectors', () => {
  it('has all 289 vectors, with exact 64-bit values', () => {
    expect(vectors).toHaveLength(289);
    expect(vectors.some((v) => v.kid === MAX_HEADER_VALUE && v.ctr === MAX_HEADER_VALUE)).toBe(true);
  });

  it.each(vectors.map((v) => [v.kid, v.ctr, v]))('kid %s ctr %s', (_k, _c, v) => {
    expect(toHex(encodeHeader(v.kid, v.ctr))).toBe(toHex(v.encoded));
    expect(headerLength(v.kid, v.ctr)).toBe(v.encoded.length);
    const d = decodeHeader(v.encoded);
    expect(d).toEqual({ kid: v.kid, ctr: v.ctr, length: v.encoded.length });
    // Every strict prefix is truncated.
    for (let n = 0; n < v.encoded.length; n++) expectCode(() => decodeHeader(v.encoded.subarray(0, n)), 'truncated');
  });
});

describe('SFrame header: rules', () => {
  it('decodes at an offset and ignores what follows', () => {
    const h = encodeHeader(0x1234n, 0x56789an);
    const buf = new Uint8Array([0xaa, 0xbb, ...h, 0xcc, 0xdd]);
    expect(decodeHeader(buf, 2)).toEqual({ kid: 0x1234n, ctr: 0x56789an, length: h.length });
  });

  it('refuses non-minimal encodings', () => {
    expectCode(() => decodeHeader(Uint8Array.of(0x80, 0x05)), 'malformed-header'); // KID 5 in long form
    expectCode(() => decodeHeader(Uint8Array.of(0x08, 0x07)), 'malformed-header'); // CTR 7 in long form
    expectCode(() => decodeHeader(Uint8Array.of(0x90, 0x00, 0xff)), 'malformed-header'); // leading zero KID byte
    expectCode(() => decodeHeader(Uint8Array.of(0x09, 0x00, 0x10)), 'malformed-header'); // leading zero CTR byte
  });

  it('refuses out-of-range values', () => {
    expectCode(() => encodeHeader(-1n, 0n), 'invalid-argument');
    expectCode(() => encodeHeader(0n, MAX_HEADER_VALUE + 1n), 'invalid-argument');
    expectCode(() => writeHeader(300n, 300n, new Uint8Array(4)), 'invalid-argument');
  });

  it('round-trips any 64-bit KID and CTR (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: MAX_HEADER_VALUE }),
        fc.bigInt({ min: 0n, max: MAX_HEADER_VALUE }),
        fc.uint8Array({ maxLength: 4 }),
        (kid, ctr, tail) => {
          const h = encodeHeader(kid, ctr);
          expect(h.length).toBeLessThanOrEqual(17);
          const d = decodeHeader(new Uint8Array([...h, ...tail]));
          expect(d).toEqual({ kid, ctr, length: h.length });
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('decodes every config byte without reading out of bounds (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 20 }), (buf) => {
        try {
          const d = decodeHeader(buf);
          expect(d.length).toBeLessThanOrEqual(buf.length);
          expect(toHex(encodeHeader(d.kid, d.ctr))).toBe(toHex(buf.subarray(0, d.length)));
        } catch (e) {
          expect(e).toBeInstanceOf(SFrameError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});
