import type { Client } from '@temporalio/client';
import { Runtime } from '@temporalio/worker';
import type { Admin } from 'kafkajs';
import type { Knex } from 'knex';
import { createActivities } from '../activities';
import { httpServer } from '../api/server';
import { createLoginDatabases } from '../db/knex';
import { loginConfig } from '../db/logins';
import { provisionLogins } from '../db/roles';
import { migrateLatest } from '../db/migrate';
import { seedPets } from '../db/seeds/pets';
import { createKafka } from '../kafka/client';
import { eventConsumer, type HandlerMap } from '../kafka/consumer';
import type { OutboxSchema } from '../kafka/outbox';
import { countKafkaRequests, createProducer } from '../kafka/producer';
import { outboxRelay } from '../kafka/relay';
import { kafkaNames } from '../kafka/topics';
import type { Config } from '../lib/config';
import type { Component } from '../lib/lifecycle';
import type { Logger } from '../lib/logger';
import { createMetrics } from '../lib/metrics';
import { createTemporalClient } from '../lib/temporal';
import { setupTracing } from '../lib/tracing';
import { SERVICE_NAMES, SERVICES, type ServiceName } from '../services';
import { createAuditRepository } from '../services/audit/audit';
import { createPetsRepository } from '../services/inventory/pets';
import { createContactsRepository } from '../services/notifications/contacts';
import { createWebhooksRepository } from '../services/notifications/subscriptions';
import { notificationDelivery, subscriptionDelivery, webhookPolicyOf } from '../services/notifications/wiring';
import { createNotificationsRepository } from '../services/notifications/notifications';
import { createOrdersRepository } from '../services/orders/orders';
import { orderHistoryHandlers } from '../services/order-history/handlers';
import { findHistory } from '../services/order-history/store';
import { createOrderStatusFeed } from '../services/orders/status-feed';
import { createSimulatedGateway, postgresLedger } from '../services/payments/gateway';
import { createPaymentsRepository, sealLegacyPaymentTokens } from '../services/payments/payments';
import { sealedTokenGateway } from '../services/payments/sealed-gateway';
import { paymentTokenKeys, requestHashKey, temporalCodecKeys } from '../lib/keyring';
import { healthPort } from './health';
import { postgresRateLimitCounter } from './rate-limit-counter';
import { metricsServer, registerScrapeGauges, temporalTelemetry } from './metrics';
import { temporalLogger } from './temporal-logger';
import { temporalWorker } from './temporal-worker';
import { workerTracingOptions } from './worker-tracing';

/** The kinds of long-running part one process can run; each can be deployed and scaled on its own. */
export const ROLES = ['relay', 'consumers', 'worker', 'api'] as const;
/** One kind of long-running part. */
export type Role = (typeof ROLES)[number];

/** What one `petstore serve` process runs. */
export interface ServeOptions {
  services?: readonly ServiceName[];
  /** Which kinds of part to run (default all); the worker runs only with the orders service. */
  roles?: readonly Role[];
  /** Serve the REST API (default true). */
  api?: boolean;
  /** Add the demo catalogue after migrating (local use). */
  seed?: boolean;
}

/**
 * Connects lazily and once; a failed connect is forgotten (the next caller tries again), `reset`
 * drops a connection that stopped working, and `close` ends the connection if it was made.
 */
function lazy<T>(make: () => Promise<T>, close: (value: T) => Promise<void>) {
  let made: Promise<T> | undefined;
  const drop = async () => {
    const current = made;
    made = undefined;
    if (current) await current.then(close).catch(() => undefined);
  };
  return {
    get: () =>
      (made ??= make().catch((error: unknown) => {
        made = undefined;
        throw error;
      })),
    reset: drop,
    close: drop,
  };
}

/**
 * The components of one process, in start order: database (migrated), outbox relay, each
 * service's consumer, the Temporal worker (with the Order service) and the REST API.
 */
export function serveComponents({ config, logger, options = {} }: { config: Config; logger: Logger; options?: ServeOptions }): Component[] {
  const services = options.services ?? SERVICE_NAMES;
  const roles = new Set<Role>(options.roles ?? ROLES);
  if (options.api === false) roles.delete('api');
  try {
    Runtime.install({ logger: temporalLogger(logger.child({ component: 'temporal-sdk' })), telemetryOptions: temporalTelemetry(config) });
  } catch {
    // already installed in this process
  }
  // Before any client exists: the Temporal client and the worker pick their interceptors from it.
  const tracing = setupTracing({ config, logger });
  const metrics = createMetrics({ processMetrics: true });
  // One pool per database login (DATABASE_ROLES): each part below is handed the pool of the login it owns.
  const dbs = createLoginDatabases(config, { poolMax: config.postgres.poolMax, own: { gateway: 4 } });
  const kafka = createKafka(config, { sink: (level, message, extra) => logger[level]({ component: 'kafkajs', ...extra }, message) });
  const producer = createProducer(kafka, config.kafka);
  countKafkaRequests(producer, 'producer', metrics);
  const temporal = lazy<Client>(() => createTemporalClient(config), (c) => c.connection.close());
  const admin = lazy<Admin>(
    async () => {
      const a = kafka.admin();
      await a.connect();
      return a;
    },
    (a) => a.disconnect(),
  );
  // Keys first: a deployment without them stops here, with the variable's name, not at its first order.
  const paymentTokens = paymentTokenKeys(config);
  const hashKey = requestHashKey(config);
  temporalCodecKeys(config);
  // Tokens rest sealed in Payment's books and are opened only for the processor's call.
  // The simulated processor keeps its books on connections of its own, as a remote system would.
  const gateway = sealedTokenGateway(createSimulatedGateway(postgresLedger(dbs.of('gateway'))), paymentTokens);
  const deps = { temporal: temporal.get, gateway, paymentTokenKeys: paymentTokens, logger, maxHeldUnits: config.limits.heldUnitsPerCustomer };
  const names = kafkaNames(config.namespace);
  // Each service's group and the topics it reads, as this deployment calls them on Kafka.
  const kafkaOf = (service: ServiceName) => ({ group: names.groups[service], topics: SERVICES[service].topics.map(names.topic) });
  // The order-history projection reads every event topic with a group of its own, beside the Order service's consumers.
  const history = services.includes('orders') ? { group: names.groups.orderHistory, topics: names.eventTopics } : undefined;

  const components: Component[] = [
    {
      name: 'database',
      async start() {
        const applied = await migrateLatest(dbs.admin);
        if (applied.length) logger.info({ applied }, 'database migrated');
        const roles = await provisionLogins(dbs.admin, config);
        if (roles.length) logger.debug({ roles }, 'database login roles granted');
        if (services.includes('payments')) {
          const sealed = await sealLegacyPaymentTokens(dbs.admin, paymentTokens);
          if (sealed) logger.info({ sealed }, 'payment tokens stored in clear were sealed');
        }
        if (options.seed) {
          const added = await seedPets(dbs.admin);
          if (added) logger.info({ added }, 'demo catalogue seeded');
        }
      },
      async stop() {
        await temporal.close();
        await admin.close();
        await dbs.destroy();
      },
    },
  ];
  // Each process reports the parts it runs; the gauges query only when scraped.
  registerScrapeGauges(
    metrics,
    {
      kafkaAdmin: admin.get,
      ...(services.includes('orders') ? { orders: dbs.of('orders') } : {}),
      ...(roles.has('relay') ? { outboxes: { db: dbs.of('relay'), schemas: services.map((s) => SERVICES[s].schema) } } : {}),
      consumerGroups: roles.has('consumers') ? [...services.map(kafkaOf), ...(history ? [history] : [])] : [],
    },
    logger.child({ component: 'metrics' }),
  );
  // With the API, its own internal listener serves /metrics (and the detailed readiness, the internal API).
  if (config.metrics.port !== undefined && !roles.has('api')) {
    components.push(metricsServer({ host: config.http.host, port: config.metrics.port, metrics, logger: logger.child({ component: 'metrics' }) }));
  }
  // Consumers dead-letter through the shared producer too: it must be connected in a consumers-only process.
  if (roles.has('relay') || roles.has('consumers')) {
    components.push({ name: 'kafka-producer', start: () => producer.connect(), stop: () => producer.disconnect() });
  }
  // First to start, last to stop: spans of everything else's shutdown are still exported.
  if (tracing) components.unshift({ name: 'tracing', start: async () => undefined, stop: () => tracing.shutdown() });
  if (roles.has('relay')) {
    components.push(
      outboxRelay({
        config: loginConfig(config, 'relay'),
        db: dbs.of('relay'),
        producer,
        // Per schema: a producer of its own (kafkajs sends one request at a time per idempotent producer).
        producerFor: config.relay.producerPerSchema
          ? (schema) => {
              const own = createProducer(kafka, config.kafka);
              countKafkaRequests(own, `relay:${schema}`, metrics);
              return own;
            }
          : undefined,
        schemas: services.map((s) => SERVICES[s].schema),
        logger: logger.child({ component: 'outbox-relay' }),
        onPublished: (schema, lagMs) => metrics.outboxPublishLag.observe({ schema }, Math.max(0, lagMs) / 1000),
      }),
    );
  }
  if (roles.has('consumers')) {
    const consumerOf = (part: { group: string; topics: string[]; db: Knex; schema: OutboxSchema | 'order_history'; handlers: HandlerMap; component: string }) =>
      eventConsumer({
        kafka,
        producer,
        db: part.db,
        group: part.group,
        topics: part.topics,
        schema: part.schema,
        handlers: part.handlers,
        logger: logger.child({ component: part.component }),
        maxAttempts: config.consumers.maxAttempts,
        sessionTimeoutMs: config.consumers.sessionTimeoutMs,
        partitionsConsumedConcurrently: config.consumers.partitionsConcurrently,
        maxWaitTimeInMs: config.consumers.maxWaitMs,
        minBytes: config.consumers.minBytes,
        commitIntervalMs: config.consumers.commitIntervalMs,
        metadataMaxAgeMs: config.kafka.metadataMaxAgeMs,
        metrics,
      });
    components.push(
      ...services.map((name) => {
        const service = SERVICES[name];
        return consumerOf({ ...kafkaOf(name), db: dbs.of(name), schema: service.schema, handlers: service.handlers({ ...deps, db: dbs.of(name) }), component: `consumer:${name}` });
      }),
    );
    if (history) components.push(consumerOf({ ...history, schema: 'order_history', db: dbs.of('orders'), handlers: orderHistoryHandlers({ db: dbs.of('orders') }), component: 'consumer:order-history' }));
  }
  // Webhooks and email go out beside the consumers that queue them, never inside their transactions.
  if (roles.has('consumers') && services.includes('notifications')) {
    components.push(notificationDelivery({ config, db: dbs.of('notifications'), logger: logger.child({ component: 'notification-delivery' }) }));
    components.push(subscriptionDelivery({ config, db: dbs.of('notifications'), logger: logger.child({ component: 'webhook-subscription-delivery' }) }));
  }
  if (roles.has('worker') && services.includes('orders')) {
    components.push(
      temporalWorker({
        config,
        logger: logger.child({ component: 'temporal-worker' }),
        activities: createActivities({ db: dbs.of('orders'), metrics, logger: logger.child({ component: 'activities' }), paymentTokenKeys: paymentTokens }),
        options: workerTracingOptions(tracing),
      }),
    );
  }
  if (roles.has('api')) {
    // The live order streams' LISTEN connection, opened on the first stream; closed after the HTTP server (reverse order).
    const orderStatusFeed = createOrderStatusFeed({ config: loginConfig(config, 'orders'), logger: logger.child({ component: 'order-status-feed' }) });
    components.push({ name: 'order-status-feed', start: async () => undefined, stop: () => orderStatusFeed.close() });
    components.push(
      httpServer({
        config,
        logger: logger.child({ component: 'api' }),
        metrics,
        ...(config.rateLimit?.store === 'postgres' ? { rateLimitCounter: postgresRateLimitCounter(dbs.of('edge')) } : {}),
        ports: {
          pets: createPetsRepository(dbs.of('inventory')),
          orders: createOrdersRepository({ db: dbs.of('orders'), temporal: temporal.get, config, metrics, logger: logger.child({ component: 'orders' }) }),
          payments: createPaymentsRepository({ db: dbs.of('payments'), gateway, tokenKeys: paymentTokens, hashKey }),
          notifications: createNotificationsRepository(dbs.of('notifications')),
          contacts: createContactsRepository(dbs.of('notifications')),
          webhooks: createWebhooksRepository(dbs.of('notifications'), { policy: webhookPolicyOf(config) }),
          audit: createAuditRepository(dbs.of('edge')),
          orderHistory: { find: (orderId) => findHistory(dbs.of('orders'), orderId) },
          health: healthPort({ db: dbs.of('edge'), kafkaAdmin: admin.get, onKafkaDown: admin.reset, temporal: temporal.get }),
          orderStatusFeed,
        },
      }),
    );
  }
  return components;
}
