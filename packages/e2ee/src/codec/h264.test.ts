import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../test/rfc9605-vectors.js';
import { cat, h264DeltaFrame, h264IdrFrame, isEscaped, nal, noise } from '../../test/synthetic-frames.js';
import { CodecError } from './errors.js';
import { findFirstSliceNalHeader, H264_FRAMING } from './h264.js';

/** Offsets of the NAL header bytes found after 00 00 01 start codes. */
function nalHeaders(b: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 2; i + 1 < b.length; i++) if (b[i] === 1 && b[i - 1] === 0 && b[i - 2] === 0) out.push(i + 1);
  return out;
}

function check(frame: Uint8Array, sframe: Uint8Array): void {
  const { clear, payload } = H264_FRAMING.split(frame, true);
  const wire = H264_FRAMING.join(clear, sframe);
  expect(toHex(wire.subarray(0, clear.length))).toBe(toHex(clear));
  const escaped = wire.subarray(clear.length);
  expect(isEscaped(escaped)).toBe(true);
  // The wire frame has exactly the clear NAL units: no start code in the SFrame region.
  expect(nalHeaders(wire)).toEqual(nalHeaders(clear));
  const parsed = H264_FRAMING.parse(wire);
  expect(toHex(parsed.clear)).toBe(toHex(clear));
  expect(toHex(parsed.sframe)).toBe(toHex(sframe));
  expect(toHex(H264_FRAMING.restore(parsed.clear, payload))).toBe(toHex(frame));
}

describe('H.264 framing', () => {
  it('keeps SPS, PPS and the IDR NAL header clear (4-byte start codes)', () => {
    const frame = h264IdrFrame(20_000);
    const { clear, payload } = H264_FRAMING.split(frame, true);
    const sliceHeader = findFirstSliceNalHeader(frame);
    expect(frame[sliceHeader]).toBe(0x65);
    expect(clear.length).toBe(sliceHeader + 1);
    expect(clear[clear.length - 1]).toBe(0x65);
    expect(payload[0]).toBe(0x88); // the slice header starts the payload
    expect(nalHeaders(clear).map((i) => clear[i]! & 0x1f)).toEqual([7, 8, 5]);
    check(frame, noise(payload.length + 17, 7, 0.3));
  });

  it('works with 3-byte start codes', () => {
    const frame = h264IdrFrame(3000, 11, false);
    expect(toHex(frame.subarray(0, 4))).toBe('00000167');
    check(frame, noise(3020, 12, 0.5));
  });

  it('keeps AUD and SEI clear and encrypts every slice after the first', () => {
    const frame = h264DeltaFrame(4000);
    const { clear, payload } = H264_FRAMING.split(frame, false);
    expect(nalHeaders(clear).map((i) => clear[i]! & 0x1f)).toEqual([9, 6, 1]);
    expect(nalHeaders(payload)).toHaveLength(1); // the second slice is inside the payload
    check(frame, noise(payload.length + 10, 13, 0.4));
  });

  it('treats a frame without a slice NAL as all payload', () => {
    const frame = cat(nal(0x67, Uint8Array.of(1, 2, 3)), nal(0x68, Uint8Array.of(4)));
    const { clear, payload } = H264_FRAMING.split(frame, true);
    expect(clear.length).toBe(0);
    expect(payload).toBe(frame);
    check(frame, noise(40, 14, 0.5));
  });

  it('escapes worst-case SFrames and never lets a start code through (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 400 }).map((b) => b.map((x) => (x < 128 ? 0 : x & 3))),
        fc.boolean(),
        (sframe, fourByte) => check(h264IdrFrame(100, 21, fourByte), sframe),
      ),
      { numRuns: 500 },
    );
  });

  it('refuses SFrame regions with bad escaping', () => {
    const frame = h264IdrFrame(10);
    const { clear } = H264_FRAMING.split(frame, true);
    for (const bad of [Uint8Array.of(5, 0, 0), Uint8Array.of(5, 0, 0, 2, 7), Uint8Array.of(0, 0, 3, 9)]) {
      expect(() => H264_FRAMING.parse(cat(clear, bad))).toThrow(CodecError);
    }
  });
});
