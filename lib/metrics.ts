import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { withTimeout } from './wait';

// Every name starts with petstore_ so our series never collide with the Node process metrics or with
// Temporal's own (temporal_*), which its worker runtime serves on a port of its own (TEMPORAL_METRICS_PORT).
const PREFIX = 'petstore_';

/** Seconds: most API calls take milliseconds, a saga-starting POST /orders up to a second or two. */
const HTTP_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Seconds: a saga step takes well under a second when every service answers, up to the payment deadline when one does not. */
const SAGA_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];
/** Seconds from the writing transaction to Kafka: milliseconds when the relay keeps up, longer while Kafka is away. */
const PUBLISH_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
/** Seconds one event's handler takes, its transaction included. */
const HANDLER_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** What a consumer did with a message: applied it, saw it before, had no handler for its type, or parked it. */
export type ConsumeResult = 'applied' | 'duplicate' | 'skipped' | 'dead_lettered';

/** The process's instruments. Everything on a hot path is a counter or histogram update in memory; queries run only at scrape time. */
export interface Metrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
  sagaStepDuration: Histogram<'step' | 'outcome'>;
  cancellations: Counter<'reason'>;
  consumerMessages: Counter<'group' | 'topic' | 'result'>;
  consumerFailures: Counter<'group' | 'topic'>;
  consumerHandleDuration: Histogram<'group' | 'type'>;
  outboxPublishLag: Histogram<'schema'>;
  kafkaRequests: Counter<'client' | 'api'>;
  httpRefused: Counter<'reason'>;
  scrapeErrors: Counter<'source'>;
}

/** A fresh registry with petstore's instruments; `processMetrics` adds Node's (CPU, memory, event loop lag, GC). */
export function createMetrics({ processMetrics = false }: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: 'REST API requests by route pattern, method and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: HTTP_BUCKETS,
      registers,
    }),
    sagaStepDuration: new Histogram({
      name: `${PREFIX}saga_step_duration_seconds`,
      help: 'Time an order spent in a saga step (inventory: waiting for Inventory; payment: waiting for a payment; saga: placed to confirmed or cancelled), by how the step ended',
      labelNames: ['step', 'outcome'],
      buckets: SAGA_BUCKETS,
      registers,
    }),
    cancellations: new Counter({
      name: `${PREFIX}order_cancellations_total`,
      help: 'Orders cancelled (the compensation: restock, refund) by reason',
      labelNames: ['reason'],
      registers,
    }),
    consumerMessages: new Counter({
      name: `${PREFIX}consumer_messages_total`,
      help: 'Messages a consumer group finished with, by result (applied, duplicate, skipped: not for this group, dead_lettered)',
      labelNames: ['group', 'topic', 'result'],
      registers,
    }),
    consumerFailures: new Counter({
      name: `${PREFIX}consumer_handler_failures_total`,
      help: 'Handler attempts that failed (each is retried until CONSUMER_MAX_ATTEMPTS, then dead-lettered)',
      labelNames: ['group', 'topic'],
      registers,
    }),
    consumerHandleDuration: new Histogram({
      name: `${PREFIX}consumer_handle_duration_seconds`,
      help: 'Time to apply one event (its transaction included), by group and event type',
      labelNames: ['group', 'type'],
      buckets: HANDLER_BUCKETS,
      registers,
    }),
    outboxPublishLag: new Histogram({
      name: `${PREFIX}outbox_publish_lag_seconds`,
      help: 'Time from the transaction that wrote an event to its publication on Kafka, by schema',
      labelNames: ['schema'],
      buckets: PUBLISH_BUCKETS,
      registers,
    }),
    kafkaRequests: new Counter({
      name: `${PREFIX}kafka_requests_total`,
      help: 'Requests this process sent to the Kafka brokers, by client (producer, relay, or the consumer group) and Kafka API (Produce, Fetch, OffsetCommit, Heartbeat, ...)',
      labelNames: ['client', 'api'],
      registers,
    }),
    httpRefused: new Counter({
      name: `${PREFIX}http_refused_total`,
      help: 'Requests refused at once by admission control, by reason (capacity, saga_capacity: 503; caller_share: 429; deadline: 503, the caller\'s deadline had passed)',
      labelNames: ['reason'],
      registers,
    }),
    scrapeErrors: new Counter({
      name: `${PREFIX}metrics_scrape_errors_total`,
      help: 'Scrape-time reads (database counts, Kafka offsets) that failed or timed out; their gauges are left out of that scrape',
      labelNames: ['source'],
      registers,
    }),
  };
}

/** One gauge value read at scrape time. */
export interface Sample<L extends string> {
  labels: Partial<Record<L, string | number>>;
  value: number;
}

/**
 * A read shared by the gauges it feeds: concurrent scrapes and the gauges of one scrape share one
 * call, and a result is reused for `maxAgeMs`, so two Prometheus servers do not double the load.
 */
export function sharedRead<T>(read: () => Promise<T>, { timeoutMs = 3000, maxAgeMs = 1000 }: { timeoutMs?: number; maxAgeMs?: number } = {}): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (last && now - last.at < maxAgeMs) return last.value;
    const value = withTimeout(timeoutMs, read());
    last = { at: now, value };
    // A failure is not cached: the next scrape tries again.
    value.catch(() => {
      if (last?.value === value) last = undefined;
    });
    return value;
  };
}

/**
 * A gauge whose samples are read at scrape time. When the read fails the gauge has no samples in
 * that scrape (a stale number would look healthy) and metrics_scrape_errors_total counts it.
 */
export function scrapeGauge<L extends string>(
  metrics: Metrics,
  {
    name,
    help,
    labelNames,
    read,
    onError,
  }: { name: string; help: string; labelNames: readonly L[]; read: () => Promise<Sample<L>[]>; onError?: (error: unknown) => void },
): Gauge<L> {
  return new Gauge<L>({
    name: `${PREFIX}${name}`,
    help,
    labelNames,
    registers: [metrics.registry],
    async collect() {
      let samples: Sample<L>[];
      try {
        samples = await read();
      } catch (error) {
        this.reset();
        metrics.scrapeErrors.inc({ source: name });
        onError?.(error);
        return;
      }
      this.reset();
      for (const { labels, value } of samples) this.set(labels, value);
    },
  });
}
