import fastifyHelmet from '@fastify/helmet';
import fp from 'fastify-plugin';

/**
 * helmet's security headers on every answer (nosniff, frame-ancestors none, HSTS, a same-origin CSP
 * Swagger UI works under, no X-Powered-By), and `Cache-Control: no-store` on every answer to a route
 * that needs a token, errors included: a shared cache or the browser's must never keep one customer's
 * order for the next person. Public routes keep whatever caching their own handlers choose.
 */
export const securityHeadersPlugin = fp(
  async (app) => {
    await app.register(fastifyHelmet, { global: true });
    app.addHook('onSend', async (request, reply, payload) => {
      if (request.routeOptions.config?.access !== 'public' && !request.is404) reply.header('cache-control', 'no-store');
      return payload;
    });
  },
  { name: 'petstore-security-headers', fastify: '5.x' },
);
