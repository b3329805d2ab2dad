import type { Admin } from 'kafkajs';
import { dlqTopic, type ConsumerGroup } from './topics';

/** A topic partition's offsets as the admin client reports them (strings, as Kafka's int64). */
export interface PartitionOffsets {
  partition: number;
  low: string;
  high: string;
}

/** How far one group is behind on one partition. */
export interface PartitionLag {
  group: ConsumerGroup;
  topic: string;
  partition: number;
  lag: number;
}

/** A group's dead-letter topic: how many messages it holds now. */
export interface DeadLetterCount {
  group: ConsumerGroup;
  messages: number;
}

/**
 * Messages of a partition the group has not committed yet: the high watermark minus the committed
 * offset. A group that never committed (-1) will read from the beginning, so everything still in
 * the log counts.
 */
export function partitionLag(offsets: PartitionOffsets, committed: string | undefined): number {
  const high = Number(offsets.high);
  const from = committed === undefined || Number(committed) < 0 ? Number(offsets.low) : Number(committed);
  return Math.max(0, high - from);
}

/** Messages in a topic's log now (retention aside, what was ever written and not removed). */
export const messagesIn = (offsets: readonly PartitionOffsets[]): number => offsets.reduce((n, p) => n + Math.max(0, Number(p.high) - Number(p.low)), 0);

/**
 * Consumer lag per group, topic and partition, and each group's dead-letter count, from the
 * brokers' offsets: one fetchOffsets per group and one fetchTopicOffsets per topic, for scrape time.
 */
export async function consumerOffsets(
  admin: Admin,
  groups: readonly { group: ConsumerGroup; topics: readonly string[] }[],
): Promise<{ lag: PartitionLag[]; deadLetters: DeadLetterCount[] }> {
  const topics = [...new Set([...groups.flatMap((g) => g.topics), ...groups.map((g) => dlqTopic(g.group))])];
  const ends = new Map(await Promise.all(topics.map(async (topic) => [topic, await admin.fetchTopicOffsets(topic)] as const)));
  const committed = await Promise.all(groups.map(async ({ group, topics: read }) => ({ group, topics: await admin.fetchOffsets({ groupId: group, topics: [...read] }) })));
  const lag: PartitionLag[] = [];
  for (const { group, topics: byTopic } of committed) {
    for (const { topic, partitions } of byTopic) {
      const at = new Map(partitions.map((p) => [p.partition, p.offset]));
      for (const offsets of ends.get(topic) ?? []) lag.push({ group, topic, partition: offsets.partition, lag: partitionLag(offsets, at.get(offsets.partition)) });
    }
  }
  const deadLetters = groups.map(({ group }) => ({ group, messages: messagesIn(ends.get(dlqTopic(group)) ?? []) }));
  return { lag, deadLetters };
}
