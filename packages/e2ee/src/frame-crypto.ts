/**
 * Per-frame E2EE for the media Worker: codec framing + SFrame.
 *
 * `FrameCrypto` pairs one `SFrameSender` (this participant's current key) with
 * one `SFrameReceiver` (every other participant's keys, selected by the KID in
 * each frame). `encryptFrame` keeps the codec's clear bytes readable, passes
 * them to SFrame as authenticated metadata and encrypts the rest;
 * `decryptFrame` reverses it.
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
    const sframe = await this.sender.encrypt(clear, payload);
    return framing.join(clear, sframe);
  }

  /** Authenticates and decrypts one received frame of type `mime`; returns the original frame. */
  async decryptFrame(mime: string, frame: Uint8Array): Promise<Uint8Array> {
    const framing = framingFor(mime);
    const { clear, sframe } = framing.parse(frame);
    const { plaintext } = await this.receiver.decrypt(clear, sframe);
    return framing.restore(clear, plaintext);
  }
}
