/**
 * Per-frame E2EE for the media Worker: codec framing + SFrame.
 *
 * `FrameCrypto` pairs one `SFrameSender` (this participant's current key) with
 * one `SFrameReceiver` (every other participant's keys, selected by the KID in
 * each frame). `encryptFrame` keeps the codec's clear bytes readable, passes
 * them to SFrame as authenticated metadata and encrypts the rest;
 * `decryptFrame` reverses it. Each direction writes the frame once: SFrame
 * encrypts into a buffer that already holds the codec's bytes in front
 * (`joinHead`), and decrypts into one that starts with the clear bytes.
 *
 * Failures are thrown, never papered over: `SFrameError` (no key,
 * unknown-key, replay, auth-failed…, with the KID when known) or `CodecError`
 * (a frame that does not parse). The transform drops the frame on either, so
 * nothing unencrypted is ever sent and nothing unauthenticated is ever played.
 */
import { framingFor } from './codec/registry.js';
import { decodeHeader } from './sframe/header.js';
import { SFrameReceiver, SFrameSender } from './sframe/sframe-context.js';

export interface FrameCryptoOptions {
  sender?: SFrameSender;
  receiver?: SFrameReceiver;
}

/**
 * What identifies one frame to its sender's origin signature: its KID and
 * CTR, and the bytes SFrame authenticated, exactly as sender and receiver
 * both see them: the codec's clear bytes (the SFrame metadata) and the
 * SFrame (header || ciphertext || tag) before any codec escaping (H.264
 * emulation prevention is undone by the receiver's parse). Views into the
 * frame: read them before the callback returns.
 */
export interface FrameOrigin {
  kid: bigint;
  ctr: bigint;
  clear: Uint8Array;
  sframe: Uint8Array;
}

export class FrameCrypto {
  readonly sender: SFrameSender;
  readonly receiver: SFrameReceiver;

  constructor(options: FrameCryptoOptions = {}) {
    this.sender = options.sender ?? new SFrameSender();
    this.receiver = options.receiver ?? new SFrameReceiver();
  }

  /**
   * Encrypts one encoded frame of type `mime` (e.g. 'video/VP8') with the
   * sender's current key. Throws `SFrameError('no-key')` when there is none.
   * `onOrigin` is given the frame's origin once it is encrypted.
   */
  async encryptFrame(mime: string, isKeyFrame: boolean, frame: Uint8Array, onOrigin?: (origin: FrameOrigin) => void): Promise<Uint8Array> {
    const framing = framingFor(mime);
    const { clear, payload } = framing.split(frame, isKeyFrame);
    let headLength = 0;
    const joined = await this.sender.encrypt(clear, payload, (sframeLength) => {
      const head = framing.joinHead(clear, sframeLength);
      headLength = head.length;
      return head;
    });
    if (onOrigin) {
      const sframe = joined.subarray(headLength);
      const { kid, ctr } = decodeHeader(sframe, 0);
      onOrigin({ kid, ctr, clear, sframe });
    }
    return framing.finishJoin(joined, headLength);
  }

  /**
   * Authenticates and decrypts one received frame of type `mime`; returns the
   * original frame. `onOrigin` is given the frame's origin once it is authenticated.
   */
  async decryptFrame(mime: string, frame: Uint8Array, onOrigin?: (origin: FrameOrigin) => void): Promise<Uint8Array> {
    const framing = framingFor(mime);
    const { clear, sframe } = framing.parse(frame);
    // restore(clear, payload) is clear || payload for every framing: decrypt straight into it.
    const { kid, ctr, plaintext } = await this.receiver.decrypt(clear, sframe, clear);
    onOrigin?.({ kid, ctr, clear, sframe });
    return plaintext;
  }
}
