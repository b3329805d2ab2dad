import { randomUUID } from 'node:crypto';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger } from 'fastify';
import type { Config } from '../lib/config';
import { temporalPayloadCodec } from '../lib/temporal';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import { tracingEnabled } from '../lib/tracing';
import { admissionPlugin } from './plugins/admission';
import { authPlugin } from './plugins/auth';
import { errorsPlugin, frameworkErrors } from './plugins/errors';
import { metricsPlugin } from './plugins/metrics';
import { openapiPlugin } from './plugins/openapi';
import { corsPlugin } from './plugins/cors';
import { addressRateLimitPlugin, rateLimitOptions, rateLimitPlugin, type RateLimitOptions } from './plugins/rate-limit';
import { tracingPlugin } from './plugins/tracing';
import { methodNotAllowedPlugin } from './plugins/method-not-allowed';
import type { ApiPorts } from './ports';
import { codecCookieAuth, codecRoutes } from './routes/codec';
import { contactRoutes } from './routes/contact';
import { healthRoutes } from './routes/health';
import { notificationRoutes } from './routes/notifications';
import { orderEventRoutes } from './routes/order-events';
import { orderRoutes } from './routes/orders';
import { eventContractRoutes } from './routes/event-contract';
import { paymentRoutes } from './routes/payments';
import { petRoutes } from './routes/pets';
import { storefrontRoutes } from './routes/storefront';
import { webhookRoutes } from './routes/webhooks';
import { validatorFactory } from './validation';
import { httpServerOptions } from './http-limits';
import { securityHeadersPlugin } from './plugins/security-headers';
import { internalRoutesGuard } from './internal-listener';
import { trustedPeer, trustProxyOption } from './trusted-proxies';

/** What buildApp needs: configuration, the services behind the ports, a logger, and optionally a lower write limit (tests). */
export interface BuildAppOptions {
  config: Config;
  ports: ApiPorts;
  logger: Logger;
  rateLimit?: Partial<RateLimitOptions>;
  /** The process's instruments: requests are timed and GET /metrics serves them (none: neither). */
  metrics?: Metrics;
  /** Internal routes answer only through internalServer(app) and the others only on the app's own listener (the server sets it; inject tests reach all). */
  internalListener?: boolean;
}

/** The largest request body accepted; a pet or an order is far smaller, so more is a mistake or an attack (413). */
export const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * The longest path segment the router matches; longer is a 414 before any route runs. Well above the
 * longest id (100), so an id that is merely too long reaches its route's schema: a 400 naming the field.
 */
export const MAX_PATH_PARAM_LENGTH = 1024;

// An incoming x-request-id (from a proxy or a client) is kept when it looks like an id, so one id follows
// a request across hops; anything else (too long, odd characters) is replaced rather than logged.
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The REST API as a Fastify instance that does not listen: the server listens, tests inject. */
export async function buildApp({ config, ports, logger, rateLimit, metrics, internalListener }: BuildAppOptions) {
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // One line per request, written when it is answered (below), instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    ...httpServerOptions(config),
    ...trustProxyOption(config),
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // An unknown or forbidden field (status, priceCents on an order, role, ...) must be a 400, not silently
    // dropped; allErrors lists every bad field at once, and the body limit bounds what ajv has to walk.
    ajv: { customOptions: { removeAdditional: false, allErrors: true } },
    schemaController: { compilersFactory: { buildValidator: validatorFactory() } },
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    frameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', (request, reply, done) => {
    request.log.info({ method: request.method, url: request.url, statusCode: reply.statusCode, ms: Math.round(reply.elapsedTime * 10) / 10 }, 'request completed');
    done();
  });

  // Order matters: the request's span first (it covers everything after), errors next (everything after
  // answers problem+json), the docs before auth (their library routes carry no access metadata), auth and
  // the 405 check before the routes (their onRoute hooks must see them all).
  if (tracingEnabled()) await app.register(tracingPlugin, { trusted: trustedPeer(config) });
  await app.register(errorsPlugin);
  // Before the body is read and the token verified: a refusal must cost next to nothing.
  await app.register(admissionPlugin, { ...config.admission, metrics });
  await app.register(securityHeadersPlugin);
  // Off unless CORS_ORIGINS lists origins; a preflight is answered here, before the 405 check and auth.
  if (config.http.corsOrigins?.length) await app.register(corsPlugin, { origins: config.http.corsOrigins });
  await app.register(methodNotAllowedPlugin);
  if (internalListener) await app.register(internalRoutesGuard);
  await app.register(openapiPlugin, { swaggerUi: config.http.swaggerUi !== false });
  await app.register(addressRateLimitPlugin, rateLimitOptions(config, rateLimit));
  await app.register(codecCookieAuth);
  await app.register(authPlugin, { config });
  await app.register(rateLimitPlugin, rateLimitOptions(config, rateLimit));
  if (metrics) await app.register(metricsPlugin, { metrics });

  await app.register(healthRoutes, { health: ports.health, cacheMs: config.http.readinessCacheMs ?? 2000 });
  await app.register(petRoutes, { pets: ports.pets });
  await app.register(orderRoutes, { config, orders: ports.orders, audit: ports.audit, history: ports.orderHistory });
  await app.register(paymentRoutes, { orders: ports.orders, payments: ports.payments, audit: ports.audit });
  await app.register(notificationRoutes, { notifications: ports.notifications });
  await app.register(contactRoutes, { contacts: ports.contacts });
  await app.register(webhookRoutes, { webhooks: ports.webhooks });
  await app.register(orderEventRoutes, { config, orders: ports.orders, orderStatusFeed: ports.orderStatusFeed });
  await app.register(eventContractRoutes, { config });
  await app.register(storefrontRoutes, { config });
  await app.register(codecRoutes, { codec: memo(() => temporalPayloadCodec(config)), corsOrigins: config.security.codecCorsOrigins });
  return app;
}

/** Made on first use: an app that never decodes needs no keys. */
function memo<T>(make: () => T): () => T {
  let made: T | undefined;
  return () => (made ??= make());
}

/** The API instance buildApp returns. */
export type App = Awaited<ReturnType<typeof buildApp>>;
