// Reading chosen partitions of Kafka topics without joining anyone's consumer group: support tools
// read what is there (from an offset up to the high watermark, or as it arrives) and commit nothing.
import { AssignerProtocol, Partitioners, type Admin, type Consumer, type IHeaders, type Kafka, type PartitionAssigner, type PartitionMetadata } from 'kafkajs';
import type { KafkaNames } from '../kafka/topics';

/** One message as read, with where it was. */
export interface ReadRecord {
  topic: string;
  partition: number;
  offset: string;
  /** Broker timestamp (ms since the epoch, as a string, as kafkajs gives it). */
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: IHeaders;
}

/** A partition to read, from `fromOffset` (default: the earliest kept) up to `toOffset` (exclusive) or the high watermark when the read starts. */
export interface PartitionRange {
  topic: string;
  partition: number;
  fromOffset?: string;
  toOffset?: string;
}

/**
 * The partition a key lands on, computed as the producers compute it (kafkajs' DefaultPartitioner,
 * the Java client's murmur2), from the topic's partition metadata.
 */
export function partitionForKey(topic: string, partitionMetadata: PartitionMetadata[], key: string): number {
  if (partitionMetadata.length === 0) throw new Error(`topic ${topic} has no partitions`);
  return Partitioners.DefaultPartitioner()({ topic, partitionMetadata, message: { key, value: null } });
}

/** Each topic's partition for a key, from the brokers' metadata. */
export async function partitionsForKey(admin: Admin, topics: string[], key: string): Promise<PartitionRange[]> {
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
  return metadata.map((t) => ({ topic: t.name, partition: partitionForKey(t.name, t.partitions, key) }));
}

/** Every partition of the topics. */
export async function allPartitions(admin: Admin, topics: string[]): Promise<PartitionRange[]> {
  const { topics: metadata } = await admin.fetchTopicMetadata({ topics });
  return metadata.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partitionId })).sort((a, b) => a.partition - b.partition));
}

/**
 * A partition assigner that gives the (only) member exactly these partitions: kafkajs has no manual
 * assignment, and a throwaway group with this assigner is the supported way to read chosen partitions.
 */
export function fixedAssigner(assignment: Record<string, number[]>): PartitionAssigner {
  return () => ({
    name: 'PetstoreSupportFixedAssigner',
    version: 0,
    async assign({ members }) {
      return members.map((member, index) => ({
        memberId: member.memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 0, assignment: index === 0 ? assignment : {}, userData: Buffer.alloc(0) }),
      }));
    },
    protocol({ topics }) {
      return { name: 'PetstoreSupportFixedAssigner', metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }) };
    },
  });
}

const assignmentOf = (ranges: { topic: string; partition: number }[]): Record<string, number[]> => {
  const assignment: Record<string, number[]> = {};
  for (const { topic, partition } of ranges) (assignment[topic] ??= []).push(partition);
  return assignment;
};

/** A consumer of its own throwaway group (in the deployment's namespace, as its ACLs expect) that commits nothing, so no service's offsets move. */
function throwawayConsumer(kafka: Kafka, names: KafkaNames, ranges: { topic: string; partition: number }[], purpose: string): Consumer {
  return kafka.consumer({
    groupId: names.throwawayGroup(`support-${purpose}`),
    partitionAssigners: [fixedAssigner(assignmentOf(ranges))],
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
  });
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/**
 * Reads the ranges up to the high watermark each partition has when the read starts (what was
 * there: later messages are not waited for). Records come per partition in offset order.
 */
export async function readPartitions(kafka: Kafka, ranges: PartitionRange[], { names, timeoutMs = 30_000 }: { names: KafkaNames; timeoutMs?: number }): Promise<ReadRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const pending = new Map<string, { topic: string; partition: number; from: bigint; end: bigint; next: bigint }>();
  try {
    for (const topic of [...new Set(ranges.map((r) => r.topic))]) {
      const offsets = await admin.fetchTopicOffsets(topic);
      for (const range of ranges.filter((r) => r.topic === topic)) {
        if (pending.has(key(topic, range.partition))) throw new Error(`${topic}[${range.partition}] is listed twice: give one range per partition`);
        const found = offsets.find((o) => o.partition === range.partition);
        if (!found) throw new Error(`topic ${topic} has no partition ${range.partition}`);
        const low = BigInt(found.low);
        const from = range.fromOffset === undefined || BigInt(range.fromOffset) < low ? low : BigInt(range.fromOffset);
        const high = BigInt(found.high);
        const end = range.toOffset !== undefined && BigInt(range.toOffset) < high ? BigInt(range.toOffset) : high;
        if (from < end) pending.set(key(topic, range.partition), { topic, partition: range.partition, from, end, next: from });
      }
    }
  } finally {
    await admin.disconnect();
  }
  if (pending.size === 0) return [];

  const targets = [...pending.values()];
  const records = new Map<string, ReadRecord[]>(targets.map((t) => [key(t.topic, t.partition), []]));
  const consumer = throwawayConsumer(kafka, names, targets, 'read');
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [...new Set(targets.map((t) => t.topic))], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const target = pending.get(key(batch.topic, batch.partition));
        if (!target) return;
        const into = records.get(key(batch.topic, batch.partition))!;
        for (const message of batch.messages) {
          const offset = BigInt(message.offset);
          // Until the seek below takes effect the fetch starts at the earliest offset, and the seek may
          // fetch again what was seen: keep each offset once, from `from` on.
          if (offset < target.next || offset >= target.end) continue;
          target.next = offset + 1n;
          into.push({ topic: batch.topic, partition: batch.partition, offset: message.offset, timestamp: message.timestamp, key: message.key, value: message.value, headers: message.headers ?? {} });
        }
        if (target.next >= target.end || BigInt(batch.lastOffset()) + 1n >= target.end) {
          pending.delete(key(batch.topic, batch.partition));
          if (pending.size === 0) finish();
        }
      },
    });
    for (const t of targets) consumer.seek({ topic: t.topic, partition: t.partition, offset: t.from.toString() });
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const left = [...pending.values()].map((t) => `${t.topic}[${t.partition}]`).join(', ');
        reject(new Error(`reading Kafka did not finish in ${Math.round(timeoutMs / 1000)} s (still reading ${left})`));
      }, timeoutMs);
    });
    await Promise.race([done, timedOut]);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
  return targets.flatMap((t) => records.get(key(t.topic, t.partition))!);
}

/**
 * Follows partitions as messages arrive (from the earliest kept offset with `fromBeginning`, else
 * from the end), calling onRecord for each, until `signal` aborts or onRecord returns 'stop'.
 */
export async function followPartitions(
  kafka: Kafka,
  ranges: { topic: string; partition: number }[],
  { names, fromBeginning, signal, onRecord }: { names: KafkaNames; fromBeginning: boolean; signal: AbortSignal; onRecord: (record: ReadRecord) => 'stop' | void },
): Promise<void> {
  const consumer = throwawayConsumer(kafka, names, ranges, 'tail');
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  let stopped = false;
  const stop = () => {
    stopped = true;
    finish();
  };
  signal.addEventListener('abort', stop, { once: true });
  try {
    if (signal.aborted) return;
    await consumer.connect();
    await consumer.subscribe({ topics: [...new Set(ranges.map((r) => r.topic))], fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        if (stopped) return;
        const record = { topic, partition, offset: message.offset, timestamp: message.timestamp, key: message.key, value: message.value, headers: message.headers ?? {} };
        if (onRecord(record) === 'stop') stop();
      },
    });
    await done;
  } finally {
    signal.removeEventListener('abort', stop);
    await consumer.disconnect();
  }
}
