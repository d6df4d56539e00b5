/**
 * The contract every codec framing fulfils. An encoded frame is cut into the
 * bytes the packetizer, the SFU and the decoder must be able to read (`clear`)
 * and the rest (`payload`), which SFrame encrypts with `clear` as its
 * metadata, so the clear bytes are authenticated too.
 *
 *     sender:   split(frame) → {clear, payload};  sframe = SFrame(metadata = clear, payload)
 *               join(clear, sframe) → frame on the wire
 *     receiver: parse(wire) → {clear, sframe};     payload = SFrame⁻¹(metadata = clear, sframe)
 *               restore(clear, payload) → the original frame
 *
 * `split` always cuts the frame in two, so `restore(clear, payload)` is
 * `clear || payload` for every framing; FrameCrypto has SFrame decrypt
 * straight into such a buffer. On the sending side `joinHead` and
 * `finishJoin` give the same frame as `join` without a second copy of the
 * SFrame (see there).
 *
 * All functions are pure; results may be views into their inputs. Input that
 * does not parse throws a `CodecError`.
 */

export interface SplitFrame {
  /** Bytes left in clear; also the SFrame metadata. */
  clear: Uint8Array;
  /** Bytes to encrypt. */
  payload: Uint8Array;
}

export interface ParsedFrame {
  /** The clear bytes, as the sender passed them as metadata. */
  clear: Uint8Array;
  /** The SFrame (header || ciphertext || tag), unwrapped from any codec escaping. */
  sframe: Uint8Array;
}

export interface CodecFraming {
  /** Codec name, e.g. 'VP8'. */
  readonly codec: string;
  /**
   * Splits an encoded frame. `isKeyFrame` is advisory: framings read the frame
   * type from the bytes, because the receiver has to.
   */
  split(frame: Uint8Array, isKeyFrame: boolean): SplitFrame;
  /** Builds the transmitted frame from the clear bytes and the SFrame. */
  join(clear: Uint8Array, sframe: Uint8Array): Uint8Array;
  /**
   * The bytes `join` puts before an SFrame of `sframeLength` bytes (the clear
   * bytes, and any length field). The sender writes the SFrame straight after
   * them into one buffer, then `finishJoin(buffer, head.length)` equals
   * `join(clear, sframe)`.
   */
  joinHead(clear: Uint8Array, sframeLength: number): Uint8Array;
  /**
   * Turns `joinHead(…) || sframe` into the transmitted frame: `joined` itself
   * unless the codec has to rewrite the SFrame bytes (H.264 escaping).
   */
  finishJoin(joined: Uint8Array, headLength: number): Uint8Array;
  /** Receiver side: recovers the clear bytes and the SFrame from a transmitted frame. */
  parse(frame: Uint8Array): ParsedFrame;
  /** Receiver side: rebuilds the original frame from the clear bytes and the decrypted payload. */
  restore(clear: Uint8Array, payload: Uint8Array): Uint8Array;
}
