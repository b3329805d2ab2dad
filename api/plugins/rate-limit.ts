import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { HttpProblem } from './errors';

/** How many writes one caller may make per window. */
export interface RateLimitOptions {
  max: number;
  timeWindowMs: number;
}

/** Generous enough for a busy shopper or a script, low enough to stop a runaway client. */
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { max: 300, timeWindowMs: 60_000 };

// Writes start sagas, charge cards and write rows; reads are cheap, so only writes are limited.
const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

// Per user where the token names one, so users behind one NAT do not starve each other; else per address.
const callerKey = (request: FastifyRequest): string => (request.principal?.userId ? `user:${request.principal.userId}` : `ip:${request.ip}`);

/** Limits write requests per caller; over the limit is a 429 problem with retry-after. Register after the auth plugin. */
export const rateLimitPlugin = fp<RateLimitOptions>(
  async (app, { max, timeWindowMs }) => {
    await app.register(fastifyRateLimit, {
      global: true,
      max,
      timeWindow: timeWindowMs,
      // Route-level onRequest hooks run after the auth plugin's, so the principal is known here.
      hook: 'onRequest',
      keyGenerator: callerKey,
      allowList: (request) => !WRITE_METHODS.has(request.method),
      errorResponseBuilder: (_request, context) => new HttpProblem(429, `Too many write requests; retry in ${context.after}.`),
    });
  },
  { name: 'petstore-rate-limit', fastify: '5.x', dependencies: ['petstore-auth'] },
);
