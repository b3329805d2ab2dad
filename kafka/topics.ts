import type { Admin } from 'kafkajs';

/** The event topics the services talk over; the order id is every message's key. */
export const TOPICS = { orders: 'orders', payments: 'payments', notifications: 'notifications' } as const;
/** One of the event topics. */
export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

/** One consumer group per service: each service sees every event it subscribes to. */
export const CONSUMER_GROUPS = {
  inventory: 'petstore-inventory',
  orders: 'petstore-orders',
  payments: 'petstore-payments',
  notifications: 'petstore-notifications',
} as const;
/** One of the consumer groups. */
export type ConsumerGroup = (typeof CONSUMER_GROUPS)[keyof typeof CONSUMER_GROUPS];

/** Messages a group keeps failing on are parked here, one dead-letter topic per group. */
export const dlqTopic = (group: ConsumerGroup): string => `${group}.dlq`;

/** Every topic petstore needs: the event topics and each group's dead-letter topic. */
export function allTopics(): string[] {
  return [...Object.values(TOPICS), ...Object.values(CONSUMER_GROUPS).map(dlqTopic)];
}

/** Creates whichever of petstore's topics are missing (with min.insync.replicas when given); existing topics are left as they are. */
export async function ensureTopics(
  admin: Admin,
  { partitions, replicationFactor, minInsyncReplicas }: { partitions: number; replicationFactor: number; minInsyncReplicas?: number },
): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = allTopics().filter((topic) => !existing.has(topic));
  if (missing.length > 0) {
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((topic) => ({
        topic,
        numPartitions: partitions,
        replicationFactor,
        ...(minInsyncReplicas === undefined ? {} : { configEntries: [{ name: 'min.insync.replicas', value: String(minInsyncReplicas) }] }),
      })),
    });
  }
  return missing;
}
