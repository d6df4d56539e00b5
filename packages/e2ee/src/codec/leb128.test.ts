import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hex, toHex } from '../../test/rfc9605-vectors.js';
import { CodecError } from './errors.js';
import { encodeLeb128, leb128Size, readLeb128 } from './leb128.js';

describe('leb128', () => {
  it.each([
    [0, '00'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
    [16383, 'ff7f'],
    [16384, '808001'],
    [0xffff_ffff, 'ffffffff0f'],
  ])('%i ⇄ %s', (value, enc) => {
    expect(toHex(encodeLeb128(value))).toBe(enc);
    expect(readLeb128(hex(enc), 0)).toEqual({ value, length: enc.length / 2 });
  });

  it('reads non-minimal encodings up to 8 bytes', () => {
    expect(readLeb128(hex('8080808080808000'), 0)).toEqual({ value: 0, length: 8 });
    expect(readLeb128(hex('ff80808000'), 0)).toEqual({ value: 127, length: 5 });
  });

  it('refuses truncated, over-long and over-large values', () => {
    const code = (h: string) => {
      try {
        readLeb128(hex(h), 0);
      } catch (e) {
        expect(e).toBeInstanceOf(CodecError);
        return (e as CodecError).code;
      }
      return 'ok';
    };
    expect(code('')).toBe('truncated');
    expect(code('80')).toBe('truncated');
    expect(code('8080808080808080')).toBe('malformed');
    expect(code('8080808080808080' + '00')).toBe('malformed');
    expect(code('8080808010')).toBe('malformed'); // 2^32
    expect(() => encodeLeb128(2 ** 32)).toThrow(CodecError);
    expect(() => encodeLeb128(-1)).toThrow(CodecError);
  });

  it('round-trips (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff_ffff }), fc.nat(3), (v, at) => {
        const e = encodeLeb128(v);
        expect(e.length).toBe(leb128Size(v));
        const buf = new Uint8Array(at + e.length + 2);
        buf.set(e, at);
        expect(readLeb128(buf, at)).toEqual({ value: v, length: e.length });
      }),
    );
  });
});
