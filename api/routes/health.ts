import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { HealthPort } from '../ports';
import { jsonResponse } from '../schemas/common';
import { LivenessSchema, ReadinessSchema } from '../schemas/health';

/** What the health routes need. */
export interface HealthRoutesOptions {
  health: HealthPort;
}

/** GET /healthz (the process answers) and GET /readyz (each dependency answers), both public for probes. */
export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, { health }) => {
  app.get(
    '/healthz',
    { config: { access: 'public' }, schema: { tags: ['health'], operationId: 'getLiveness', summary: 'Liveness', response: { 200: jsonResponse('The process answers', LivenessSchema) } } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/readyz',
    {
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        operationId: 'getReadiness',
        summary: 'Readiness of Postgres, Kafka and Temporal',
        response: { 200: jsonResponse('Every part answers', ReadinessSchema), 503: jsonResponse('A part does not answer (see parts)', ReadinessSchema) },
      },
    },
    async (request, reply) => {
      let parts = { postgres: false, kafka: false, temporal: false };
      try {
        parts = await health.readiness();
      } catch (error) {
        // A probe that cannot even ask is "not ready", not a 500: the orchestrator should wait, not restart us.
        request.log.warn({ err: error }, 'readiness check failed');
      }
      const ready = Object.values(parts).every(Boolean);
      // A saturated process is alive and well but has no room: a load balancer steers new work elsewhere.
      const load = app.hasDecorator('saturation') ? app.saturation() : undefined;
      const status = !ready ? 'unavailable' : load?.saturated ? 'saturated' : 'ready';
      return reply.code(status === 'ready' ? 200 : 503).send({ status, parts, ...(load?.saturated ? { load } : {}) });
    },
  );
};
