/**
 * H.264 framing for Annex B byte streams (start codes 00 00 01 or
 * 00 00 00 01).
 *
 * Everything up to and including the NAL header byte of the first slice NAL
 * unit (nal_unit_type 1, non-IDR, or 5, IDR) stays clear: start codes,
 * SPS/PPS/SEI/AUD units and the slice's NAL header. The rest of the frame
 * (slice header and data, and any later NAL units) is the SFrame payload.
 * The SFrame is written after the clear bytes with emulation prevention
 * (`escapeEmulation`), so the packetizer sees one slice NAL unit whose body
 * contains no start code. A frame without a slice NAL unit is entirely
 * payload, nothing clear.
 *
 * The receiver finds the same boundary — the first slice NAL header — because
 * the clear bytes arrive unchanged and the escaped SFrame holds no start code.
 */
import { concatBytes, EMPTY } from './bytes.js';
import type { CodecFraming, ParsedFrame, SplitFrame } from './framing.js';
import { escapeEmulation, unescapeEmulation } from './emulation-prevention.js';

export const H264_NAL_SLICE = 1;
export const H264_NAL_IDR_SLICE = 5;

/**
 * Index of the NAL header byte of the first slice NAL unit (type 1 or 5)
 * after a 00 00 01 start code, or -1 when there is none.
 */
export function findFirstSliceNalHeader(frame: Uint8Array): number {
  const n = frame.length;
  let i = frame.indexOf(1, 2);
  while (i >= 0 && i + 1 < n) {
    if (frame[i - 1] === 0 && frame[i - 2] === 0) {
      const type = frame[i + 1]! & 0x1f;
      if (type === H264_NAL_SLICE || type === H264_NAL_IDR_SLICE) return i + 1;
    }
    i = frame.indexOf(1, i + 1);
  }
  return -1;
}

export const H264_FRAMING: CodecFraming = Object.freeze({
  codec: 'H264',
  split(frame: Uint8Array): SplitFrame {
    const h = findFirstSliceNalHeader(frame);
    if (h < 0) return { clear: EMPTY, payload: frame };
    return { clear: frame.subarray(0, h + 1), payload: frame.subarray(h + 1) };
  },
  join(clear: Uint8Array, sframe: Uint8Array): Uint8Array {
    return concatBytes(clear, escapeEmulation(sframe));
  },
  joinHead(clear: Uint8Array): Uint8Array {
    return clear;
  },
  finishJoin(joined: Uint8Array, headLength: number): Uint8Array {
    const sframe = joined.subarray(headLength);
    const escaped = escapeEmulation(sframe);
    // Random ciphertext rarely holds 00 00 0x (x ≤ 3): usually nothing to do.
    return escaped === sframe ? joined : concatBytes(joined.subarray(0, headLength), escaped);
  },
  parse(frame: Uint8Array): ParsedFrame {
    const h = findFirstSliceNalHeader(frame);
    const clear = h < 0 ? EMPTY : frame.subarray(0, h + 1);
    return { clear, sframe: unescapeEmulation(frame.subarray(clear.length)) };
  },
  restore(clear: Uint8Array, payload: Uint8Array): Uint8Array {
    return concatBytes(clear, payload);
  },
});
