import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Config } from '../../lib/config';
import type { RateLimitCounter } from '../ports';
import { HttpProblem } from './errors';

/** The request budgets of one window; `counter` shares them between replicas (none: this process's memory). */
export interface RateLimitOptions {
  /** Writes per caller. */
  max: number;
  timeWindowMs: number;
  /** Reads per caller. */
  reads: number;
  /** Requests per address before authentication. */
  perIp: number;
  counter?: RateLimitCounter;
}

/** Generous enough for a busy shopper or a script, low enough to stop a runaway client. */
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { max: 300, timeWindowMs: 60_000, reads: 3000, perIp: 6000 };

/** The budgets from configuration (RATE_LIMIT_*), with a test's overrides. */
export function rateLimitOptions(config: Config, overrides: Partial<RateLimitOptions> = {}): RateLimitOptions {
  const fromConfig = config.rateLimit
    ? { max: config.rateLimit.writes, timeWindowMs: config.rateLimit.windowMs, reads: config.rateLimit.reads, perIp: config.rateLimit.perIp }
    : {};
  return { ...DEFAULT_RATE_LIMIT, ...fromConfig, ...overrides };
}

// Writes start sagas, charge cards and write rows: a smaller budget than reads.
const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

// Probes come from the orchestrator's address, often, and are cached: a limited probe would mark a healthy pod down.
const UNLIMITED_ROUTES: ReadonlySet<string | undefined> = new Set(['/healthz', '/readyz']);

/** Whether requests to the route (its URL pattern) spend a rate-limit budget, so it may answer 429. */
export const isRateLimited = (url: string): boolean => !UNLIMITED_ROUTES.has(url);

// Per user where the token names one, so users behind one NAT do not starve each other; else per address.
const callerKey = (request: FastifyRequest): string => (request.principal?.userId ? `user:${request.principal.userId}` : `ip:${request.ip}`);

/** @fastify/rate-limit's store interface over a RateLimitCounter. */
function counterStore(counter: RateLimitCounter) {
  return class CounterStore {
    incr(key: string, done: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      counter.hit(key, timeWindow).then(
        ({ hits, ttlMs }) => done(null, { current: hits, ttl: ttlMs }),
        (error: unknown) => done(error as Error),
      );
    }
    child(): CounterStore {
      return new CounterStore();
    }
  };
}

type Limiter = (request: FastifyRequest) => Promise<{ isAllowed: boolean; isExceeded?: boolean; max?: number; remaining?: number; ttlInSeconds?: number }>;

async function enforce(limiter: Limiter, request: FastifyRequest, reply: FastifyReply, what: string): Promise<void> {
  const result = await limiter(request);
  if (result.isAllowed || result.max === undefined) return;
  reply.header('x-ratelimit-limit', String(result.max));
  reply.header('x-ratelimit-remaining', String(result.remaining ?? 0));
  reply.header('x-ratelimit-reset', String(result.ttlInSeconds ?? 0));
  if (result.isExceeded) {
    const after = Math.max(1, result.ttlInSeconds ?? 1);
    throw new HttpProblem(429, `Too many ${what}; retry in ${after} seconds.`, { headers: { 'retry-after': String(after) } });
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** @fastify/rate-limit's limiter factory (no per-request "already ran" guard, so two limits can apply to one request). */
    createRateLimit(options: Record<string, unknown>): Limiter;
  }
}

/**
 * The per-address budget, before authentication: every request counts, a refused token (401) included,
 * so guessing tokens or hammering public routes from one address stops at RATE_LIMIT_PER_IP. Register it
 * before the auth plugin. With a counter the budget is shared by every replica; if the counter fails
 * (the database is down) requests pass unlimited, and the routes answer their own 503s.
 */
export const addressRateLimitPlugin = fp<RateLimitOptions>(
  async (app, { perIp, timeWindowMs, counter }) => {
    await app.register(fastifyRateLimit, { global: false, skipOnError: true, ...(counter ? { store: counterStore(counter) } : {}) });
    const perAddress = app.createRateLimit({ max: perIp, timeWindow: timeWindowMs, keyGenerator: (request: FastifyRequest) => `ip:${request.ip}` });
    app.addHook('onRequest', async (request, reply) => {
      if (UNLIMITED_ROUTES.has(request.routeOptions.url)) return;
      await enforce(perAddress, request, reply, 'requests from this address');
    });
  },
  { name: 'petstore-address-rate-limit', fastify: '5.x', dependencies: ['petstore-errors'] },
);

/** Limits each caller's reads and writes, each with its own budget; over it is a 429 problem with retry-after. Register after the auth plugin. */
export const rateLimitPlugin = fp<RateLimitOptions>(
  async (app, { max, reads, timeWindowMs }) => {
    const isWrite = (request: FastifyRequest) => WRITE_METHODS.has(request.method);
    const perCaller = app.createRateLimit({
      max: (request: FastifyRequest) => (isWrite(request) ? max : reads),
      timeWindow: timeWindowMs,
      keyGenerator: (request: FastifyRequest) => `${callerKey(request)}:${isWrite(request) ? 'write' : 'read'}`,
    });
    // After the auth plugin's hook, so the principal is known here.
    app.addHook('onRequest', async (request, reply) => {
      if (UNLIMITED_ROUTES.has(request.routeOptions.url) || request.is404) return;
      await enforce(perCaller, request, reply, isWrite(request) ? 'write requests' : 'read requests');
    });
  },
  { name: 'petstore-rate-limit', fastify: '5.x', dependencies: ['petstore-auth', 'petstore-address-rate-limit'] },
);
