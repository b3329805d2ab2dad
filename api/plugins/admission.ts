import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Metrics } from '../../lib/metrics';
import { RETRY_AFTER_SECONDS, problem, sendProblem } from './errors';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Which bound of in-flight work a route counts against: `saga` for routes that start or drive a
     * saga (Temporal), the default for the rest; `false` for probes and documents that must answer
     * however busy the process is.
     */
    admission?: 'saga' | false;
  }
}

/** How much one API process takes on at once; past that it says "not now" instead of queueing. */
export interface AdmissionOptions {
  /** Requests in flight at once (every route but probes and documents). */
  maxInFlight: number;
  /** Of those, requests that start or drive a saga (update-with-start, cancel, pay). */
  maxSagaInFlight: number;
  /** Share of maxInFlight one caller may hold: a single client over it gets 429, the others go on. */
  maxPerCaller: number;
  metrics?: Metrics;
}

/** What /readyz reports of the process's load. */
export interface Saturation {
  inFlight: number;
  maxInFlight: number;
  sagaInFlight: number;
  maxSagaInFlight: number;
  /** True while new work would be refused: a load balancer should send it elsewhere. */
  saturated: boolean;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The admission bound's current load. */
    saturation(): Saturation;
  }
  interface FastifyRequest {
    /** When the caller stops waiting (from x-request-deadline), if it said. */
    deadline?: number;
  }
}

// Probes, metrics, documents and the storefront's static files answer however busy the process is (a load
// balancer must be able to ask); an order's event stream is long-lived and has a bound of its own.
const EXEMPT = [/^\/(healthz|readyz|metrics|openapi\.json)$/, /^\/(docs|internal|shop)(\/|$)/, /^\/orders\/:orderId\/events$/];

/** The header a caller names its deadline in: RFC 3339, or epoch milliseconds. */
export const DEADLINE_HEADER = 'x-request-deadline';

/**
 * Who holds a slot, for fairness only (the global bound is what protects the process): the token's `sub`
 * read without verifying it (verification comes later, and costs more than the refusal), else the address.
 */
export function callerOf(request: FastifyRequest): string {
  const auth = request.headers.authorization;
  const payload = auth?.startsWith('Bearer ') ? auth.split('.')[1] : undefined;
  if (payload) {
    try {
      const sub = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown }).sub;
      if (typeof sub === 'string' && sub.length > 0 && sub.length <= 200) return `sub:${sub}`;
    } catch {
      // not a JWT we can read: fall back to the address
    }
  }
  return `ip:${request.ip}`;
}

/** Parses x-request-deadline; undefined when absent or unreadable (then the request has no deadline of its own). */
export function parseDeadline(raw: string | string[] | undefined): number | undefined {
  if (typeof raw !== 'string' || raw.length > 64) return undefined;
  const ms = /^\d{10,16}$/.test(raw) ? Number(raw) : Date.parse(raw);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Whether the caller has gone (its connection closed) or its deadline has passed: work for it must not
 * start. The socket tells, not the request stream: Node destroys a request stream once its body is read.
 */
export function callerGone(request: FastifyRequest): boolean {
  return request.socket?.destroyed === true || (request.deadline !== undefined && Date.now() >= request.deadline);
}

/**
 * Admission control: each API process bounds what it has in flight towards the database and Temporal
 * and refuses the rest at once (503 with Retry-After), before the body is read or the token verified,
 * so a refusal costs microseconds and an overload never turns into a queue of requests whose callers
 * have given up. A caller over its share gets 429. Probes and documents are exempt.
 */
export const admissionPlugin = fp<AdmissionOptions>(
  async (app, { maxInFlight, maxSagaInFlight, maxPerCaller, metrics }) => {
    let inFlight = 0;
    let sagaInFlight = 0;
    const byCaller = new Map<string, number>();

    const saturation = (): Saturation => ({ inFlight, maxInFlight, sagaInFlight, maxSagaInFlight, saturated: inFlight >= maxInFlight || sagaInFlight >= maxSagaInFlight });
    app.decorate('saturation', saturation);

    const refuse = (request: FastifyRequest, reply: FastifyReply, status: 429 | 503, reason: string, detail: string) => {
      metrics?.httpRefused.inc({ reason });
      reply.header('retry-after', String(RETRY_AFTER_SECONDS));
      return sendProblem(reply, problem(request, status, detail));
    };

    app.addHook('onRequest', async (request, reply) => {
      const pool = request.routeOptions.config?.admission;
      const url = request.routeOptions.url;
      if (pool === false || url === undefined || EXEMPT.some((pattern) => pattern.test(url))) return;
      request.deadline = parseDeadline(request.headers[DEADLINE_HEADER]);
      if (request.deadline !== undefined && Date.now() >= request.deadline) return refuse(request, reply, 503, 'deadline', 'The request\'s deadline had passed before it could start; nothing was done.');
      const saga = pool === 'saga';
      if (inFlight >= maxInFlight || (saga && sagaInFlight >= maxSagaInFlight)) {
        return refuse(request, reply, 503, saga ? 'saga_capacity' : 'capacity', `The service is at capacity; nothing was done. Retry in ${RETRY_AFTER_SECONDS} s.`);
      }
      const caller = callerOf(request);
      const held = byCaller.get(caller) ?? 0;
      if (held >= maxPerCaller) return refuse(request, reply, 429, 'caller_share', `You have ${held} requests in flight, the most one caller may; retry in ${RETRY_AFTER_SECONDS} s.`);
      inFlight++;
      if (saga) sagaInFlight++;
      byCaller.set(caller, held + 1);
      // 'close' fires once however the exchange ends: answered, or the caller hung up.
      reply.raw.once('close', () => {
        inFlight--;
        if (saga) sagaInFlight--;
        const left = (byCaller.get(caller) ?? 1) - 1;
        if (left <= 0) byCaller.delete(caller);
        else byCaller.set(caller, left);
      });
    });
  },
  { name: 'petstore-admission', fastify: '5.x' },
);
