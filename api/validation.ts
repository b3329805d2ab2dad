import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyServerOptions } from 'fastify';

type ValidatorFactory = NonNullable<NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>['buildValidator']>;
type AjvServerOptions = NonNullable<FastifyServerOptions['ajv']>;
// What Fastify really passes the compiler it gets from the factory (the library's typings say a bare schema).
type RouteSchema = { schema: unknown; method: string; url: string; httpPart?: string };
type Compiler = (route: RouteSchema) => unknown;

/**
 * Fastify's default ajv validator factory, with type coercion where the wire has no types and nowhere
 * else. A query string, path parameter or header is text, so `?limit=20` must become the integer 20; a
 * JSON body carries its own types, and coercing it would accept `{"quantity": "2"}` (or `"tags": "x"` as
 * `["x"]`, or null as 0) where the schema says integer or array: a client's type mistake is a 400.
 */
export function validatorFactory(): ValidatorFactory {
  const pool = AjvCompiler();
  const factory = (externalSchemas: Record<string, unknown>, options: AjvServerOptions = {}): Compiler => {
    const build = (customOptions: AjvServerOptions['customOptions']) =>
      pool(externalSchemas as Parameters<typeof pool>[0], { ...options, customOptions } as Parameters<typeof pool>[1]) as unknown as Compiler;
    const coercing = build(options.customOptions);
    const strict = build({ ...options.customOptions, coerceTypes: false });
    return (route) => (route.httpPart === 'body' ? strict(route) : coercing(route));
  };
  return factory as unknown as ValidatorFactory;
}
