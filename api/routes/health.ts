import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger } from 'fastify';
import type { Saturation } from '../plugins/admission';
import type { HealthPort } from '../ports';
import { jsonResponse } from '../schemas/common';
import { LivenessSchema, ReadinessSchema } from '../schemas/health';

/** What the health routes need: the dependency check and how long the public /readyz reuses one. */
export interface HealthRoutesOptions {
  health: HealthPort;
  /** 0: every public probe checks afresh. */
  cacheMs?: number;
}

type Parts = Awaited<ReturnType<HealthPort['readiness']>>;

async function check(health: HealthPort, log: FastifyBaseLogger): Promise<Parts> {
  try {
    return await health.readiness();
  } catch (error) {
    // A probe that cannot even ask is "not ready", not a 500: the orchestrator should wait, not restart us.
    log.warn({ err: error }, 'readiness check failed');
    return { postgres: false, kafka: false, temporal: false };
  }
}

/**
 * One check shared by every caller within `ttlMs` of it, and by every caller while it runs: a flood of
 * anonymous /readyz requests costs Postgres, Kafka and Temporal one round trip each per window.
 */
export function cachedReadiness(health: HealthPort, ttlMs: number, log: FastifyBaseLogger): () => Promise<Parts> {
  let current: { at: number; parts: Promise<Parts> } | undefined;
  return () => {
    const now = Date.now();
    if (!current || now - current.at >= ttlMs) {
      const parts = check(health, log);
      current = { at: now, parts };
      // The window starts when the check ends, so a slow check is not repeated as soon as it returns.
      void parts.then(() => {
        if (current?.parts === parts) current.at = Date.now();
      });
    }
    return current.parts;
  };
}

/** The answer for the dependencies' state and, when admission control runs, this process's load (live, never cached). */
const answer = (parts: Parts, load?: Saturation) => {
  const ready = Object.values(parts).every(Boolean);
  // A saturated process is alive and well but has no room: a load balancer steers new work elsewhere.
  const status = !ready ? ('unavailable' as const) : load?.saturated ? ('saturated' as const) : ('ready' as const);
  return { code: status === 'ready' ? (200 as const) : (503 as const), body: { status, parts, ...(load?.saturated ? { load } : {}) } };
};

/** GET /healthz (the process answers) and GET /readyz (each dependency answers, cached), both public for probes; a fresh check on the internal listener. */
export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, { health, cacheMs = 2000 }) => {
  app.get(
    '/healthz',
    { config: { access: 'public' }, schema: { tags: ['health'], operationId: 'getLiveness', summary: 'Liveness', response: { 200: jsonResponse('The process answers', LivenessSchema) } } },
    async () => ({ status: 'ok' as const }),
  );

  const cached = cachedReadiness(health, cacheMs, app.log);
  app.get(
    '/readyz',
    {
      config: { access: 'public' },
      schema: {
        tags: ['health'],
        operationId: 'getReadiness',
        summary: `Readiness of Postgres, Kafka and Temporal (one check reused for ${cacheMs} ms), and whether this process has room for more work`,
        response: { 200: jsonResponse('Every part answers', ReadinessSchema), 503: jsonResponse('A part does not answer (see parts), or the process is saturated (see load)', ReadinessSchema) },
      },
    },
    async (_request, reply) => {
      const { code, body } = answer(await cached(), app.hasDecorator('saturation') ? app.saturation() : undefined);
      return reply.code(code).send(body);
    },
  );

  app.get(
    '/internal/readyz',
    { config: { access: 'public', internal: true }, schema: { hide: true, response: { 200: ReadinessSchema, 503: ReadinessSchema } } },
    async (request, reply) => {
      const { code, body } = answer(await check(health, request.log), app.hasDecorator('saturation') ? app.saturation() : undefined);
      return reply.code(code).send(body);
    },
  );
};
