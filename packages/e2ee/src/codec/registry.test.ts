import { describe, expect, it } from 'vitest';
import { AV1_FRAMING } from './av1.js';
import { CodecError } from './errors.js';
import { H264_FRAMING } from './h264.js';
import { OPUS_FRAMING, VP9_FRAMING } from './opaque.js';
import { framingFor } from './registry.js';
import { VP8_FRAMING } from './vp8.js';

describe('framingFor', () => {
  it('maps WebRTC MIME types, case-insensitively and ignoring parameters', () => {
    expect(framingFor('video/VP8')).toBe(VP8_FRAMING);
    expect(framingFor('video/vp9')).toBe(VP9_FRAMING);
    expect(framingFor('video/H264;profile-level-id=42e01f')).toBe(H264_FRAMING);
    expect(framingFor('video/AV1')).toBe(AV1_FRAMING);
    expect(framingFor('audio/opus')).toBe(OPUS_FRAMING);
    expect(framingFor('Audio/OPUS')).toBe(OPUS_FRAMING);
  });

  it('encrypts other audio codecs entirely and refuses unknown video', () => {
    const pcmu = framingFor('audio/PCMU');
    expect(pcmu.split(Uint8Array.of(1, 2), false).clear.length).toBe(0);
    expect(() => framingFor('video/H265')).toThrow(CodecError);
    expect(() => framingFor('')).toThrow(CodecError);
  });

  it('opaque framings keep nothing clear', () => {
    const f = Uint8Array.of(1, 2, 3);
    for (const framing of [OPUS_FRAMING, VP9_FRAMING]) {
      const { clear, payload } = framing.split(f, true);
      expect(clear.length).toBe(0);
      expect(payload).toBe(f);
      const wire = framing.join(clear, Uint8Array.of(9, 9));
      expect(framing.parse(wire).sframe).toEqual(Uint8Array.of(9, 9));
      expect(framing.restore(clear, payload)).toBe(f);
    }
  });
});
