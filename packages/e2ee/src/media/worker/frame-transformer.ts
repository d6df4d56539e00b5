/**
 * Encrypts or decrypts one stream of encoded frames (one RTCRtpSender's or
 * RTCRtpReceiver's), inside the Worker. Fail closed: a frame that cannot be
 * encrypted is not sent, and a frame that does not authenticate is not
 * passed on to the decoder.
 */
import { CodecError } from '../../codec/errors.js';
import { SFrameError } from '../../sframe/errors.js';
import type { FrameCrypto, FrameOrigin } from '../../frame-crypto.js';
import type { ReceiveStatus, TransformOptions } from '../worker-messages.js';

/** The parts of RTCEncodedVideoFrame / RTCEncodedAudioFrame used here. */
export interface EncodedFrame {
  data: ArrayBuffer;
  type?: 'key' | 'delta' | 'empty';
  getMetadata(): { mimeType?: string };
}

export interface TransformHooks {
  crypto: () => FrameCrypto | null;
  onReceiveStatus?: (status: ReceiveStatus, reason: string) => void;
  onSent?: () => void;
  /** Sender: the origin of each frame encrypted (read it before returning). */
  onEncrypted?: (origin: FrameOrigin) => void;
  /** Receiver: the origin of each frame authenticated (read it before returning); false = do not pass the frame on. */
  onDecrypted?: (origin: FrameOrigin) => boolean;
}

const DEFAULT_MIME = { audio: 'audio/opus', video: 'video/VP8' } as const;

function asArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? (bytes.buffer as ArrayBuffer) : bytes.slice().buffer;
}

/** Maps a decrypt failure to what the person is told about that participant. */
export function statusForError(err: unknown): { status: ReceiveStatus | null; reason: string } {
  if (err instanceof SFrameError) {
    if (err.code === 'unknown-key') return { status: 'waiting-for-key', reason: 'no key yet for this sender' };
    if (err.code === 'replay') return { status: null, reason: 'replayed frame' };
    return { status: 'cannot-decrypt', reason: err.code };
  }
  if (err instanceof CodecError) return { status: 'cannot-decrypt', reason: `malformed frame (${err.code})` };
  return { status: 'cannot-decrypt', reason: 'decryption failed' };
}

export function createFrameTransform(options: TransformOptions, hooks: TransformHooks): TransformStream<EncodedFrame, EncodedFrame> {
  const fallbackMime = options.mimeType ?? DEFAULT_MIME[options.kind];
  const mimeOf = (frame: EncodedFrame) => frame.getMetadata().mimeType ?? fallbackMime;

  if (options.operation === 'encrypt') {
    return new TransformStream({
      async transform(frame, controller) {
        const crypto = hooks.crypto();
        if (!crypto?.sender.hasKey) return; // no key: send nothing rather than plaintext
        try {
          const out = await crypto.encryptFrame(mimeOf(frame), frame.type === 'key', new Uint8Array(frame.data), hooks.onEncrypted);
          frame.data = asArrayBuffer(out);
          controller.enqueue(frame);
          hooks.onSent?.();
        } catch {
          // a frame we cannot encrypt is dropped, never sent in the clear
        }
      },
    });
  }

  return new TransformStream({
    async transform(frame, controller) {
      const crypto = hooks.crypto();
      if (!crypto) return hooks.onReceiveStatus?.('waiting-for-key', 'no keys yet');
      if (frame.data.byteLength === 0) return;
      try {
        let pass = true;
        const onOrigin = hooks.onDecrypted && ((origin: FrameOrigin) => void (pass = hooks.onDecrypted!(origin)));
        const out = await crypto.decryptFrame(mimeOf(frame), new Uint8Array(frame.data), onOrigin);
        if (pass) {
          frame.data = asArrayBuffer(out);
          controller.enqueue(frame);
        } // else its origin failed: dropped like a frame that does not authenticate
        hooks.onReceiveStatus?.('encrypted', 'ok');
      } catch (err) {
        const { status, reason } = statusForError(err);
        if (status) hooks.onReceiveStatus?.(status, reason);
      }
    },
  });
}
