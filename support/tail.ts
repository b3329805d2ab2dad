// Following a topic as messages arrive, optionally only one order's (the partition its key maps to).
import type { Kafka } from 'kafkajs';
import { parseEvent, readHeaders } from '../kafka/envelope';
import type { KafkaNames } from '../kafka/topics';
import { namespaced } from '../lib/namespace';
import { SupportInputError } from './errors';
import { allPartitions, followPartitions, partitionsForKey, type ReadRecord } from './kafka-reader';

/** One message as `events tail` shows it. */
export interface TailedMessage {
  topic: string;
  partition: number;
  offset: string;
  /** Broker time (ISO). */
  timestamp: string;
  key: string | null;
  headers: Record<string, string>;
  /** The event as an envelope (either wire format, upcast to its current version) when it is a valid one, else the value as JSON, or null when it is not JSON. */
  event: unknown;
  /** The raw value, only when it is not JSON. */
  value?: string;
}

/**
 * A topic of the deployment (event topics and dead-letter topics) by its name on Kafka, or by its
 * name without the namespace (`orders` in namespace staging is `staging.orders`); otherwise a
 * SupportInputError listing them.
 */
export function checkTopic(names: KafkaNames, topic: string): string {
  const topics = names.allTopics;
  const found = topics.find((t) => t === topic || t === namespaced(names.namespace, topic));
  if (!found) throw new SupportInputError(`unknown topic "${topic}" (choose from ${topics.join(', ')})`);
  return found;
}

/** What `events tail` shows instead of a payment token: sealed or not, it is no one's business on a terminal or in a pipe. */
export const HIDDEN_TOKEN = '[hidden]';

/** The envelope with its payment token (OrderPlaced's data.paymentToken) hidden; anything else as it is. */
export function hideTokens(event: unknown): unknown {
  if (!event || typeof event !== 'object') return event;
  const { data } = event as { data?: unknown };
  if (!data || typeof data !== 'object' || !('paymentToken' in data)) return event;
  return { ...event, data: { ...data, paymentToken: HIDDEN_TOKEN } };
}

/** What a record says, decoded for display (a payment token hidden). */
export function toTailed(record: ReadRecord): TailedMessage {
  const text = record.value?.toString('utf8') ?? '';
  let event: unknown = null;
  let value: string | undefined;
  try {
    event = hideTokens(parseEvent(record.value, record.headers, record.key));
  } catch {
    try {
      event = hideTokens(JSON.parse(text));
    } catch {
      value = text;
    }
  }
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: new Date(Number(record.timestamp)).toISOString(),
    key: record.key?.toString('utf8') ?? null,
    headers: readHeaders(record.headers),
    event,
    ...(value === undefined ? {} : { value }),
  };
}

/**
 * Follows a topic (all partitions, or with `key` only the partition it maps to, keeping that key's
 * messages), calling onMessage for each until `limit` messages were shown or `signal` aborts.
 * Resolves with the number of messages shown.
 */
export async function tailTopic(
  kafka: Kafka,
  {
    names,
    topic: asked,
    fromBeginning,
    key,
    limit,
    signal,
    onMessage,
  }: { names: KafkaNames; topic: string; fromBeginning: boolean; key?: string; limit?: number; signal: AbortSignal; onMessage: (message: TailedMessage) => void },
): Promise<number> {
  const topic = checkTopic(names, asked);
  const admin = kafka.admin();
  await admin.connect();
  let ranges;
  try {
    ranges = key === undefined ? await allPartitions(admin, [topic]) : await partitionsForKey(admin, [topic], key);
  } finally {
    await admin.disconnect();
  }
  let shown = 0;
  if (limit === 0) return shown;
  await followPartitions(kafka, ranges, {
    names,
    fromBeginning,
    signal,
    onRecord(record) {
      if (key !== undefined && record.key?.toString('utf8') !== key) return;
      onMessage(toTailed(record));
      shown += 1;
      if (limit !== undefined && shown >= limit) return 'stop';
    },
  });
  return shown;
}
