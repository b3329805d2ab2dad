// Follows the orders topic the way a client of the system would learn an order's fate: from its
// OrderConfirmed / OrderCancelled event, never by asking the API. A throwaway consumer group that
// commits nothing, positioned at the end of every partition as it was before the first order went
// out, so no event of the run is missed however late the consumer joins.
import type { Consumer, Kafka } from 'kafkajs';
import type { KafkaNames } from '../kafka/topics';
import { fixedAssigner } from '../support/kafka-reader';
import type { Terminal } from './ledger';

/** One event seen on the topic, with what the bench needs of it. */
export interface SeenEvent {
  orderId: string;
  type: string;
  /** The envelope's time (ms since the epoch): when the producer wrote the event, before the outbox relay published it. */
  time: number;
  /** When this process saw it. */
  seenAt: number;
  terminal?: Terminal;
}

/** The fields of an envelope the bench reads, or undefined for a message that is not an event. */
export function readEnvelope(value: Buffer | null, seenAt: number): SeenEvent | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(value?.toString('utf8') ?? '');
  } catch {
    return undefined;
  }
  const e = raw as { type?: unknown; orderId?: unknown; time?: unknown; data?: { reason?: unknown } };
  if (typeof e !== 'object' || e === null || typeof e.type !== 'string' || typeof e.orderId !== 'string') return undefined;
  const time = typeof e.time === 'string' ? Date.parse(e.time) : NaN;
  const event: SeenEvent = { orderId: e.orderId, type: e.type, time, seenAt };
  if (e.type === 'OrderConfirmed') event.terminal = { outcome: 'CONFIRMED', seenAt };
  if (e.type === 'OrderCancelled') event.terminal = { outcome: 'CANCELLED', reason: typeof e.data?.reason === 'string' ? e.data.reason : 'UNKNOWN', seenAt };
  return event;
}

/** A running follower. */
export interface Follower {
  /** Events seen so far (all of the topic's, ours or not). */
  seen(): number;
  stop(): Promise<void>;
}

/**
 * Starts following the deployment's orders topic from its current end. Resolves once the end offsets are known
 * (place orders only after that); `onEvent` is called for each event, `now` is the bench's clock.
 */
export async function followOrders(
  kafka: Kafka,
  { names, onEvent, now }: { names: KafkaNames; onEvent: (event: SeenEvent) => void; now: () => number },
): Promise<Follower> {
  const topic = names.topics.orders;
  const admin = kafka.admin();
  await admin.connect();
  let start: Map<number, bigint>;
  try {
    start = new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, BigInt(o.high)]));
  } finally {
    await admin.disconnect();
  }
  const consumer: Consumer = kafka.consumer({
    groupId: names.throwawayGroup('bench'),
    partitionAssigners: [fixedAssigner({ [topic]: [...start.keys()] })],
    // The broker answers a fetch as soon as one message is there; this only bounds an idle wait.
    maxWaitTimeInMs: 50,
    allowAutoTopicCreation: false,
  });
  let seen = 0;
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: false });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      const from = start.get(batch.partition) ?? 0n;
      for (const message of batch.messages) {
        // Until the seek below takes effect a fetch may start elsewhere: only what came after the start counts.
        if (BigInt(message.offset) < from) continue;
        seen += 1;
        const event = readEnvelope(message.value, now());
        if (event) onEvent(event);
      }
    },
  });
  for (const [partition, offset] of start) consumer.seek({ topic, partition, offset: offset.toString() });
  return {
    seen: () => seen,
    stop: () => consumer.disconnect(),
  };
}
