/**
 * An expected failure of a request: answered to the client with its stable
 * code. Anything else thrown by a handler is a bug, logged and answered as
 * `internal` without details.
 */
import type { ErrorCode } from '@conclave/protocol';

export class RequestError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RequestError';
  }
}
