import { describe, expect, it } from 'vitest';
import { toHex } from '../../test/rfc9605-vectors.js';
import { noise, vp8DeltaFrame, vp8KeyFrame } from '../../test/synthetic-frames.js';
import { CodecError } from './errors.js';
import { VP8_FRAMING } from './vp8.js';

function roundTrip(frame: Uint8Array, clearLen: number): void {
  const { clear, payload } = VP8_FRAMING.split(frame, clearLen === 10);
  expect(clear.length).toBe(clearLen);
  expect(toHex(clear)).toBe(toHex(frame.subarray(0, clearLen)));
  const sframe = noise(payload.length + 20, 99); // stands in for the SFrame
  const wire = VP8_FRAMING.join(clear, sframe);
  expect(toHex(wire.subarray(0, clearLen))).toBe(toHex(clear));
  const parsed = VP8_FRAMING.parse(wire);
  expect(toHex(parsed.clear)).toBe(toHex(clear));
  expect(toHex(parsed.sframe)).toBe(toHex(sframe));
  expect(toHex(VP8_FRAMING.restore(parsed.clear, payload))).toBe(toHex(frame));
}

describe('VP8 framing', () => {
  it('keeps 10 bytes clear on key frames', () => roundTrip(vp8KeyFrame(5000), 10));
  it('keeps 3 bytes clear on delta frames', () => roundTrip(vp8DeltaFrame(800), 3));
  it('handles frames with nothing after the clear bytes', () => {
    roundTrip(vp8KeyFrame(0), 10);
    roundTrip(vp8DeltaFrame(0), 3);
  });

  it('reads the frame type from the bytes, not the hint', () => {
    expect(VP8_FRAMING.split(vp8DeltaFrame(50), true).clear.length).toBe(3);
    expect(VP8_FRAMING.split(vp8KeyFrame(50), false).clear.length).toBe(10);
  });

  it('refuses truncated and malformed frames', () => {
    const code = (f: Uint8Array) => {
      try {
        VP8_FRAMING.split(f, false);
      } catch (e) {
        expect(e).toBeInstanceOf(CodecError);
        return (e as CodecError).code;
      }
      return 'ok';
    };
    expect(code(new Uint8Array(0))).toBe('truncated');
    expect(code(vp8KeyFrame(0).subarray(0, 9))).toBe('truncated');
    expect(code(vp8DeltaFrame(0).subarray(0, 2))).toBe('truncated');
    const noStartCode = vp8KeyFrame(10);
    noStartCode[4] = 0;
    expect(code(noStartCode)).toBe('malformed');
    expect(() => VP8_FRAMING.parse(new Uint8Array(0))).toThrow(CodecError);
  });
});
