// Failures a service reports to its callers; the API maps each to one HTTP status (problem+json),
// the CLI to one exit code. Anything else is an internal error.

/** The thing asked for does not exist, or the caller may not know that it does (404). */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
}

/** The request is well-formed but conflicts with the current state (409). */
export class ConflictError extends Error {
  override name = 'ConflictError';
}

/** An If-Match version no longer matches (412). */
export class PreconditionFailedError extends Error {
  override name = 'PreconditionFailedError';
}

/** The request is well-formed but cannot be processed as asked, e.g. an Idempotency-Key reused with another body (422). */
export class UnprocessableError extends Error {
  override name = 'UnprocessableError';
}

/** The caller is known but not allowed to do this (403). */
export class ForbiddenError extends Error {
  override name = 'ForbiddenError';
}

/** A dependency (database, broker, Temporal) is not available right now; retrying later may work (503). */
export class UnavailableError extends Error {
  override name = 'UnavailableError';
}
