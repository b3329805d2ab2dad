import { join } from 'node:path';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import fp from 'fastify-plugin';
import { Type } from 'typebox';
import { ROLE } from '../../lib/auth';
import { projectRoot } from '../../lib/config';
import { missingBodyAsEmpty } from '../routes/support';
import { problemResponses } from '../schemas/common';
import { isRateLimited } from './rate-limit';

/** Where the OpenAPI document and the Swagger UI are served. */
export const OPENAPI_PATHS = { document: '/openapi.json', ui: '/docs' } as const;

const version = (require(join(projectRoot, 'package.json')) as { version: string }).version;

// @fastify/swagger marks every requestBody required (Fastify validates a declared body even when none was
// sent); a route that takes a missing body as {} is marked with this extension by the route transform,
// and the document transform turns the mark into `requestBody.required: false`.
const OPTIONAL_BODY = 'x-petstore-optional-body';

const takesMissingBody = (route: { preValidation?: unknown }): boolean => [route.preValidation].flat().includes(missingBodyAsEmpty);

type Operation = { requestBody?: { required?: boolean }; [OPTIONAL_BODY]?: boolean };

/** Where a named model lives in the document. */
export const COMPONENT_SCHEMAS = '#/components/schemas/';

/**
 * A route schema's body and responses with every model (a TypeBox schema with an `$id`: Pet, Order, Problem,
 * ...) replaced by a `$ref` to `components.schemas[$id]`, where it is put, once, with its own models referenced
 * in turn; so a generated client has a `Pet` type. The route's own schemas, which Fastify validates and
 * serializes with, are untouched: this is the document's copy.
 */
export function referenceModels(schema: unknown, components: Record<string, unknown>): unknown {
  if (Array.isArray(schema)) return schema.map((item) => referenceModels(item, components));
  if (typeof schema !== 'object' || schema === null) return schema;
  const { $id, ...rest } = schema as Record<string, unknown>;
  const walked = Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, referenceModels(value, components)]));
  if (typeof $id !== 'string') return walked;
  components[$id] ??= walked;
  return { $ref: `${COMPONENT_SCHEMAS}${$id}` };
}

// The parts of a route schema that carry models; querystring, params and headers are parameters, inline by nature.
const MODEL_PARTS = ['body', 'response'] as const;

/** Turns the optional-body mark of each operation into `requestBody.required: false`, and drops the mark. */
export function markOptionalBodies<D extends { paths?: Record<string, Record<string, unknown> | undefined> }>(document: D): D {
  for (const item of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(item ?? {}) as Operation[]) {
      if (typeof operation !== 'object' || operation === null || !(OPTIONAL_BODY in operation)) continue;
      if (operation.requestBody) operation.requestBody.required = false;
      delete operation[OPTIONAL_BODY];
    }
  }
  return document;
}

/**
 * The OpenAPI document (from every route's TypeBox schemas) and Swagger UI. Register it before the
 * auth plugin: the docs are public, and Swagger UI's own routes carry no access metadata.
 */
export const openapiPlugin = fp<{ swaggerUi?: boolean }>(
  async (app, { swaggerUi = true }) => {
    await app.register(fastifySwagger, {
      openapi: {
        // 3.1: nullable fields are JSON Schema type lists, which 3.0 cannot express.
        openapi: '3.1.0',
        // Relative: the document is right wherever the API is served (a generated client takes its base URL).
        servers: [{ url: '/', description: 'The server that serves this document' }],
        info: {
          title: 'petstore API',
          version,
          contact: { name: 'petstore maintainers' },
          description:
            'A pet shop whose orders run as Temporal sagas. Errors are RFC 9457 problem+json. ' +
            `Roles: ${ROLE.customer} (own orders, payments and notifications only), ${ROLE.support}, ${ROLE.admin} (also pet writes), ${ROLE.service} (internal API).`,
        },
        components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
        tags: [
          { name: 'pets', description: 'The catalogue (writes: admin)' },
          { name: 'orders', description: 'Orders and their sagas' },
          { name: 'payments', description: 'Paying for orders' },
          { name: 'notifications', description: 'What customers were told' },
          { name: 'webhooks', description: 'Signed webhook subscriptions to order and payment events, with a delivery log' },
          { name: 'health', description: 'Liveness and readiness' },
        ],
      },
      refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
      // Security and the allowed roles come from each route's access metadata, so the document cannot drift from the check.
      transform: (args) => {
        const { schema: given, url, route } = args;
        // A hidden route's models stay out of the document with it.
        if (!given || given.hide || !('openapiObject' in args)) return { schema: given, url };
        const components = ((args.openapiObject.components ??= {}).schemas ??= {}) as Record<string, unknown>;
        const schema = { ...given };
        // Every route but the probes spends a rate-limit budget, so every one of them may answer 429.
        if (isRateLimited(url) && schema.response && typeof schema.response === 'object') schema.response = { ...problemResponses(429), ...schema.response };
        for (const part of MODEL_PARTS) if (schema[part] !== undefined) schema[part] = referenceModels(schema[part], components);
        const optionalBody = takesMissingBody(route) ? { [OPTIONAL_BODY]: true } : {};
        const roles = route.config?.roles;
        if (route.config?.access === 'public' || !roles) {
          return { schema: { ...schema, ...optionalBody, security: [], description: [schema.description, 'Public: no token needed.'].filter(Boolean).join('\n\n') }, url };
        }
        const who = `Roles: ${roles.join(', ')}${roles.includes(ROLE.support) ? ' (and admin)' : ''}.`;
        return { schema: { ...schema, ...optionalBody, security: [{ bearerAuth: [] }], description: [schema.description, who].filter(Boolean).join('\n\n') }, url };
      },
      transformObject: (document) => ('openapiObject' in document ? markOptionalBodies(document.openapiObject) : document.swaggerObject),
    });

    app.get(
      OPENAPI_PATHS.document,
      { config: { access: 'public' }, schema: { hide: true, response: { 200: Type.Object({}, { additionalProperties: true }) } } },
      async () => app.swagger(),
    );

    // Swagger UI's routes are the library's: mark them public here, where they are registered. Off unless
    // SWAGGER_UI (default on for the local stack only): a production API need not serve a console to anyone.
    if (!swaggerUi) return;
    await app.register(async (docs) => {
      docs.addHook('onRoute', (route) => {
        route.config = { ...route.config, access: 'public' };
      });
      await docs.register(fastifySwaggerUi, { routePrefix: OPENAPI_PATHS.ui, validatorUrl: false, uiConfig: { persistAuthorization: false } });
    });
  },
  { name: 'petstore-openapi', fastify: '5.x' },
);
