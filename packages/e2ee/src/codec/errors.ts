/**
 * The one error type of the codec framing layer. A frame that does not parse
 * as its codec says is refused with a `CodecError`, never read out of bounds.
 */

/** Stable reasons a framing operation fails. Never rename a code. */
export type CodecErrorCode =
  /** The frame ends inside a structure it announces (header, size, OBU…). */
  | 'truncated'
  /** The bytes break the codec's rules (forbidden bit, bad escaping, oversize leb128…). */
  | 'malformed'
  /** Valid for the codec, but a layout this framing does not handle. */
  | 'unsupported'
  /** No framing for this MIME type. */
  | 'unknown-codec';

export class CodecError extends Error {
  override readonly name = 'CodecError';
  readonly code: CodecErrorCode;

  constructor(code: CodecErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
