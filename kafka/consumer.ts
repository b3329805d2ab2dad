import { setTimeout as sleep } from 'node:timers/promises';
import { SpanKind, type Span } from '@opentelemetry/api';
import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Knex } from 'knex';
import type { EventEnvelope, EventType } from '../domain/events';
import { orderWorkflowId } from '../domain/orders';
import { crash, type Component } from '../lib/lifecycle';
import type { Logger } from '../lib/logger';
import type { ConsumeResult, Metrics } from '../lib/metrics';
import { contextFromHeaders, failSpan, inSpan, tracingEnabled } from '../lib/tracing';
import { isTransient } from '../lib/transient';
import { parseEvent, PoisonMessageError, readHeaders } from './envelope';
import type { OutboxSchema } from './outbox';
import { dlqTopic, type ConsumerGroup } from './topics';

/** What a handler gets: the validated event and the transaction its writes (and emitted events) belong to. */
export interface HandlerContext<T extends EventType> {
  event: EventEnvelope<T>;
  trx: Knex.Transaction;
  logger: Logger;
}

/** Handles one event type. Throwing means "retry"; after maxAttempts failures of its own (not a dependency's outage) the message is dead-lettered. */
export type EventHandler<T extends EventType> = (context: HandlerContext<T>) => Promise<void>;

/** A group's handlers by event type; other types on its topics are not for this group and are skipped. */
export type HandlerMap = { [T in EventType]?: EventHandler<T> };

/** Header names on dead-lettered messages, next to the original headers. */
export const DLQ_HEADERS = {
  error: 'dlq_error',
  topic: 'dlq_original_topic',
  partition: 'dlq_original_partition',
  offset: 'dlq_original_offset',
  group: 'dlq_group',
  attempts: 'dlq_attempts',
  failedAt: 'dlq_failed_at',
} as const;

/**
 * Runs one consumer group: at-least-once delivery made exactly-once in effect by recording each
 * event id in the schema's processed_events table, in the same transaction as the handler's
 * writes. A message that keeps failing goes to the group's dead-letter topic and the partition
 * moves on.
 */
export function eventConsumer({
  kafka,
  producer,
  db,
  group,
  schema,
  topics,
  handlers,
  logger,
  maxAttempts,
  sessionTimeoutMs = 30_000,
  partitionsConsumedConcurrently = 6,
  maxWaitTimeInMs = 500,
  minBytes = 1,
  metadataMaxAgeMs,
  metrics,
}: {
  kafka: Kafka;
  producer: Producer;
  db: Knex;
  group: ConsumerGroup;
  schema: OutboxSchema;
  topics: string[];
  handlers: HandlerMap;
  logger: Logger;
  maxAttempts: number;
  sessionTimeoutMs?: number;
  /** Partitions handled at once; messages of one partition (one key's) stay in order. */
  partitionsConsumedConcurrently?: number;
  /** How long the broker may hold a fetch that has less than minBytes; a fetch with data is answered at once. */
  maxWaitTimeInMs?: number;
  minBytes?: number;
  /** How old the group's metadata may get: partitions added to a topic are picked up (by a rebalance) within it. */
  metadataMaxAgeMs?: number;
  /** Counts what happened to each message and times the handlers. */
  metrics?: Metrics;
}): Component {
  let consumer: Consumer | undefined;
  let stopping = false;

  const count = (topic: string, result: ConsumeResult) => metrics?.consumerMessages.inc({ group, topic, result });

  async function apply(event: EventEnvelope, eventLogger: Logger): Promise<'applied' | 'duplicate'> {
    const handler = handlers[event.type] as EventHandler<EventType> | undefined;
    const started = performance.now();
    const outcome = await db.transaction(async (trx) => {
      const fresh = await trx
        .withSchema(schema)
        .table('processed_events')
        .insert({ event_id: event.id, consumer_group: group, type: event.type })
        .onConflict(['consumer_group', 'event_id'])
        .ignore()
        .returning('event_id');
      if (fresh.length === 0) return 'duplicate';
      await handler!({ event, trx, logger: eventLogger });
      return 'applied' as const;
    });
    metrics?.consumerHandleDuration.observe({ group, type: event.type }, (performance.now() - started) / 1000);
    return outcome;
  }

  async function deadLetter(topic: string, partition: number, message: KafkaMessage, error: unknown, attempts: number): Promise<void> {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await producer.send({
      topic: dlqTopic(group),
      acks: -1,
      messages: [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...message.headers,
            [DLQ_HEADERS.error]: reason.slice(0, 2000),
            [DLQ_HEADERS.topic]: topic,
            [DLQ_HEADERS.partition]: String(partition),
            [DLQ_HEADERS.offset]: message.offset,
            [DLQ_HEADERS.group]: group,
            [DLQ_HEADERS.attempts]: String(attempts),
            [DLQ_HEADERS.failedAt]: new Date().toISOString(),
          },
        },
      ],
    });
    count(topic, 'dead_lettered');
    logger.error({ topic, partition, offset: message.offset, key: message.key?.toString(), attempts, err: error }, 'message dead-lettered');
  }

  async function handleMessage(topic: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>): Promise<void> {
    if (!tracingEnabled()) return consume(topic, partition, message, heartbeat);
    // The message's traceparent (the relay's publish span) is the parent: the trace goes on across Kafka.
    const attributes = {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': topic,
      'messaging.destination.partition.id': String(partition),
      'messaging.consumer.group.name': group,
      'messaging.kafka.offset': Number(message.offset),
    };
    return inSpan(`process ${topic}`, { kind: SpanKind.CONSUMER, parent: contextFromHeaders(readHeaders(message.headers)), attributes }, (span) =>
      consume(topic, partition, message, heartbeat, span),
    );
  }

  async function consume(topic: string, partition: number, message: KafkaMessage, heartbeat: () => Promise<void>, span?: Span): Promise<void> {
    let event: EventEnvelope;
    try {
      event = parseEvent(message.value);
    } catch (error) {
      if (error instanceof PoisonMessageError) {
        failSpan(span, error);
        return deadLetter(topic, partition, message, error, 1);
      }
      throw error;
    }
    span?.setAttributes({ 'messaging.message.id': event.id, 'messaging.kafka.message.key': event.orderId, 'petstore.event.type': event.type });
    if (!handlers[event.type]) return count(topic, 'skipped'); // another group's business
    // Every line about this event, the handler's own included, names the order and its saga.
    const eventLogger = logger.child({ eventId: event.id, type: event.type, orderId: event.orderId, workflowId: orderWorkflowId(event.orderId) });
    // Attempts count the message's own failures; while a dependency is down (Postgres restarting,
    // Temporal unreachable) the message waits instead, so an outage never dead-letters good events.
    let attempts = 0;
    for (let round = 1; ; round++) {
      try {
        const outcome = await apply(event, eventLogger);
        count(topic, outcome);
        eventLogger.debug({ outcome }, 'event handled');
        return;
      } catch (error) {
        metrics?.consumerFailures.inc({ group, topic });
        if (stopping) throw error; // not committed: redelivered after restart
        const transient = isTransient(error);
        if (!transient) attempts++;
        if (attempts >= maxAttempts) {
          failSpan(span, error);
          return deadLetter(topic, partition, message, error, attempts);
        }
        const delay = Math.min(100 * 2 ** (Math.min(round, 6) - 1), 2000);
        eventLogger.warn({ err: error, attempt: attempts, transient, retryInMs: delay }, transient ? 'a dependency is unavailable; waiting' : 'handler failed; retrying');
        await sleep(delay);
        // Still ours? A long wait must not outlive the group session; if the partition moved, the
        // uncommitted message goes to its new owner.
        await heartbeat();
      }
    }
  }

  return {
    name: `consumer:${group}`,
    async start() {
      consumer = kafka.consumer({
        groupId: group,
        maxWaitTimeInMs,
        minBytes,
        ...(metadataMaxAgeMs === undefined ? {} : { metadataMaxAge: metadataMaxAgeMs }),
        sessionTimeout: sessionTimeoutMs,
        heartbeatInterval: Math.min(3000, Math.floor(sessionTimeoutMs / 3)),
        retry: { retries: 10 },
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        // kafkajs restarts on retriable errors itself; anything else must not stall silently.
        if (!payload.restart && !stopping) crash(logger, `consumer:${group}`, payload.error);
      });
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: true });
      await consumer.run({
        partitionsConsumedConcurrently,
        eachMessage: ({ topic, partition, message, heartbeat }) => handleMessage(topic, partition, message, heartbeat),
      });
      logger.info({ group, topics }, 'consumer running');
    },
    async stop() {
      stopping = true;
      await consumer?.disconnect();
    },
  };
}
