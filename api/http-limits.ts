import type { ServerOptions } from 'node:http';
import type { FastifyServerOptions } from 'fastify';
import type { Config, HttpLimits } from '../lib/config';

/** The limits when a hand-built config has none: the same as loadConfig's defaults. */
export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  requestTimeoutMs: 30_000,
  headersTimeoutMs: 10_000,
  connectionTimeoutMs: 60_000,
  keepAliveTimeoutMs: 65_000,
  maxRequestsPerSocket: 1000,
};

/**
 * Fastify's server options that bound what one client may hold: the whole request (a body dribbled a
 * byte at a time is cut off, with or without a token), the headers, a silent socket, an idle keep-alive
 * socket, and the requests one socket carries. Node checks the request and headers deadlines on a
 * timer (30 s by default, far coarser than the deadlines): a tenth of the shortest one keeps them honest.
 */
export function httpServerOptions(config: Config): Pick<FastifyServerOptions, 'requestTimeout' | 'connectionTimeout' | 'keepAliveTimeout' | 'maxRequestsPerSocket'> & { http: ServerOptions } {
  const limits = config.http.limits ?? DEFAULT_HTTP_LIMITS;
  const checkEveryMs = Math.max(100, Math.min(1000, Math.floor(Math.min(limits.headersTimeoutMs, limits.requestTimeoutMs) / 10)));
  return {
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.connectionTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    maxRequestsPerSocket: limits.maxRequestsPerSocket,
    http: { headersTimeout: limits.headersTimeoutMs, requestTimeout: limits.requestTimeoutMs, connectionsCheckingInterval: checkEveryMs },
  };
}
