/**
 * API errors are data: a stable code, a message, optional details. This file holds the one
 * table that maps codes to HTTP statuses; nothing else in the codebase picks a status.
 */
export const errorStatus = {
  bad_request: 400,
  time_out_of_range: 400,
  invalid_json: 400,
  validation_failed: 400,
  unknown_decision_point: 400,
  unauthorized: 401,
  forbidden: 403,
  host_not_allowed: 403,
  not_found: 404,
  conflict: 409,
  already_appraised: 409,
  already_resolved: 409,
  restriction_not_active: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  policy_bundle_invalid: 422,
  not_ready: 503,
  store_unavailable: 503,
  internal_error: 500,
} as const;

export type ErrorCode = keyof typeof errorStatus;

export interface ErrorDetail {
  /** JSON pointer into the request body (or a batch index path like /events/3/at). */
  path?: string;
  message: string;
  [key: string]: unknown;
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: readonly ErrorDetail[] | Record<string, unknown>,
    /** For the log only (e.g. a store's own error text): never part of the answer. */
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  get status(): (typeof errorStatus)[ErrorCode] {
    return errorStatus[this.code];
  }

  toBody(): { error: { code: ErrorCode; message: string; details?: unknown } } {
    return { error: { code: this.code, message: this.message, ...(this.details !== undefined ? { details: this.details } : {}) } };
  }
}
