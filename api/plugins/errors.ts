import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { TEXT_PATTERN } from '../../domain/events';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PreconditionFailedError,
  UnavailableError,
  UnprocessableError,
} from '../../lib/errors';
import { isTransient } from '../../lib/transient';
import { PROBLEM_MEDIA_TYPE, type Problem } from '../schemas/common';

/** One invalid field: a JSON Pointer into the request (`/body/items/0/quantity`) and what is wrong with it. */
export interface FieldError {
  path: string;
  message: string;
}

/** Problem `type` URIs by status; clients switch on these, so they never change once published. */
export const PROBLEM_TYPE: Readonly<Record<number, string>> = {
  400: 'urn:petstore:problem:invalid-request',
  401: 'urn:petstore:problem:unauthenticated',
  403: 'urn:petstore:problem:forbidden',
  404: 'urn:petstore:problem:not-found',
  405: 'urn:petstore:problem:method-not-allowed',
  409: 'urn:petstore:problem:conflict',
  412: 'urn:petstore:problem:precondition-failed',
  413: 'urn:petstore:problem:payload-too-large',
  414: 'urn:petstore:problem:uri-too-long',
  415: 'urn:petstore:problem:unsupported-media-type',
  422: 'urn:petstore:problem:unprocessable',
  429: 'urn:petstore:problem:rate-limited',
  500: 'urn:petstore:problem:internal',
  503: 'urn:petstore:problem:unavailable',
};

/** An answer the API itself decides on (401, 403, 405, a 400 the schema cannot express, 429), with optional field errors and headers. */
export class HttpProblem extends Error {
  override name = 'HttpProblem';
  constructor(
    readonly statusCode: number,
    message: string,
    readonly extra: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
  }
}

// The services' errors (lib/errors.ts), each to its one status.
const DOMAIN_STATUS: [new (...args: never[]) => Error, number][] = [
  [NotFoundError, 404],
  [ConflictError, 409],
  [PreconditionFailedError, 412],
  [UnprocessableError, 422],
  [ForbiddenError, 403],
  [UnavailableError, 503],
];

/** Seconds a client should wait before retrying a 503: a dependency restarting or the API at capacity. */
export const RETRY_AFTER_SECONDS = 1;

function statusOf(error: unknown): number {
  for (const [type, status] of DOMAIN_STATUS) if (error instanceof type) return status;
  // A dependency that is down or restarting (Postgres, Temporal, the network) is "retry later", not a bug.
  if (isTransient(error)) return 503;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === 'number' && status >= 400 && status <= 599 ? status : 500;
}

interface AjvIssue {
  keyword: string;
  instancePath: string;
  schemaPath: string;
  params: Record<string, unknown>;
  message?: string;
}

function issueMessage({ keyword, params, message }: AjvIssue): string {
  switch (keyword) {
    case 'additionalProperties':
      return 'is not allowed';
    case 'required':
      return 'is required';
    case 'maximum':
      return `must be at most ${String(params.limit)}`;
    case 'minimum':
      return `must be at least ${String(params.limit)}`;
    case 'maxLength':
      return `must be at most ${String(params.limit)} characters long`;
    case 'minLength':
      return `must be at least ${String(params.limit)} characters long`;
    case 'maxItems':
      return `must have at most ${String(params.limit)} items`;
    case 'minItems':
      return `must have at least ${String(params.limit)} items`;
    case 'enum':
      return `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'anyOf':
      return 'is not one of the allowed values';
    case 'not':
      return 'combines fields that may not go together (the schema\'s description says which)';
    case 'pattern':
      return params.pattern === TEXT_PATTERN ? 'must not contain a NUL character' : `must match ${String(params.pattern)}`;
    default:
      return message ?? 'is not valid';
  }
}

// Fastify's ajv errors as field errors, naming the offending property itself for unknown and missing fields.
function fieldErrors(context: string, issues: readonly AjvIssue[]): FieldError[] {
  // With allErrors, a failed anyOf also reports every branch's failure: keep only the anyOf line.
  const unions = issues.filter((i) => i.keyword === 'anyOf').map((i) => `${i.schemaPath}/`);
  return issues
    .filter((i) => !unions.some((prefix) => i.schemaPath.startsWith(prefix)))
    .map((issue) => {
      const property = issue.params.additionalProperty ?? issue.params.missingProperty;
      const pointer = `${issue.instancePath}${typeof property === 'string' ? `/${escapePointer(property)}` : ''}`;
      return { path: `/${context}${pointer}`, message: issueMessage(issue) };
    });
}

const escapePointer = (token: string) => token.replace(/~/g, '~0').replace(/\//g, '~1');

/** The problem document for a status, as every error answer carries it. */
export function problem(request: FastifyRequest, status: number, detail: string, errors?: FieldError[]): Problem {
  return {
    type: PROBLEM_TYPE[status] ?? 'about:blank',
    title: STATUS_CODES[status] ?? 'Error',
    status,
    detail,
    instance: request.url.split('?', 1)[0],
    requestId: request.id,
    ...(errors ? { errors } : {}),
  };
}

/** Sends a problem document with the problem+json media type. */
export function sendProblem(reply: FastifyReply, body: Problem): FastifyReply {
  return reply.code(body.status).type(PROBLEM_MEDIA_TYPE).send(body);
}

function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const status = statusOf(error);
  if (error.validation) {
    const errors = fieldErrors(error.validationContext ?? 'request', error.validation as unknown as AjvIssue[]);
    const detail = errors.map((e) => `${e.path} ${e.message}`).join('; ');
    return sendProblem(reply, problem(request, 400, detail, errors));
  }
  if (status >= 500) {
    // The cause goes to the log with the request's context; the caller gets no internals.
    request.log.error({ err: error, method: request.method, route: request.routeOptions.url, principal: request.principal }, 'request failed');
    if (status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    const detail = status === 503 ? 'A service this request needs is unavailable; retry later.' : 'An unexpected error occurred; quote the requestId when reporting it.';
    return sendProblem(reply, problem(request, status, detail));
  }
  request.log.info({ status, code: error.code, reason: error.message }, 'request refused');
  if (error instanceof HttpProblem) {
    for (const [name, value] of Object.entries(error.extra.headers ?? {})) reply.header(name, value);
    return sendProblem(reply, problem(request, status, error.message, error.extra.errors));
  }
  return sendProblem(reply, problem(request, status, error.message));
}

/**
 * Fastify's `frameworkErrors` option: the router's own refusals (a malformed URL, a path parameter over
 * the length limit) happen before any route or error handler, and answer problem+json too.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  request.log.info({ code: error.code, reason: error.message }, 'request refused by the router');
  const status = statusOf(error);
  sendProblem(reply, problem(request, status, status === 414 ? 'A path segment is longer than allowed.' : 'The URL is not valid.'));
}

/** One error handler for the whole API: every failure, and every unknown route, answers RFC 9457 problem+json. */
export const errorsPlugin = fp(
  async (app) => {
    app.setErrorHandler(handleError);
    app.setNotFoundHandler((request, reply) => sendProblem(reply, problem(request, 404, `No route ${request.method} ${request.url.split('?', 1)[0]}`)));
  },
  { name: 'petstore-errors', fastify: '5.x' },
);
