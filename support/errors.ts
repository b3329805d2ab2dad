/** Input the support tools cannot use (an unknown topic, group or status, a malformed id): the CLI makes it a usage error. */
export class SupportInputError extends Error {
  override name = 'SupportInputError';
}

/** The order asked about is known to no source. */
export class UnknownOrderError extends Error {
  override name = 'UnknownOrderError';
}
