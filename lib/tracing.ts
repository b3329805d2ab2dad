import { join } from 'node:path';
import {
  context,
  diag,
  DiagLogLevel,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { ClientInterceptors } from '@temporalio/client';
import { projectRoot, type Config } from './config';
import type { Logger } from './logger';

// Tracing is off unless an OTLP endpoint is configured. Off, none of the SDK is loaded, no propagator
// is registered, and every helper below returns at its first line: the hot paths pay one boolean test.

/** The tracer provider of this process, for the parts that export spans of their own (the workflow sandbox's). */
export interface Tracing {
  processor: SpanProcessor;
  resource: Resource;
  /** Exports what is buffered and stops the exporter. */
  shutdown(): Promise<void>;
}

let installed: Tracing | undefined;

/** Whether this process records spans. */
export const tracingEnabled = (): boolean => installed !== undefined;

/** The instrumentation scope of petstore's own spans. */
export const TRACER_NAME = 'petstore';

/**
 * Installs the process-wide tracer provider, once: W3C trace context propagation, a parent-based
 * ratio sampler, and a batching OTLP/HTTP exporter (or `exporter`, for tests). Returns undefined, and
 * loads nothing, when no endpoint is configured and no exporter is given.
 */
export function setupTracing({ config, logger, exporter }: { config: Config; logger: Logger; exporter?: SpanExporter }): Tracing | undefined {
  if (installed) return installed;
  const { endpoint, headers, serviceName, sampleRatio } = config.tracing;
  if (!endpoint && !exporter) return undefined;

  const { NodeTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } =
    require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } = require('@opentelemetry/semantic-conventions') as typeof import('@opentelemetry/semantic-conventions');

  // The SDK reports export failures through its diagnostics logger: route them to ours, or they vanish.
  const diagLogger = logger.child({ component: 'opentelemetry' });
  diag.setLogger(
    {
      error: (message, ...args) => diagLogger.error({ args }, message),
      warn: (message, ...args) => diagLogger.warn({ args }, message),
      info: (message, ...args) => diagLogger.debug({ args }, message),
      debug: (message, ...args) => diagLogger.trace({ args }, message),
      verbose: (message, ...args) => diagLogger.trace({ args }, message),
    },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );

  const version = (require(join(projectRoot, 'package.json')) as { version: string }).version;
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName, [ATTR_SERVICE_VERSION]: version });
  const spanExporter =
    exporter ??
    new (require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter({ url: endpoint, headers });
  const processor = new BatchSpanProcessor(spanExporter);
  const provider = new NodeTracerProvider({
    resource,
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(sampleRatio) }),
    spanProcessors: [processor],
  });
  // Registers the AsyncLocalStorage context manager and the W3C traceparent/baggage propagator.
  provider.register();
  installed = {
    processor,
    resource,
    async shutdown() {
      await provider.shutdown();
    },
  };
  logger.info({ endpoint: endpoint ?? 'in-process exporter', serviceName, sampleRatio }, 'tracing on');
  return installed;
}

/** W3C trace context (`traceparent`, `tracestate`) of the active span, for message headers; empty when tracing is off. */
export function traceHeaders(): Record<string, string> {
  if (!installed) return {};
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** The context a message's or request's trace headers continue (the root context when they carry none). */
export function contextFromHeaders(headers: Record<string, string | string[] | undefined>): Context {
  return propagation.extract(ROOT_CONTEXT, headers);
}

/** What a span starts with. */
export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The parent; default the active context. */
  parent?: Context;
}

/** Starts a span (the caller ends it), or returns undefined when tracing is off. */
export function startSpan(name: string, { kind = SpanKind.INTERNAL, attributes, parent }: SpanOptions = {}): Span | undefined {
  if (!installed) return undefined;
  return trace.getTracer(TRACER_NAME).startSpan(name, { kind, attributes }, parent ?? context.active());
}

/** Marks a span failed with the error, the way every petstore span reports one. */
export function failSpan(span: Span | undefined, error: unknown): void {
  if (!span) return;
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** Runs `fn` inside a new active span that ends when it settles; with tracing off, just runs `fn`. */
export async function inSpan<T>(name: string, options: SpanOptions, fn: (span: Span | undefined) => Promise<T>): Promise<T> {
  const span = startSpan(name, options);
  if (!span) return fn(undefined);
  try {
    return await context.with(trace.setSpan(options.parent ?? context.active(), span), () => fn(span));
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** The trace context of a span as message headers (replacing any it had), so the consumer becomes its child. */
export function headersOfSpan(span: Span | undefined, headers: Record<string, string>): Record<string, string> {
  if (!span) return headers;
  const carrier: Record<string, string> = { ...headers };
  delete carrier.traceparent;
  delete carrier.tracestate;
  propagation.inject(trace.setSpan(ROOT_CONTEXT, span), carrier);
  return carrier;
}

/** Temporal client interceptors that start a span per call and carry the context into the workflow; none when tracing is off. */
export function temporalClientInterceptors(): ClientInterceptors | undefined {
  if (!installed) return undefined;
  const { OpenTelemetryWorkflowClientInterceptor } = require('@temporalio/interceptors-opentelemetry/lib/client') as typeof import('@temporalio/interceptors-opentelemetry/lib/client');
  return { workflow: [new OpenTelemetryWorkflowClientInterceptor()] };
}

/** The trace and span id of the active span, for log lines; empty when there is none. */
export function activeTraceIds(): { trace_id?: string; span_id?: string } {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const { traceId, spanId } = span.spanContext();
  return { trace_id: traceId, span_id: spanId };
}
