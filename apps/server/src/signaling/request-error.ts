/**
 * An expected failure of a request: answered to the client with its stable
 * code. Anything else thrown by a handler is a bug, logged and answered as
 * `internal` without details.
 */
import type { ErrorBody, ErrorCode } from '@conclave/protocol';

export class RequestError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** stale_epoch only: the group's epoch now, sent in the error body. */
    readonly epoch?: number,
  ) {
    super(message);
    this.name = 'RequestError';
  }

  /** The error as the client is told it. */
  body(): ErrorBody {
    return this.epoch === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, epoch: this.epoch };
  }
}
