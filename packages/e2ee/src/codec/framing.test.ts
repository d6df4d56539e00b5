/**
 * The shortcuts FrameCrypto takes around `join` and `restore` give the same
 * bytes as the framings' own `join` and `restore`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  av1KeyFrame,
  av1SplitFrame,
  cat,
  h264DeltaFrame,
  h264IdrFrame,
  noise,
  vp8DeltaFrame,
  vp8KeyFrame,
} from '../../test/synthetic-frames.js';
import { toHex } from '../../test/rfc9605-vectors.js';
import { AV1_FRAMING } from './av1.js';
import type { CodecFraming } from './framing.js';
import { H264_FRAMING } from './h264.js';
import { OPUS_FRAMING, VP9_FRAMING } from './opaque.js';
import { VP8_FRAMING } from './vp8.js';

const framings: [CodecFraming, Uint8Array][] = [
  [OPUS_FRAMING, noise(120, 1)],
  [VP9_FRAMING, noise(900, 2)],
  [VP8_FRAMING, vp8KeyFrame(500)],
  [VP8_FRAMING, vp8DeltaFrame(500)],
  [H264_FRAMING, h264IdrFrame(700)],
  [H264_FRAMING, h264DeltaFrame(300)],
  [H264_FRAMING, noise(50, 3)], // no slice: nothing clear
  [AV1_FRAMING, av1KeyFrame(600)],
  [AV1_FRAMING, av1SplitFrame(300)],
];

/** What the sender builds: joinHead || sframe in one buffer, then finishJoin. */
function joinedInOne(framing: CodecFraming, clear: Uint8Array, sframe: Uint8Array): Uint8Array {
  const head = framing.joinHead(clear, sframe.length);
  return framing.finishJoin(cat(head, sframe), head.length);
}

describe('codec framing shortcuts', () => {
  it.each(framings.map(([f, frame], i) => [f.codec, i, f, frame] as const))(
    '%s #%i: joinHead + finishJoin equals join, restore is clear || payload (property)',
    (_codec, _i, framing, frame) => {
      const { clear, payload } = framing.split(frame, true);
      expect(toHex(framing.restore(clear, payload))).toBe(toHex(cat(clear, payload)));
      fc.assert(
        fc.property(
          // SFrames with and without start-code emulations (runs of zeros), of assorted lengths.
          fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => b.map((x) => (x < 64 ? 0 : x < 80 ? x & 3 : x))),
          (sframe) => {
            expect(toHex(joinedInOne(framing, clear, sframe))).toBe(toHex(framing.join(clear, sframe)));
          },
        ),
        { numRuns: 200 },
      );
    },
  );

  it('H.264 escapes only when it has to, and otherwise returns the buffer it was given', () => {
    const { clear } = H264_FRAMING.split(h264IdrFrame(100), true);
    const plain = cat(clear, Uint8Array.of(0x10, 0x20, 0x30));
    expect(H264_FRAMING.finishJoin(plain, clear.length)).toBe(plain);
    const needs = cat(clear, Uint8Array.of(0x10, 0, 0, 1, 0x30));
    expect(toHex(H264_FRAMING.finishJoin(needs, clear.length))).toBe(toHex(cat(clear, Uint8Array.of(0x10, 0, 0, 3, 1, 0x30))));
  });

  it('AV1 writes the SFrame length into the head as leb128', () => {
    const { clear } = AV1_FRAMING.split(av1KeyFrame(600), true);
    const head = AV1_FRAMING.joinHead(clear, 300);
    expect(toHex(head)).toBe(toHex(cat(clear, Uint8Array.of(0xac, 0x02))));
  });
});
