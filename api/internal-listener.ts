import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../lib/config';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Served on the internal listener only (METRICS_HOST:METRICS_PORT), and left out of the OpenAPI document. */
    internal?: boolean;
  }
}

const VIA_INTERNAL = Symbol('petstore.viaInternalListener');
type Marked = IncomingMessage & { [VIA_INTERNAL]?: true };

/** Where the internal listener of an API process listens: METRICS_PORT, else PORT+1 (0 with PORT 0), on METRICS_HOST; undefined with METRICS_PORT=off. */
export function internalAddress(config: Config): { host: string; port: number } | undefined {
  if (config.metrics.off) return undefined;
  const port = config.metrics.port ?? (config.http.port === 0 ? 0 : config.http.port + 1);
  return { host: config.metrics.host ?? '127.0.0.1', port };
}

const viaInternal = (request: FastifyRequest): boolean => (request.raw as Marked)[VIA_INTERNAL] === true;

/**
 * Splits the routes between two listeners: routes with `config.internal` (/metrics, the detailed
 * readiness, the internal notification API) answer only on the internal listener, every other route
 * only on the public one; either way the other listener answers 404, as for a route that does not exist.
 */
export const internalRoutesGuard = fp(
  async (app) => {
    app.addHook('onRequest', async (request, reply) => {
      if (request.is404) return;
      if (Boolean(request.routeOptions.config?.internal) !== viaInternal(request)) {
        reply.callNotFound();
        return reply;
      }
    });
  },
  { name: 'petstore-internal-routes', fastify: '5.x' },
);

/** The internal listener: a plain HTTP server whose requests go through the same app, marked as internal. */
export function internalServer(app: FastifyInstance): Server {
  return createServer((request: IncomingMessage, response: ServerResponse) => {
    (request as Marked)[VIA_INTERNAL] = true;
    app.routing(request, response);
  });
}
