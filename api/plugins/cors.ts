import fastifyCors from '@fastify/cors';
import fp from 'fastify-plugin';

/** The request headers a browser page may send: the token, JSON, the idempotency and precondition headers, a request id. */
const ALLOWED_HEADERS = ['authorization', 'content-type', 'idempotency-key', 'if-match', 'if-none-match', 'x-request-id', 'traceparent'];
/** The answer headers a page may read beside the CORS-safelisted ones: versions, new resources, back-off, the budget left. */
const EXPOSED_HEADERS = ['etag', 'location', 'retry-after', 'x-request-id', 'x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'];
/** How long a browser may reuse a preflight's answer. */
const PREFLIGHT_MAX_AGE_SECONDS = 600;

/**
 * CORS for the origins in CORS_ORIGINS (registered only when some are set): a listed origin gets
 * Access-Control-Allow-Origin and its preflights a 204 with the methods and headers above, before any
 * token is checked (a preflight carries none); any other origin gets no CORS header, so its browser
 * keeps the answer from the page. Tokens travel in Authorization, not cookies: no credentials mode.
 */
export const corsPlugin = fp<{ origins: string[] }>(
  async (app, { origins }) => {
    await app.register(fastifyCors, {
      origin: origins.includes('*') ? '*' : origins,
      methods: ['GET', 'POST', 'PUT', 'DELETE'],
      allowedHeaders: ALLOWED_HEADERS,
      exposedHeaders: EXPOSED_HEADERS,
      maxAge: PREFLIGHT_MAX_AGE_SECONDS,
      credentials: false,
      strictPreflight: true,
    });
  },
  { name: 'petstore-cors', fastify: '5.x' },
);
