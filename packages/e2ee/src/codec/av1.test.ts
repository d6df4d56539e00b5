import { describe, expect, it } from 'vitest';
import { toHex } from '../../test/rfc9605-vectors.js';
import { av1KeyFrame, av1SplitFrame, cat, noise, obu } from '../../test/synthetic-frames.js';
import { AV1_FRAMING, readObuHeader } from './av1.js';
import { CodecError } from './errors.js';
import { readLeb128 } from './leb128.js';

interface Obu {
  type: number;
  size: number;
}

/** Walks a frame as OBUs with size fields, as a packetizer would. */
function walk(frame: Uint8Array): Obu[] {
  const out: Obu[] = [];
  let off = 0;
  while (off < frame.length) {
    const h = readObuHeader(frame, off);
    expect(h.hasSize).toBe(true);
    const s = readLeb128(frame, off + h.headerLength);
    off += h.headerLength + s.length + s.value;
    expect(off).toBeLessThanOrEqual(frame.length);
    out.push({ type: h.type, size: s.value });
  }
  return out;
}

function check(frame: Uint8Array, sframeLen: number): { clear: Uint8Array; wire: Uint8Array } {
  const { clear, payload } = AV1_FRAMING.split(frame, true);
  const sframe = noise(sframeLen, sframeLen);
  const wire = AV1_FRAMING.join(clear, sframe);
  expect(toHex(wire.subarray(0, clear.length))).toBe(toHex(clear));
  const obus = walk(wire);
  expect(obus[obus.length - 1]!.size).toBe(sframeLen); // the rewritten size field
  const parsed = AV1_FRAMING.parse(wire);
  expect(toHex(parsed.clear)).toBe(toHex(clear));
  expect(toHex(parsed.sframe)).toBe(toHex(sframe));
  expect(toHex(AV1_FRAMING.restore(parsed.clear, payload))).toBe(toHex(frame));
  return { clear, wire };
}

describe('AV1 framing', () => {
  it('keeps TD, sequence header and the FRAME OBU header clear', () => {
    const frame = av1KeyFrame(5000);
    const { clear, payload } = AV1_FRAMING.split(frame, true);
    expect(walk(frame).map((o) => o.type)).toEqual([2, 1, 6]);
    expect(clear.length).toBe(2 + 12 + 1); // TD, sequence header, FRAME header byte
    expect(clear[clear.length - 1]).toBe(0x32);
    expect(toHex(payload.subarray(0, 2))).toBe('8827'); // leb128(5000): the original size is encrypted
    const { wire } = check(frame, payload.length + 17);
    expect(walk(wire).map((o) => o.type)).toEqual([2, 1, 6]);
  });

  it('keeps extension bytes of the first frame-data OBU clear', () => {
    const frame = av1KeyFrame(100, 8, 0x28);
    const { clear } = AV1_FRAMING.split(frame, true);
    expect(toHex(clear.subarray(-2))).toBe('3628');
    check(frame, 130);
  });

  it('encrypts from the frame header on when frame header and tile groups are separate', () => {
    const frame = av1SplitFrame(700);
    expect(walk(frame).map((o) => o.type)).toEqual([2, 5, 3, 4, 4]);
    const { wire } = check(frame, 1500);
    expect(walk(wire).map((o) => o.type)).toEqual([2, 5, 3]);
  });

  it('handles SFrames whose size needs 1, 2 and 3 leb128 bytes', () => {
    for (const n of [20, 127, 128, 16_383, 16_384, 100_000]) check(av1KeyFrame(10), n);
  });

  const code = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(CodecError);
      return (e as CodecError).code;
    }
    return 'ok';
  };

  it('refuses malformed frames with typed errors', () => {
    const good = av1KeyFrame(50);
    // Truncated anywhere inside the clear OBUs or the frame OBU's size/payload.
    for (let n = 0; n < good.length; n++) {
      expect(['truncated', 'unsupported']).toContain(code(() => AV1_FRAMING.split(good.subarray(0, n), true)));
    }
    expect(code(() => AV1_FRAMING.split(cat(Uint8Array.of(0x92, 0x00), obu(6, noise(4))), true))).toBe('malformed'); // forbidden bit
    expect(code(() => AV1_FRAMING.split(cat(Uint8Array.of(0x12, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80)), true))).toBe('malformed');
    expect(code(() => AV1_FRAMING.split(cat(obu(2, new Uint8Array(0)), obu(1, noise(5))), true))).toBe('unsupported'); // no frame data
    expect(code(() => AV1_FRAMING.split(cat(Uint8Array.of(0x08, 1, 2, 3), obu(6, noise(4))), true))).toBe('unsupported'); // no size field
    expect(code(() => AV1_FRAMING.split(Uint8Array.of(0x36), true))).toBe('truncated'); // extension byte missing
    expect(code(() => AV1_FRAMING.split(cat(obu(6, noise(4)), Uint8Array.of(0x22, 9)), true))).toBe('truncated'); // trailing OBU too short
  });

  it('refuses wire frames whose SFrame OBU does not end the frame exactly', () => {
    const { clear, payload } = AV1_FRAMING.split(av1KeyFrame(50), true);
    const wire = AV1_FRAMING.join(clear, noise(payload.length + 16));
    expect(code(() => AV1_FRAMING.parse(wire.subarray(0, wire.length - 1)))).toBe('truncated');
    expect(code(() => AV1_FRAMING.parse(cat(wire, Uint8Array.of(0))))).toBe('malformed');
    expect(code(() => AV1_FRAMING.parse(clear))).toBe('truncated');
  });
});
