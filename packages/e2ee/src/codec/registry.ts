/**
 * `framingFor(mimeType)`: the codec framing for a WebRTC MIME type such as
 * 'video/VP8' or 'audio/opus' (case-insensitive, parameters ignored).
 *
 * Audio codecs other than Opus get the opaque framing too (nothing clear):
 * their payloads are not read on the path, and encrypting everything is the
 * safe default. An unknown video codec is refused (`unknown-codec`) rather
 * than guessed at.
 */
import { AV1_FRAMING } from './av1.js';
import { CodecError } from './errors.js';
import type { CodecFraming } from './framing.js';
import { H264_FRAMING } from './h264.js';
import { opaqueFraming, OPUS_FRAMING, VP9_FRAMING } from './opaque.js';
import { VP8_FRAMING } from './vp8.js';

const KNOWN = new Map<string, CodecFraming>([
  ['audio/opus', OPUS_FRAMING],
  ['video/vp8', VP8_FRAMING],
  ['video/vp9', VP9_FRAMING],
  ['video/h264', H264_FRAMING],
  ['video/av1', AV1_FRAMING],
]);

/** Resolved MIME strings as given by callers (e.g. 'video/VP8'), for the per-frame lookup. */
const cache = new Map<string, CodecFraming>();
const CACHE_LIMIT = 64;

function resolve(mimeType: string): CodecFraming {
  const mime = mimeType.split(';', 1)[0]!.trim().toLowerCase();
  const known = KNOWN.get(mime);
  if (known) return known;
  if (/^audio\/[a-z0-9.+-]+$/.test(mime)) return opaqueFraming(mime.slice('audio/'.length));
  throw new CodecError('unknown-codec', `no E2EE framing for media type '${mimeType}'`);
}

export function framingFor(mimeType: string): CodecFraming {
  let framing = cache.get(mimeType);
  if (!framing) {
    framing = resolve(mimeType);
    if (cache.size < CACHE_LIMIT) cache.set(mimeType, framing);
  }
  return framing;
}
