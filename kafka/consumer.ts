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
import { parseEvent, PoisonMessageError, readHeaders } from './envelope';
import type { OutboxSchema } from './outbox';
import { dlqTopic, type ConsumerGroup } from './topics';

/** What a handler gets: the validated event and the transaction its writes (and emitted events) belong to. */
export interface HandlerContext<T extends EventType> {
  event: EventEnvelope<T>;
  trx: Knex.Transaction;
  logger: Logger;
}

/** Handles one event type. Throwing means "retry"; after maxAttempts the message is dead-lettered. */
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
  partitionsConsumedConcurrently = 3,
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
  partitionsConsumedConcurrently?: number;
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

  async function handleMessage(topic: string, partition: number, message: KafkaMessage): Promise<void> {
    if (!tracingEnabled()) return consume(topic, partition, message);
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
      consume(topic, partition, message, span),
    );
  }

  async function consume(topic: string, partition: number, message: KafkaMessage, span?: Span): Promise<void> {
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
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await apply(event, eventLogger);
        count(topic, outcome);
        eventLogger.debug({ outcome }, 'event handled');
        return;
      } catch (error) {
        metrics?.consumerFailures.inc({ group, topic });
        if (stopping) throw error; // not committed: redelivered after restart
        if (attempt >= maxAttempts) {
          failSpan(span, error);
          return deadLetter(topic, partition, message, error, attempt);
        }
        const delay = Math.min(100 * 2 ** (attempt - 1), 2000);
        eventLogger.warn({ err: error, attempt, retryInMs: delay }, 'handler failed; retrying');
        await sleep(delay);
      }
    }
  }

  return {
    name: `consumer:${group}`,
    async start() {
      consumer = kafka.consumer({
        groupId: group,
        maxWaitTimeInMs: 50,
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
        eachMessage: ({ topic, partition, message }) => handleMessage(topic, partition, message),
      });
      logger.info({ group, topics }, 'consumer running');
    },
    async stop() {
      stopping = true;
      await consumer?.disconnect();
    },
  };
}
