/**
 * Framing for codecs whose payload nobody on the path needs to read: Opus,
 * VP9 (its RTP descriptor comes from the encoder, not the payload) and other
 * audio codecs. Nothing stays clear; the whole frame is the SFrame payload.
 */
import { EMPTY } from './bytes.js';
import type { CodecFraming, ParsedFrame, SplitFrame } from './framing.js';

export function opaqueFraming(codec: string): CodecFraming {
  return Object.freeze({
    codec,
    split(frame: Uint8Array): SplitFrame {
      return { clear: EMPTY, payload: frame };
    },
    join(_clear: Uint8Array, sframe: Uint8Array): Uint8Array {
      return sframe;
    },
    joinHead(): Uint8Array {
      return EMPTY;
    },
    finishJoin(joined: Uint8Array): Uint8Array {
      return joined;
    },
    parse(frame: Uint8Array): ParsedFrame {
      return { clear: EMPTY, sframe: frame };
    },
    restore(_clear: Uint8Array, payload: Uint8Array): Uint8Array {
      return payload;
    },
  });
}

export const OPUS_FRAMING = opaqueFraming('opus');
export const VP9_FRAMING = opaqueFraming('VP9');
