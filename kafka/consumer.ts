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
import { eventTypeOfHeaders, parseEvent, PoisonMessageError, readHeaders } from './envelope';
import type { OutboxSchema } from './outbox';
import { countKafkaRequests } from './producer';
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

/** What a stateless handler gets: the event, no transaction. */
export interface StatelessContext<T extends EventType> {
  event: EventEnvelope<T>;
  logger: Logger;
}

const STATELESS = new WeakMap<object, (context: StatelessContext<EventType>) => Promise<void>>();

/**
 * Marks a handler whose effect is idempotent by itself and touches no table of ours (a signal to a saga,
 * which ignores an event id it has seen): it runs without a transaction or a processed-events row,
 * three round trips to Postgres fewer per event.
 */
export function stateless<T extends EventType>(handler: (context: StatelessContext<T>) => Promise<void>): EventHandler<T> {
  const wrapped: EventHandler<T> = ({ event, logger }) => handler({ event, logger });
  STATELESS.set(wrapped, handler as (context: StatelessContext<EventType>) => Promise<void>);
  return wrapped;
}

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
  commitIntervalMs = 1000,
  metadataMaxAgeMs,
  metrics,
}: {
  kafka: Kafka;
  producer: Producer;
  db: Knex;
  group: ConsumerGroup;
  /** The schema whose processed_events table records what was applied (unused when every handler is stateless). */
  schema: OutboxSchema | 'order_history';
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
  /**
   * How often handled offsets are committed (0: after every batch, as kafkajs does). A crash redelivers
   * at most this much, which the processed-events table and the saga's own dedupe make harmless.
   */
  commitIntervalMs?: number;
  /** How old the group's metadata may get: partitions added to a topic are picked up (by a rebalance) within it. */
  metadataMaxAgeMs?: number;
  /** Counts what happened to each message and times the handlers. */
  metrics?: Metrics;
}): Component {
  let consumer: Consumer | undefined;
  let stopping = false;
  let inFlight = 0;
  let commitTimer: NodeJS.Timeout | undefined;
  /** The next offset to read of each partition whose messages were handled since the last commit. */
  const handled = new Map<string, { topic: string; partition: number; offset: string }>();

  async function commitHandled(): Promise<void> {
    if (!consumer || handled.size === 0) return;
    const offsets = [...handled.values()];
    handled.clear();
    try {
      await consumer.commitOffsets(offsets);
    } catch (error) {
      // A rebalance or a broker away: the next commit (or the partition's next owner) takes over; at worst redelivered.
      for (const o of offsets) if (!handled.has(`${o.topic}:${o.partition}`)) handled.set(`${o.topic}:${o.partition}`, o);
      logger.debug({ err: error, group }, 'offset commit failed; retrying with the next one');
    }
  }

  const count = (topic: string, result: ConsumeResult) => metrics?.consumerMessages.inc({ group, topic, result });

  async function apply(event: EventEnvelope, eventLogger: Logger): Promise<'applied' | 'duplicate'> {
    const handler = handlers[event.type] as EventHandler<EventType> | undefined;
    const started = performance.now();
    const bare = handler && STATELESS.get(handler);
    const outcome = bare
      ? await bare({ event, logger: eventLogger }).then(() => 'applied' as const)
      : await db.transaction(async (trx) => {
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
    // Another group's business, told by the ce_type header (com.petstore.<topic>.<Type>.v<n>, or the bare
    // type of events published before) without parsing the body; a message without the header (or with a
    // type nobody knows) is parsed, so a poison message is still dead-lettered.
    const type = eventTypeOfHeaders(message.headers);
    if (type !== undefined && !handlers[type]) return count(topic, 'skipped');
    let event: EventEnvelope;
    try {
      event = parseEvent(message.value, message.headers, message.key);
    } catch (error) {
      if (error instanceof PoisonMessageError) {
        failSpan(span, error);
        return deadLetter(topic, partition, message, error, 1);
      }
      throw error;
    }
    if (!handlers[event.type]) return count(topic, 'skipped');
    span?.setAttributes({ 'messaging.message.id': event.id, 'messaging.kafka.message.key': event.orderId, 'petstore.event.type': event.type });
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
      countKafkaRequests(consumer, group, metrics);
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        // kafkajs restarts on retriable errors itself; anything else must not stall silently.
        if (!payload.restart && !stopping) crash(logger, `consumer:${group}`, payload.error);
      });
      await consumer.connect();
      await consumer.subscribe({ topics, fromBeginning: true });
      const periodic = commitIntervalMs > 0;
      await consumer.run({
        partitionsConsumedConcurrently,
        autoCommit: !periodic,
        eachMessage: async ({ topic, partition, message, heartbeat, pause }) => {
          // Shutting down: leave the rest to the next owner, uncommitted.
          if (stopping && periodic) return void pause();
          inFlight++;
          try {
            await handleMessage(topic, partition, message, heartbeat);
            if (periodic) handled.set(`${topic}:${partition}`, { topic, partition, offset: (BigInt(message.offset) + 1n).toString() });
          } finally {
            inFlight--;
          }
        },
      });
      if (periodic) {
        commitTimer = setInterval(() => void commitHandled(), commitIntervalMs);
        commitTimer.unref();
      }
      logger.info({ group, topics }, 'consumer running');
    },
    async stop() {
      stopping = true;
      clearInterval(commitTimer);
      // What was handled is committed before the group is left, so a clean restart redelivers nothing.
      while (inFlight > 0) await sleep(20);
      await commitHandled();
      await consumer?.disconnect();
    },
  };
}
