import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import { authPlugin } from './plugins/auth';
import { errorsPlugin, frameworkErrors } from './plugins/errors';
import { openapiPlugin } from './plugins/openapi';
import { DEFAULT_RATE_LIMIT, rateLimitPlugin, type RateLimitOptions } from './plugins/rate-limit';
import type { ApiPorts } from './ports';
import { healthRoutes } from './routes/health';
import { notificationRoutes } from './routes/notifications';
import { orderRoutes } from './routes/orders';
import { paymentRoutes } from './routes/payments';
import { petRoutes } from './routes/pets';

/** What buildApp needs: configuration, the services behind the ports, a logger, and optionally a lower write limit (tests). */
export interface BuildAppOptions {
  config: Config;
  ports: ApiPorts;
  logger: Logger;
  rateLimit?: Partial<RateLimitOptions>;
}

/** The largest request body accepted; a pet or an order is far smaller, so more is a mistake or an attack (413). */
export const BODY_LIMIT_BYTES = 64 * 1024;

// An incoming x-request-id (from a proxy or a client) is kept when it looks like an id, so one id follows
// a request across hops; anything else (too long, odd characters) is replaced rather than logged.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The REST API as a Fastify instance that does not listen: the server listens, tests inject. */
export async function buildApp({ config, ports, logger, rateLimit }: BuildAppOptions) {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT_BYTES,
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // An unknown or forbidden field (status, priceCents on an order, role, ...) must be a 400, not silently
    // dropped; allErrors lists every bad field at once, and the body limit bounds what ajv has to walk.
    ajv: { customOptions: { removeAdditional: false, allErrors: true } },
    frameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  // Order matters: errors first (everything after answers problem+json), the docs before auth (their
  // library routes carry no access metadata), auth before the routes (its onRoute check must see them all).
  await app.register(errorsPlugin);
  await app.register(openapiPlugin);
  await app.register(authPlugin, { config });
  await app.register(rateLimitPlugin, { ...DEFAULT_RATE_LIMIT, ...rateLimit });

  await app.register(healthRoutes, { health: ports.health });
  await app.register(petRoutes, { pets: ports.pets });
  await app.register(orderRoutes, { config, orders: ports.orders, audit: ports.audit });
  await app.register(paymentRoutes, { orders: ports.orders, payments: ports.payments, audit: ports.audit });
  await app.register(notificationRoutes, { notifications: ports.notifications });
  return app;
}

/** The API instance buildApp returns. */
export type App = Awaited<ReturnType<typeof buildApp>>;
