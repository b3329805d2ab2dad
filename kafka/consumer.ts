import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, Kafka, KafkaMessage, Producer } from 'kafkajs';
import type { Knex } from 'knex';
import type { EventEnvelope, EventType } from '../domain/events';
import { crash, type Component } from '../lib/lifecycle';
import type { Logger } from '../lib/logger';
import { parseEvent, PoisonMessageError } from './envelope';
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
  partitionsConsumedConcurrently = 3,
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
  partitionsConsumedConcurrently?: number;
}): Component {
  let consumer: Consumer | undefined;
  let stopping = false;

  async function apply(event: EventEnvelope): Promise<'applied' | 'duplicate'> {
    const handler = handlers[event.type] as EventHandler<EventType> | undefined;
    return db.transaction(async (trx) => {
      const fresh = await trx
        .withSchema(schema)
        .table('processed_events')
        .insert({ event_id: event.id, consumer_group: group, type: event.type })
        .onConflict(['consumer_group', 'event_id'])
        .ignore()
        .returning('event_id');
      if (fresh.length === 0) return 'duplicate';
      await handler!({ event, trx, logger: logger.child({ eventId: event.id, orderId: event.orderId, type: event.type }) });
      return 'applied';
    });
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
    logger.error({ topic, partition, offset: message.offset, key: message.key?.toString(), attempts, err: error }, 'message dead-lettered');
  }

  async function handleMessage(topic: string, partition: number, message: KafkaMessage): Promise<void> {
    let event: EventEnvelope;
    try {
      event = parseEvent(message.value);
    } catch (error) {
      if (error instanceof PoisonMessageError) return deadLetter(topic, partition, message, error, 1);
      throw error;
    }
    if (!handlers[event.type]) return; // another group's business
    for (let attempt = 1; ; attempt++) {
      try {
        const outcome = await apply(event);
        logger.debug({ eventId: event.id, type: event.type, orderId: event.orderId, outcome }, 'event handled');
        return;
      } catch (error) {
        if (stopping) throw error; // not committed: redelivered after restart
        if (attempt >= maxAttempts) return deadLetter(topic, partition, message, error, attempt);
        const delay = Math.min(100 * 2 ** (attempt - 1), 2000);
        logger.warn({ err: error, eventId: event.id, type: event.type, orderId: event.orderId, attempt, retryInMs: delay }, 'handler failed; retrying');
        await sleep(delay);
      }
    }
  }

  return {
    name: `consumer:${group}`,
    async start() {
      consumer = kafka.consumer({ groupId: group, maxWaitTimeInMs: 50, retry: { retries: 10 } });
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
