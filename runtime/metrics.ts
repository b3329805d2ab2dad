import { createServer, type Server } from 'node:http';
import type { TelemetryOptions } from '@temporalio/worker';
import type { Admin } from 'kafkajs';
import type { Knex } from 'knex';
import { consumerOffsets } from '../kafka/lag';
import { outboxBacklog, type OutboxSchema } from '../kafka/outbox';
import type { ConsumerGroup } from '../kafka/topics';
import type { Config } from '../lib/config';
import type { Component } from '../lib/lifecycle';
import type { Logger } from '../lib/logger';
import { scrapeGauge, sharedRead, type Metrics } from '../lib/metrics';
import { countOrdersByStatus } from '../services/orders/status-counts';

/** What the scrape-time gauges read, and which of them this process reports. */
export interface ScrapeSources {
  kafkaAdmin: () => Promise<Admin>;
  /** Orders by status, read with the Order service's pool: in processes that run the Order service. */
  orders?: Knex;
  /** Outbox backlog of these schemas, read with the relay's pool: in processes that run their relay. */
  outboxes?: { db: Knex; schemas: readonly OutboxSchema[] };
  /** Lag and dead letters of these groups: in processes that run their consumers. */
  consumerGroups: readonly { group: ConsumerGroup; topics: readonly string[] }[];
}

/**
 * The gauges computed when Prometheus scrapes, each process reporting the parts it runs: orders by
 * status (one grouped count), each schema's outbox backlog (only unsent rows are read), each group's
 * lag per partition and dead-letter count (broker offsets). Nothing runs between scrapes.
 */
export function registerScrapeGauges(metrics: Metrics, { kafkaAdmin, orders, outboxes, consumerGroups }: ScrapeSources, logger: Logger): void {
  const failed = (source: string) => (error: unknown) => logger.warn({ err: error, source }, 'metrics: scrape-time read failed; its gauges are left out of this scrape');

  if (orders) {
    const counts = sharedRead(() => countOrdersByStatus(orders));
    scrapeGauge(metrics, {
      name: 'orders',
      help: 'Orders by status, counted in the orders table at scrape time',
      labelNames: ['status'],
      read: async () => Object.entries(await counts()).map(([status, value]) => ({ labels: { status }, value })),
      onError: failed('orders'),
    });
  }

  if (outboxes && outboxes.schemas.length > 0) {
    const backlog = sharedRead(() => outboxBacklog(outboxes.db, outboxes.schemas));
    scrapeGauge(metrics, {
      name: 'outbox_unpublished_events',
      help: 'Events written to a schema\'s outbox and not yet published to Kafka',
      labelNames: ['schema'],
      read: async () => (await backlog()).map((b) => ({ labels: { schema: b.schema }, value: b.unpublished })),
      onError: failed('outbox'),
    });
    scrapeGauge(metrics, {
      name: 'outbox_oldest_unpublished_age_seconds',
      help: 'How long the oldest unpublished event of a schema\'s outbox has waited (0 when none waits)',
      labelNames: ['schema'],
      read: async () => (await backlog()).map((b) => ({ labels: { schema: b.schema }, value: b.oldestAgeSeconds })),
    });
  }

  if (consumerGroups.length > 0) {
    const offsets = sharedRead(async () => consumerOffsets(await kafkaAdmin(), consumerGroups));
    scrapeGauge(metrics, {
      name: 'consumer_lag_messages',
      help: 'Messages of a partition a consumer group has not committed yet (high watermark minus committed offset)',
      labelNames: ['group', 'topic', 'partition'],
      read: async () => (await offsets()).lag.map(({ group, topic, partition, lag }) => ({ labels: { group, topic, partition }, value: lag })),
      onError: failed('kafka-offsets'),
    });
    scrapeGauge(metrics, {
      name: 'dead_letter_messages',
      help: 'Messages in a consumer group\'s dead-letter topic (they stay after a replay; the replay is recorded in the audit)',
      labelNames: ['group'],
      read: async () => (await offsets()).deadLetters.map(({ group, messages }) => ({ labels: { group }, value: messages })),
    });
  }
}

/**
 * A listener that serves only GET /metrics on HOST:METRICS_PORT, for processes without the REST API
 * (`serve --no-api`, `--only worker`); in a process with the API it is a second door to the same registry.
 */
export function metricsServer({ host, port, metrics, logger }: { host: string; port: number; metrics: Metrics; logger: Logger }): Component {
  let server: Server | undefined;
  return {
    name: 'metrics',
    async start() {
      const listening = createServer((request, response) => {
        if (request.method !== 'GET' || request.url?.split('?')[0] !== '/metrics') {
          response.writeHead(404, { 'content-type': 'text/plain' }).end('not found; metrics are at /metrics\n');
          return;
        }
        metrics.registry.metrics().then(
          (text) => response.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
          (error: unknown) => {
            logger.error({ err: error }, 'metrics: scrape failed');
            response.writeHead(500, { 'content-type': 'text/plain' }).end('scrape failed\n');
          },
        );
      });
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(port, host, () => resolve());
      });
      server = listening;
      logger.info({ url: `http://${host}:${port}/metrics` }, 'metrics listening');
    },
    async stop() {
      const closing = server;
      server = undefined;
      if (!closing) return;
      closing.closeAllConnections();
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
  };
}

/** Temporal's own worker metrics (temporal_*, served by its runtime in Prometheus format) on HOST:TEMPORAL_METRICS_PORT; off when unset. */
export function temporalTelemetry(config: Config): TelemetryOptions | undefined {
  const port = config.metrics.temporalPort;
  return port === undefined ? undefined : { metrics: { prometheus: { bindAddress: `${config.http.host}:${port}` } } };
}
