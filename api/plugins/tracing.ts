import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import type { FastifyRequest, RouteHandlerMethod } from 'fastify';
import fp from 'fastify-plugin';
import { contextFromHeaders, startSpan } from '../../lib/tracing';

/** What the tracing plugin needs: whether a request's sender may continue its own trace. */
export interface TracingPluginOptions {
  /** True for a trusted proxy's request (its traceparent is continued); anyone else starts a new root span. */
  trusted?: (request: FastifyRequest) => boolean;
}

/**
 * A server span per request, continuing the traceparent of a trusted caller only (anyone else could
 * pick the trace ids, force sampling, or splice their requests into another's trace), with each route's handler run inside
 * it, so the saga a POST /orders starts (and everything after it) joins the request's trace. Register it
 * first, so the span covers authentication too, and only when tracing is on.
 */
export const tracingPlugin = fp<TracingPluginOptions>(
  async (app, { trusted = () => false }) => {
    const spans = new WeakMap<FastifyRequest, Span>();

    app.addHook('onRequest', (request, _reply, done) => {
      const route = request.routeOptions.url;
      const span = startSpan(route ? `${request.method} ${route}` : request.method, {
        kind: SpanKind.SERVER,
        parent: trusted(request) ? contextFromHeaders(request.headers) : ROOT_CONTEXT,
        attributes: {
          'http.request.method': request.method,
          'url.path': request.url.split('?')[0],
          ...(route ? { 'http.route': route } : {}),
          'petstore.request_id': request.id,
        },
      });
      if (span) spans.set(request, span);
      done();
    });

    // Hooks cannot make a context active for what follows them (the body arrives on the socket's own
    // async context), so the handler itself is wrapped: everything it awaits sees the request's span.
    app.addHook('onRoute', (route) => {
      const handler = route.handler as (...args: Parameters<RouteHandlerMethod>) => unknown;
      route.handler = function traced(this: ThisParameterType<RouteHandlerMethod>, request, reply) {
        const span = spans.get(request);
        if (!span) return handler.call(this, request, reply);
        return context.with(trace.setSpan(context.active(), span), () => handler.call(this, request, reply));
      } as RouteHandlerMethod;
    });

    // The exception is recorded; only a 5xx marks the span failed (a 4xx is the caller's mistake, not ours).
    app.addHook('onError', (request, _reply, error, done) => {
      spans.get(request)?.recordException(error);
      done();
    });

    app.addHook('onResponse', (request, reply, done) => {
      const span = spans.get(request);
      if (span) {
        span.setAttribute('http.response.status_code', reply.statusCode);
        if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      }
      done();
    });
  },
  { name: 'petstore-tracing', fastify: '5.x' },
);
