/** An API failure with its HTTP status and stable code; rendered as `{error: {code, message}}`. */
import type { RestErrorCode } from '@conclave/protocol';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: RestErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const notFound = (what = 'not found') => new ApiError(404, 'not_found', what);
export const forbidden = (what = 'you may not do that') => new ApiError(403, 'forbidden', what);
