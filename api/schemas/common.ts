import { Type, type Static, type TInteger, type TSchema, type TString, type TUnsafe } from 'typebox';

// Building blocks every resource's schemas share. Inputs close their objects
// (additionalProperties: false) so an unknown or forbidden field is a 400, never silently dropped.

/**
 * An id: of a pet, order or payment (the services make UUIDs) or of a user (a token's subject).
 * URL-safe characters only, so an id is the same in a path, a link, a log line and a Kafka key.
 */
export const Id = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._~:@+-]+$' });
/** An id the services made: pets, orders and payments are UUIDs, and only a UUID can name one in a uuid column. */
export const Uuid = Type.String({ format: 'uuid' });
/** An ISO 4217 currency code. */
export const Currency = Type.String({ pattern: '^[A-Z]{3}$' });
/** An amount in integer cents: no floating point touches money. */
export const Cents = Type.Integer({ minimum: 0 });
/** An instant, as ISO 8601. */
export const Timestamp = Type.String({ format: 'date-time' });

/**
 * An instant a client sends (a filter, never stored): ISO 8601 with a time zone, from 1970 to 9999.
 * The date-time format alone lets year 0 through, which Postgres refuses with an error: a 500 for the client's mistake.
 */
export const InstantInput = (description: string) => Type.String({ format: 'date-time', pattern: '^(19[7-9][0-9]|[2-9][0-9]{3})-', description });

/**
 * The schema or null, as a JSON Schema type list rather than anyOf: Fastify's ajv coerces query
 * and body types, and inside anyOf it would turn null into "" or 0 into null before a branch fails.
 */
export function nullable<T extends TString | TInteger>(schema: T): TUnsafe<Static<T> | null> {
  return Type.Unsafe<Static<T> | null>({ ...schema, type: [schema.type, 'null'] });
}

/** The most items a list answers at once, and the default. */
export const PAGE_LIMIT = { default: 20, max: 100 } as const;

/**
 * What a cursor looks like: base64url, as services/paging.ts writes it.
 * A string of this form that this API did not return is still refused, with a 422.
 */
export const CURSOR_PATTERN = '^[A-Za-z0-9_-]+$';

/** The paging fields every list's query string takes. */
export const pageQueryFields = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: PAGE_LIMIT.max, default: PAGE_LIMIT.default, description: `items per page (at most ${PAGE_LIMIT.max})` })),
  cursor: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 500,
      pattern: CURSOR_PATTERN,
      description: 'nextCursor of the previous page, unchanged (opaque base64url); a cursor this API did not return is a 422',
    }),
  ),
};

/** The ports' paging arguments from a validated query string. */
export const pageQuery = ({ limit, cursor }: { limit?: number; cursor?: string }): { limit: number; cursor?: string } => ({
  limit: limit ?? PAGE_LIMIT.default,
  ...(cursor === undefined ? {} : { cursor }),
});

/** One page of a list, named `$id` in the OpenAPI document: pass nextCursor back as `cursor` for the next page (null at the end). */
export const pageOf = <T extends TSchema>(item: T, $id: string, description: string) =>
  Type.Object(
    { items: Type.Array(item), nextCursor: nullable(Type.String({ pattern: CURSOR_PATTERN, description: 'pass it back as cursor for the next page; null at the end' })) },
    { $id, description },
  );

/** The media type of every successful answer with a body. */
const JSON_MEDIA_TYPE = 'application/json';

/** A successful answer: its description in the OpenAPI document and its body's schema (a model with an `$id` becomes a named component). */
export const jsonResponse = <T extends TSchema>(description: string, schema: T) => ({ description, content: { [JSON_MEDIA_TYPE]: { schema } } }) as const;

/** The Idempotency-Key header of POST /orders and POST /payments. */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7E]+$', description: 'repeat a request safely: the same key returns the first answer' }),
  ),
});

/** One invalid field of a 400: where (a JSON Pointer into the request part) and what is wrong. */
export const FieldErrorSchema = Type.Object(
  { path: Type.String({ description: 'a JSON Pointer into the request part, e.g. /body/items/0/quantity' }), message: Type.String() },
  { $id: 'FieldError', description: 'One invalid field of a 400' },
);

/** An RFC 9457 problem document, the body of every error answer. */
export const ProblemSchema = Type.Object({
  type: Type.String({ description: 'URI naming the kind of problem' }),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.String(),
  instance: Type.String({ description: 'the request path the problem occurred on' }),
  requestId: Type.Optional(Type.String({ description: 'x-request-id of the request, for support and the logs' })),
  errors: Type.Optional(Type.Array(FieldErrorSchema)),
}, { $id: 'Problem', description: 'An RFC 9457 problem document: the body of every error answer' });
/** The problem document's fields. */
export type Problem = Static<typeof ProblemSchema>;

/** The media type of every error answer. */
export const PROBLEM_MEDIA_TYPE = 'application/problem+json';

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The request is not valid (see errors[])',
  401: 'Missing, invalid or expired bearer token',
  403: 'The token is valid but its role may not do this',
  404: 'Not found, or not yours',
  409: 'Conflicts with the current state',
  412: 'If-Match names a stale version',
  413: 'The body is larger than the limit',
  414: 'A path segment is longer than the router accepts',
  415: 'The body is not application/json',
  422: 'Well-formed but cannot be processed (e.g. an Idempotency-Key reused with another body)',
  429: 'Over the rate limit of this caller or address; see retry-after',
  503: 'A dependency is unavailable; retry later',
};

/** Response schemas for the error statuses a route may answer, as problem+json. */
export function problemResponses<const C extends readonly number[]>(...codes: C) {
  return Object.fromEntries(
    codes.map((code) => [code, { description: PROBLEM_DESCRIPTIONS[code] ?? 'Error', content: { [PROBLEM_MEDIA_TYPE]: { schema: ProblemSchema } } }]),
  ) as { [K in C[number]]: { description: string; content: { [PROBLEM_MEDIA_TYPE]: { schema: typeof ProblemSchema } } } };
}

/** One error status a route answers for its own reason, described as that route means it. */
export const problemResponse = (description: string) => ({ description, content: { [PROBLEM_MEDIA_TYPE]: { schema: ProblemSchema } } }) as const;

/** The 422 of a list: its cursor has the form but is not one this API returned. */
export const UNKNOWN_CURSOR = problemResponse('The cursor is not one this API returned');

/** The error statuses every authenticated route may answer. */
export const AUTH_PROBLEMS = [401, 403] as const;
