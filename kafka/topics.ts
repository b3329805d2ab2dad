import { randomUUID } from 'node:crypto';
import type { Admin } from 'kafkajs';
import { namespaced } from '../lib/namespace';

/** The event topics by their domain name (as the outbox records them); on Kafka each carries the namespace (KafkaNames). */
export const TOPICS = { orders: 'orders', payments: 'payments', notifications: 'notifications' } as const;
/** One of the event topics, by its domain name. */
export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

/** One consumer group per service, by its bare name: each service sees every event it subscribes to. */
export const CONSUMER_GROUPS = {
  inventory: 'petstore-inventory',
  orders: 'petstore-orders',
  payments: 'petstore-payments',
  notifications: 'petstore-notifications',
  /** The order-history projection (services/order-history), run beside the Order service's consumers. */
  orderHistory: 'petstore-order-history',
} as const;
/** A service (or projection) that has a consumer group. */
export type GroupOwner = keyof typeof CONSUMER_GROUPS;
/** A consumer group's full name, with its namespace (e.g. `petstore-inventory`, `staging.petstore-inventory`). */
export type ConsumerGroup = string;

/** Messages a group keeps failing on are parked here, one dead-letter topic per group. */
export const dlqTopic = (group: ConsumerGroup): string => `${group}.dlq`;

/** One deployment's Kafka names: every topic and group petstore uses, with PETSTORE_NAMESPACE's prefix. */
export interface KafkaNames {
  namespace: string;
  /** The event topics as they are called on Kafka. */
  topics: Record<keyof typeof TOPICS, string>;
  /** Each service's consumer group. */
  groups: Record<GroupOwner, ConsumerGroup>;
  /** An event topic's name on Kafka, from its domain name (what the outbox records). */
  topic(topic: Topic): string;
  /** The event topics, in TOPICS order. */
  eventTopics: string[];
  /** The groups, in CONSUMER_GROUPS order. */
  allGroups: ConsumerGroup[];
  /** Every topic petstore needs: the event topics and each group's dead-letter topic. */
  allTopics: string[];
  /** A fresh group id for a reader that joins no service's group (support tools, the bench, tests): `petstore-<purpose>-<uuid>`. */
  throwawayGroup(purpose: string): ConsumerGroup;
}

/** Every topic and group name of the deployment in `namespace` ('' for the bare names): the one place they are made. */
export function kafkaNames(namespace: string): KafkaNames {
  const name = (bare: string) => namespaced(namespace, bare);
  const topics = { orders: name(TOPICS.orders), payments: name(TOPICS.payments), notifications: name(TOPICS.notifications) };
  const groups = {
    inventory: name(CONSUMER_GROUPS.inventory),
    orders: name(CONSUMER_GROUPS.orders),
    payments: name(CONSUMER_GROUPS.payments),
    notifications: name(CONSUMER_GROUPS.notifications),
    orderHistory: name(CONSUMER_GROUPS.orderHistory),
  };
  const eventTopics = Object.values(topics);
  const allGroups = Object.values(groups);
  return {
    namespace,
    topics,
    groups,
    topic: (topic) => name(topic),
    eventTopics,
    allGroups,
    allTopics: [...eventTopics, ...allGroups.map(dlqTopic)],
    throwawayGroup: (purpose) => name(`petstore-${purpose}-${randomUUID()}`),
  };
}

/**
 * Creates whichever of the deployment's topics are missing, with their retention (event topics
 * `retentionMs`, dead letters `dlqRetentionMs`; -1 keeps them forever) and min.insync.replicas when given;
 * existing topics are left as they are.
 */
export async function ensureTopics(
  admin: Admin,
  names: KafkaNames,
  {
    partitions,
    replicationFactor,
    minInsyncReplicas,
    retentionMs,
    dlqRetentionMs,
  }: { partitions: number; replicationFactor: number; minInsyncReplicas?: number; retentionMs?: number; dlqRetentionMs?: number },
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = names.allTopics.filter((topic) => !existing.has(topic));
  const isEventTopic = (topic: string) => names.eventTopics.includes(topic);
  const configEntries = (topic: string) => {
    const retention = isEventTopic(topic) ? retentionMs : dlqRetentionMs;
    return [
      ...(minInsyncReplicas === undefined ? [] : [{ name: 'min.insync.replicas', value: String(minInsyncReplicas) }]),
      ...(retention === undefined ? [] : [{ name: 'retention.ms', value: String(retention) }]),
    ];
  };
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({ topic, numPartitions: partitions, replicationFactor, configEntries: configEntries(topic) })),
    });
  }
  return missing;
}
