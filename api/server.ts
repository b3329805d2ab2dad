import type { Config } from '../lib/config';
import type { Component } from '../lib/lifecycle';
import type { Logger } from '../lib/logger';
import type { Metrics } from '../lib/metrics';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp, type App } from './app';
import { internalAddress, internalServer } from './internal-listener';
import { OPENAPI_PATHS } from './plugins/openapi';
import type { ApiPorts, RateLimitCounter } from './ports';

/** What the HTTP server needs. */
export interface HttpServerOptions {
  config: Config;
  logger: Logger;
  ports: ApiPorts;
  /** Served at /metrics, with every request timed into it. */
  metrics?: Metrics;
  /** The request budgets shared by every replica (RATE_LIMIT_STORE=postgres); none: per process. */
  rateLimitCounter?: RateLimitCounter;
}

/** The REST API as a component: listens on config.http on start, closes gracefully on stop. */
export function httpServer({ config, logger, ports, metrics, rateLimitCounter }: HttpServerOptions): Component {
  let app: App | undefined;
  let internal: Server | undefined;
  const internalAt = internalAddress(config);
  return {
    name: 'http',
    async start() {
      app = await buildApp({ config, ports, logger, metrics, internalListener: true, ...(rateLimitCounter ? { rateLimit: { counter: rateLimitCounter } } : {}) });
      let url: string;
      try {
        url = await app.listen({ host: config.http.host, port: config.http.port });
        if (internalAt) {
          const listening = internalServer(app);
          await new Promise<void>((resolve, reject) => {
            listening.once('error', reject);
            listening.listen(internalAt.port, internalAt.host, () => resolve());
          });
          internal = listening;
          const { port } = listening.address() as AddressInfo;
          logger.info({ url: `http://${internalAt.host}:${port}`, metrics: `http://${internalAt.host}:${port}/metrics` }, 'internal listener (metrics, readiness, internal API)');
        }
      } catch (error) {
        // A failed start is not stopped by the caller: release what buildApp opened before reporting it.
        internal?.close();
        internal = undefined;
        await app.close();
        app = undefined;
        throw error;
      }
      logger.info({ url, ...(config.http.swaggerUi !== false ? { docs: `${url}${OPENAPI_PATHS.ui}` } : {}), openapi: `${url}${OPENAPI_PATHS.document}` }, 'REST API listening');
    },
    async stop() {
      // close() stops accepting connections, lets in-flight requests finish (new ones get 503) and
      // closes idle keep-alive sockets, so a rolling restart drops no request.
      const closing = app;
      const closingInternal = internal;
      app = undefined;
      internal = undefined;
      if (closingInternal) {
        closingInternal.closeIdleConnections();
        await new Promise<void>((resolve) => closingInternal.close(() => resolve()));
      }
      await closing?.close();
    },
  };
}
