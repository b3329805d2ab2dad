import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { partitionLag } from './lag';

/** One partition of a topic: who leads it, who holds copies, who is in sync. */
export interface PartitionLayout {
  partition: number;
  /** -1 while no replica can lead (every in-sync replica is down). */
  leader: number;
  /** In Kafka's order: the first is the preferred leader, which leadership returns to. */
  replicas: number[];
  isr: number[];
}

/** One topic as `events topics` and `stack status` describe it. */
export interface TopicLayout {
  topic: string;
  partitions: PartitionLayout[];
  replicationFactor: number;
  /** Topic configs that matter to a reader: retention.ms, min.insync.replicas, cleanup.policy. */
  configs: Record<string, string>;
  /** Messages each consumer group that committed offsets on this topic has not committed yet, per partition. */
  lag: { group: string; partitions: { partition: number; lag: number }[]; total: number }[];
}

/** The partitions whose in-sync replicas are fewer than their replicas (a copy is missing or behind). */
export function underReplicated(topics: readonly Pick<TopicLayout, 'topic' | 'partitions'>[]): (PartitionLayout & { topic: string })[] {
  return topics.flatMap(({ topic, partitions }) => partitions.filter((p) => p.isr.length < p.replicas.length).map((p) => ({ topic, ...p })));
}

/** How many partitions each broker leads, from a topic layout. */
export function leadersByBroker(topics: readonly Pick<TopicLayout, 'partitions'>[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const { partitions } of topics) for (const { leader } of partitions) if (leader >= 0) counts.set(leader, (counts.get(leader) ?? 0) + 1);
  return counts;
}

/** Partitions, leaders, replicas and ISR of the topics, from the brokers' metadata (no configs, no lag: cheap). */
export async function partitionLayouts(admin: Admin, topics: readonly string[]): Promise<Pick<TopicLayout, 'topic' | 'partitions'>[]> {
  const { topics: found } = await admin.fetchTopicMetadata({ topics: [...topics] });
  return found.map(({ name, partitions }) => ({
    topic: name,
    partitions: partitions
      .map((p) => ({ partition: p.partitionId, leader: p.leader, replicas: [...p.replicas], isr: [...p.isr].sort((a, b) => a - b) }))
      .sort((a, b) => a.partition - b.partition),
  }));
}

const SHOWN_CONFIGS = ['retention.ms', 'min.insync.replicas', 'cleanup.policy'];

/** Everything `events topics` shows: layout, the configs that matter and the lag of every group with offsets on them. */
export async function describeTopics(admin: Admin, topics: readonly string[], groups: readonly string[]): Promise<TopicLayout[]> {
  const layouts = await partitionLayouts(admin, topics);
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: layouts.map(({ topic }) => ({ type: ConfigResourceTypes.TOPIC, name: topic, configNames: SHOWN_CONFIGS })),
  });
  const configs = new Map(described.resources.map((r) => [r.resourceName, Object.fromEntries(r.configEntries.map((e) => [e.configName, e.configValue]))]));
  const committed = await Promise.all(groups.map(async (groupId) => ({ groupId, topics: await admin.fetchOffsets({ groupId, topics: layouts.map((l) => l.topic) }) })));
  return Promise.all(
    layouts.map(async (layout) => {
      const ends = await admin.fetchTopicOffsets(layout.topic);
      const lag = committed.flatMap(({ groupId, topics: byTopic }) => {
        const mine = byTopic.find((t) => t.topic === layout.topic);
        // A group that never committed on this topic does not read it: no row rather than a lag of everything.
        if (!mine || mine.partitions.every((p) => Number(p.offset) < 0)) return [];
        const at = new Map(mine.partitions.map((p) => [p.partition, p.offset]));
        const partitions = ends.map((offsets) => ({ partition: offsets.partition, lag: partitionLag(offsets, at.get(offsets.partition)) })).sort((a, b) => a.partition - b.partition);
        return [{ group: groupId, partitions, total: partitions.reduce((n, p) => n + p.lag, 0) }];
      });
      return { ...layout, replicationFactor: layout.partitions[0]?.replicas.length ?? 0, configs: configs.get(layout.topic) ?? {}, lag };
    }),
  );
}

/** A request to shrink or keep a topic's partitions: Kafka can only add partitions. */
export class PartitionCountError extends Error {
  override name = 'PartitionCountError';
}

/**
 * Raises a topic's partition count to `count`. Kafka never removes partitions (their messages would
 * have nowhere to go), so a count at or below the current one is refused before anything is asked.
 * Returns the count before and after.
 */
export async function scalePartitions(admin: Admin, topic: string, count: number): Promise<{ from: number; to: number }> {
  const [layout] = await partitionLayouts(admin, [topic]);
  const from = layout?.partitions.length ?? 0;
  if (count < from) throw new PartitionCountError(`${topic} has ${from} partitions; Kafka cannot remove partitions, so ${count} is refused`);
  if (count === from) throw new PartitionCountError(`${topic} already has ${from} partitions; give a larger count`);
  await admin.createPartitions({ validateOnly: false, topicPartitions: [{ topic, count }] });
  return { from, to: count };
}
