import { Writable } from 'node:stream';
import { trace, type Span } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { SerializableSpan } from '@temporalio/interceptors-opentelemetry/lib/workflow/definitions';
import type { Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Knex } from 'knex';
import type { EventEnvelope } from '../../domain/events';
import { eventConsumer } from '../../kafka/consumer';
import { newEvent, readHeaders } from '../../kafka/envelope';
import { writeEvents } from '../../kafka/outbox';
import { loadConfig } from '../../lib/config';
import { createLogger } from '../../lib/logger';
import { createMetrics } from '../../lib/metrics';
import { contextFromHeaders, headersOfSpan, inSpan, setupTracing, startSpan, traceHeaders, tracingEnabled, type Tracing } from '../../lib/tracing';
import { workflowSpanSinks } from '../../runtime/worker-tracing';

const silent = createLogger('silent');
const placed = () => newEvent('OrderPlaced', { source: 'orders', orderId: 'o-1', data: { userId: 'u-1', items: [{ petId: 'p-1', quantity: 1 }], paymentToken: 'tok_ok' } });

/** A knex stand-in that records outbox inserts and answers every query chain with one row. */
function fakeDb() {
  const inserted: Record<string, unknown>[] = [];
  const chain: unknown = new Proxy(() => undefined, {
    get: (_target, prop) => {
      if (prop === 'then') return (resolve: (rows: unknown[]) => void) => resolve([{ event_id: 'fresh' }]);
      if (prop === 'insert') return (rows: Record<string, unknown>[] | Record<string, unknown>) => (inserted.push(...[rows].flat()), chain);
      return () => chain;
    },
  });
  const db = { transaction: async (work: (trx: unknown) => Promise<unknown>) => work(chain) } as unknown as Knex;
  return { db, trx: chain as Knex.Transaction, inserted };
}

/** A kafkajs stand-in: the consumer's eachMessage is handed to the test, dead letters are recorded. */
function fakeKafka() {
  let eachMessage: ((payload: { topic: string; partition: number; message: KafkaMessage }) => Promise<void>) | undefined;
  const kafka = {
    consumer: () => ({
      events: { CRASH: 'consumer.crash' },
      on: () => undefined,
      connect: async () => undefined,
      subscribe: async () => undefined,
      run: async (options: { eachMessage: typeof eachMessage }) => {
        eachMessage = options.eachMessage;
      },
      disconnect: async () => undefined,
    }),
  } as unknown as Kafka;
  const deadLetters: unknown[] = [];
  const producer = { send: async (record: unknown) => deadLetters.push(record) } as unknown as Producer;
  return { kafka, producer, deadLetters, deliver: (topic: string, message: KafkaMessage) => eachMessage!({ topic, partition: 2, message }) };
}

const message = (event: EventEnvelope | string, headers: Record<string, string>): KafkaMessage =>
  ({
    key: Buffer.from('o-1'),
    value: Buffer.from(typeof event === 'string' ? event : JSON.stringify(event)),
    headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
    offset: '41',
    timestamp: '0',
    attributes: 0,
  }) as KafkaMessage;

describe('tracing off (no endpoint configured)', () => {
  it('loads no SDK, injects no header and runs the work without a span', async () => {
    expect(setupTracing({ config: loadConfig({}), logger: silent })).toBeUndefined();
    expect(tracingEnabled()).toBe(false);
    expect(traceHeaders()).toEqual({});
    expect(startSpan('nothing')).toBeUndefined();
    await expect(inSpan('nothing', {}, async (span) => span)).resolves.toBeUndefined();
    const { trx, inserted } = fakeDb();
    await writeEvents(trx, 'orders', [placed()]);
    expect(JSON.parse(inserted[0]!.headers as string)).not.toHaveProperty('traceparent');
  });
});

describe('a trace across the outbox, Kafka and a consumer', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  const finished = async (): Promise<ReadableSpan[]> => {
    await tracing.processor.forceFlush();
    return exporter.getFinishedSpans();
  };
  beforeAll(() => {
    tracing = setupTracing({ config: loadConfig({}), logger: silent, exporter })!;
  });
  beforeEach(() => exporter.reset());

  it('carries the writer\'s traceparent in the outbox headers, re-parents it on the publish span, and the consumer continues the trace', async () => {
    const event = placed();
    const { trx, inserted } = fakeDb();
    let writer: Span | undefined;
    await inSpan('RunActivity:placeOrder', {}, async (span) => {
      writer = span;
      await writeEvents(trx, 'orders', [event]);
    });
    const rowHeaders = JSON.parse(inserted[0]!.headers as string) as Record<string, string>;
    const traceId = writer!.spanContext().traceId;
    expect(rowHeaders).toEqual({ traceparent: `00-${traceId}-${writer!.spanContext().spanId}-01` });

    // What the relay does for each row: a publish span, child of the writer, whose context the message carries.
    const publish = startSpan('publish orders', { parent: contextFromHeaders(rowHeaders) })!;
    const sent = headersOfSpan(publish, rowHeaders);
    publish.end();
    expect(sent.traceparent).toBe(`00-${traceId}-${publish.spanContext().spanId}-01`);

    const seen: { traceId?: string; logLine?: Record<string, unknown> } = {};
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const metrics = createMetrics();
    const { kafka, producer, deliver } = fakeKafka();
    const consumer = eventConsumer({
      kafka,
      producer,
      db: fakeDb().db,
      group: 'petstore-inventory',
      schema: 'inventory',
      topics: ['orders'],
      maxAttempts: 1,
      metrics,
      logger: createLogger('info', sink, { traceIds: true }),
      handlers: {
        async OrderPlaced({ logger }) {
          seen.traceId = trace.getActiveSpan()?.spanContext().traceId;
          logger.info('reserving');
        },
      },
    });
    await consumer.start();
    await deliver('orders', message(event, sent));

    expect(seen.traceId).toBe(traceId);
    const spans = await finished();
    const processSpan = spans.find((s) => s.name === 'process orders')!;
    expect(processSpan.spanContext().traceId).toBe(traceId);
    expect(processSpan.parentSpanContext?.spanId).toBe(publish.spanContext().spanId);
    expect(processSpan.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.name': 'orders',
      'messaging.consumer.group.name': 'petstore-inventory',
      'messaging.message.id': event.id,
    });
    // The handler's log line names the event, the order, its saga, and the trace.
    expect(lines.find((l) => l.msg === 'reserving')).toMatchObject({
      eventId: event.id,
      orderId: 'o-1',
      workflowId: 'order-o-1',
      trace_id: traceId,
      span_id: processSpan.spanContext().spanId,
    });
    const text = await metrics.registry.metrics();
    expect(text).toContain('petstore_consumer_messages_total{group="petstore-inventory",topic="orders",result="applied"} 1');
    expect(text).toContain('petstore_consumer_handle_duration_seconds_count{group="petstore-inventory",type="OrderPlaced"} 1');
    await consumer.stop();
  });

  it('marks the consumer span failed when a message is dead-lettered, and counts it', async () => {
    const metrics = createMetrics();
    const { kafka, producer, deliver, deadLetters } = fakeKafka();
    const consumer = eventConsumer({ kafka, producer, db: fakeDb().db, group: 'petstore-orders', schema: 'orders', topics: ['orders'], maxAttempts: 1, metrics, logger: silent, handlers: {} });
    await consumer.start();
    await deliver('orders', message('{not json', {}));
    expect(deadLetters).toHaveLength(1);
    const [span] = await finished();
    expect(span).toMatchObject({ name: 'process orders', status: { code: 2 } }); // no traceparent: a new trace
    expect(await metrics.registry.metrics()).toContain('petstore_consumer_messages_total{group="petstore-orders",topic="orders",result="dead_lettered"} 1');
    await consumer.stop();
  });

  it('exports the workflow sandbox\'s spans (OpenTelemetry 1.x shape) through the 2.x processor, parent and scope kept', async () => {
    const traceId = 'a'.repeat(32);
    const serialized: SerializableSpan = {
      name: 'RunWorkflow:orderSaga',
      kind: 0,
      spanContext: { traceId, spanId: 'b'.repeat(16), traceFlags: 1, traceState: 'vendor=x' },
      parentSpanId: 'c'.repeat(16),
      startTime: [1, 0],
      endTime: [2, 0],
      status: { code: 1 },
      attributes: {},
      links: [],
      events: [],
      duration: [1, 0],
      ended: true,
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
      instrumentationLibrary: { name: '@temporalio/interceptor-workflow' },
    };
    const sinks = workflowSpanSinks(tracing);
    const info = { workflowId: 'order-o-1', runId: 'r-1', workflowType: 'orderSaga' } as Parameters<typeof sinks.exporter.export.fn>[0];
    await sinks.exporter.export.fn(info, [serialized]);
    const [span] = await finished();
    expect(span!.spanContext()).toMatchObject({ traceId, spanId: 'b'.repeat(16) });
    expect(span!.spanContext().traceState?.get('vendor')).toBe('x');
    expect(span!.parentSpanContext).toMatchObject({ traceId, spanId: 'c'.repeat(16) });
    expect(span!.instrumentationScope.name).toBe('@temporalio/interceptor-workflow');
    expect(span!.attributes).toMatchObject({ temporalWorkflowId: 'order-o-1', run_id: 'r-1', temporalWorkflowType: 'orderSaga' });
    expect(span!.resource.attributes['service.name']).toBe('petstore');
  });

  it('reads traceparent from kafkajs header buffers', () => {
    const headers = readHeaders({ traceparent: Buffer.from(`00-${'1'.repeat(32)}-${'2'.repeat(16)}-01`) });
    const context = contextFromHeaders(headers);
    expect(trace.getSpanContext(context)).toMatchObject({ traceId: '1'.repeat(32), spanId: '2'.repeat(16), isRemote: true });
  });
});
