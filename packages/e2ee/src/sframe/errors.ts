/**
 * The one error type of the SFrame layer. Callers switch on `code`; `message`
 * is for people and logs. A receiver reports `kid` (when it could read one) so
 * the UI can say which participant cannot be decrypted.
 */

/** Stable reasons an SFrame operation fails. Never rename a code. */
export type SFrameErrorCode =
  /** The input ended inside the SFrame header, or before a full tag. */
  | 'truncated'
  /** A header that is not in RFC 9605's minimal encoding. */
  | 'malformed-header'
  /** A cipher suite number this implementation does not know. */
  | 'unknown-suite'
  /** A bad argument from the caller (KID/CTR out of range, wrong key size…). */
  | 'invalid-argument'
  /** Receiver: no key for the frame's KID. */
  | 'unknown-key'
  /** The tag did not verify: wrong key, or header/metadata/ciphertext/tag altered. */
  | 'auth-failed'
  /** Receiver: the counter was already accepted, or is older than the replay window. */
  | 'replay'
  /** Sender: no key is set, so nothing may be sent (fail closed). */
  | 'no-key'
  /** Sender: the counter space of the current key is used up; a new key is needed. */
  | 'counter-exhausted';

export class SFrameError extends Error {
  override readonly name = 'SFrameError';
  readonly code: SFrameErrorCode;
  /** The KID of the frame concerned, when known. */
  readonly kid: bigint | undefined;

  constructor(code: SFrameErrorCode, message: string, kid?: bigint, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.kid = kid;
  }
}
