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
import { SFrameReceiver, SFrameSender } from './sframe/sframe-context.js';

export interface FrameCryptoOptions {
  sender?: SFrameSender;
  receiver?: SFrameReceiver;
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
   */
  async encryptFrame(mime: string, isKeyFrame: boolean, frame: Uint8Array): Promise<Uint8Array> {
    const framing = framingFor(mime);
    const { clear, payload } = framing.split(frame, isKeyFrame);
    let headLength = 0;
    const joined = await this.sender.encrypt(clear, payload, (sframeLength) => {
      const head = framing.joinHead(clear, sframeLength);
      headLength = head.length;
      return head;
    });
    return framing.finishJoin(joined, headLength);
  }

  /** Authenticates and decrypts one received frame of type `mime`; returns the original frame. */
  async decryptFrame(mime: string, frame: Uint8Array): Promise<Uint8Array> {
    const framing = framingFor(mime);
    const { clear, sframe } = framing.parse(frame);
    // restore(clear, payload) is clear || payload for every framing: decrypt straight into it.
    const { plaintext } = await this.receiver.decrypt(clear, sframe, clear);
    return plaintext;
  }
}
