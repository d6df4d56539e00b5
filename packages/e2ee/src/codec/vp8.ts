/**
 * VP8 framing (RFC 6386 §9.1): the frame tag and, on key frames, the start
 * code and dimensions stay clear — 10 bytes on key frames, 3 on delta frames.
 * A key frame is one whose bit 0 of byte 0 (the frame-type bit) is 0; its
 * bytes 3–5 must be the start code 9d 01 2a.
 */
import { concatBytes } from './bytes.js';
import { CodecError } from './errors.js';
import type { CodecFraming, ParsedFrame, SplitFrame } from './framing.js';

export const VP8_KEY_FRAME_CLEAR_BYTES = 10;
export const VP8_DELTA_FRAME_CLEAR_BYTES = 3;

/** Clear prefix length of a VP8 frame, read from its first byte. */
export function vp8ClearLength(frame: Uint8Array): number {
  if (frame.length === 0) throw new CodecError('truncated', 'empty VP8 frame');
  const key = (frame[0]! & 0x01) === 0;
  const n = key ? VP8_KEY_FRAME_CLEAR_BYTES : VP8_DELTA_FRAME_CLEAR_BYTES;
  if (frame.length < n) {
    throw new CodecError('truncated', `VP8 ${key ? 'key' : 'delta'} frame shorter than ${n} bytes`);
  }
  if (key && (frame[3] !== 0x9d || frame[4] !== 0x01 || frame[5] !== 0x2a)) {
    throw new CodecError('malformed', 'VP8 key frame without start code 9d 01 2a');
  }
  return n;
}

export const VP8_FRAMING: CodecFraming = Object.freeze({
  codec: 'VP8',
  split(frame: Uint8Array): SplitFrame {
    const n = vp8ClearLength(frame);
    return { clear: frame.subarray(0, n), payload: frame.subarray(n) };
  },
  join(clear: Uint8Array, sframe: Uint8Array): Uint8Array {
    return concatBytes(clear, sframe);
  },
  joinHead(clear: Uint8Array): Uint8Array {
    return clear;
  },
  finishJoin(joined: Uint8Array): Uint8Array {
    return joined;
  },
  parse(frame: Uint8Array): ParsedFrame {
    const n = vp8ClearLength(frame);
    return { clear: frame.subarray(0, n), sframe: frame.subarray(n) };
  },
  restore(clear: Uint8Array, payload: Uint8Array): Uint8Array {
    return concatBytes(clear, payload);
  },
});
