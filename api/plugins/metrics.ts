import fp from 'fastify-plugin';
import { Type } from 'typebox';
import type { Metrics } from '../../lib/metrics';

/** Where Prometheus scrapes the API process. */
export const METRICS_PATH = '/metrics';

/** The route label of requests no route matched: one series for all of them, whatever the URL. */
export const UNMATCHED_ROUTE = 'unmatched';

/** What the metrics plugin needs: the process's instruments. */
export interface MetricsPluginOptions {
  metrics: Metrics;
}

/**
 * Times every request into the HTTP histogram (an in-memory update per request, labelled by route
 * pattern, never by URL, so order ids do not become series) and serves GET /metrics, publicly like
 * /healthz. Register it after the auth plugin.
 */
export const metricsPlugin = fp<MetricsPluginOptions>(
  async (app, { metrics }) => {
    app.addHook('onResponse', (request, reply, done) => {
      metrics.httpRequestDuration.observe(
        { method: request.method, route: request.routeOptions.url ?? UNMATCHED_ROUTE, status_code: reply.statusCode },
        reply.elapsedTime / 1000,
      );
      done();
    });

    app.get(
      METRICS_PATH,
      // Scrapes come every few seconds: their request lines would drown the log.
      // On the internal listener only: business volume is not for anyone who can reach the API.
      { config: { access: 'public', internal: true }, logLevel: 'warn', schema: { hide: true, response: { 200: Type.String() } } },
      async (_request, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
    );
  },
  { name: 'petstore-metrics', fastify: '5.x', dependencies: ['petstore-auth'] },
);
