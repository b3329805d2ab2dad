import { createTraceState, type SpanContext } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { OpenTelemetrySinks, SerializableSpan } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions';
import type { InjectedSinks, WorkerOptions } from '@temporalio/worker';
import type { WorkflowInfo } from '@temporalio/workflow';
import type { Tracing } from '../lib/tracing';

// @temporalio/interceptors-opentelemetry 1.24 is built on OpenTelemetry's 1.x SDK (its own nested copy,
// bundled into the workflow sandbox), while this process runs the 2.x SDK. The context API (1.x) is shared,
// so activity and client spans need nothing; workflow spans cross the sandbox in the 1.x shape
// (parentSpanId, instrumentationLibrary) and are converted here before our 2.x processor sees them.

/** The workflow's identity as span attributes, with the interceptors' own attribute names. */
type WorkflowIdentity = Pick<WorkflowInfo, 'workflowId' | 'runId' | 'workflowType'>;

/** A span recorded inside the workflow sandbox (1.x shape) as the 2.x SDK's ReadableSpan. */
export function toReadableSpan(span: SerializableSpan, info: WorkflowIdentity, resource: Resource): ReadableSpan {
  const { traceState, ...ids } = span.spanContext;
  const spanContext: SpanContext = { ...ids, ...(traceState ? { traceState: createTraceState(traceState) } : {}) };
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => spanContext,
    parentSpanContext: span.parentSpanId ? { traceId: spanContext.traceId, spanId: span.parentSpanId, traceFlags: spanContext.traceFlags } : undefined,
    startTime: span.startTime,
    endTime: span.endTime,
    status: span.status,
    attributes: { ...span.attributes, temporalWorkflowId: info.workflowId, run_id: info.runId, temporalWorkflowType: info.workflowType },
    links: span.links,
    events: span.events,
    duration: span.duration,
    ended: span.ended,
    resource,
    instrumentationScope: span.instrumentationLibrary,
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
  };
}

/** The sink the workflow interceptors export their spans through; not called on replay, so a replayed workflow exports nothing twice. */
export function workflowSpanSinks({ processor, resource }: Pick<Tracing, 'processor' | 'resource'>): InjectedSinks<OpenTelemetrySinks> {
  return {
    exporter: {
      export: {
        fn: (info, spans) => {
          for (const span of spans) processor.onEnd(toReadableSpan(span, info, resource));
        },
      },
    },
  };
}

/**
 * What the worker adds when tracing is on: the workflow interceptors in the bundle (a span for the run,
 * each signal, update and activity it schedules, carried in Temporal headers), activity interceptors (a
 * span per execution, child of the workflow's), and the sink for workflow spans. Nothing when off.
 */
export function workerTracingOptions(tracing: Tracing | undefined): Partial<WorkerOptions> {
  if (!tracing) return {};
  const { OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } =
    require('@temporalio/interceptors-opentelemetry/lib/worker') as typeof import('@temporalio/interceptors-opentelemetry/lib/worker');
  return {
    interceptors: {
      workflowModules: [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')],
      activity: [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx), outbound: new OpenTelemetryActivityOutboundInterceptor(ctx) })],
    },
    sinks: workflowSpanSinks(tracing),
  };
}
