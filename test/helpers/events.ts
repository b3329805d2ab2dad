import type { Consumer, KafkaMessage } from 'kafkajs';
import type { AnyEvent } from '../../domain/events';
import { createKafka } from '../../kafka/client';
import { parseEvent, readHeaders } from '../../kafka/envelope';
import { waitFor } from '../../lib/wait';
import { testConfig, testNames } from './config';

/** A message seen on a topic, with its envelope parsed. */
export interface SeenEvent {
  topic: string;
  partition: number;
  key: string;
  headers: Record<string, string>;
  /** The raw value, for messages that are not events (dead-lettered poison). */
  value: string;
  event: AnyEvent;
}

/** The message's event, in either wire format; undefined (typed away, as before) for a message that is none. */
const parse = (message: KafkaMessage): AnyEvent => {
  try {
    return parseEvent(message.value, message.headers, message.key);
  } catch {
    return undefined as unknown as AnyEvent;
  }
};

/** Records every message published to the topics from now on (it seeks each partition to its current end first). */
export async function watchTopics(topics: string[]): Promise<{ seen: SeenEvent[]; forOrder(orderId: string): SeenEvent[]; stop(): Promise<void> }> {
  const kafka = createKafka(testConfig);
  const admin = kafka.admin();
  await admin.connect();
  const ends = await Promise.all(topics.map(async (topic) => ({ topic, offsets: await admin.fetchTopicOffsets(topic) })));
  await admin.disconnect();

  const seen: SeenEvent[] = [];
  const consumer: Consumer = kafka.consumer({ groupId: testNames.throwawayGroup('test-watch'), maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topics, fromBeginning: true });
  let assigned = 0;
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    assigned = Object.values(payload.memberAssignment).reduce((n, partitions) => n + partitions.length, 0);
  });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const value = message.value?.toString() ?? '';
      seen.push({ topic, partition, key: message.key?.toString() ?? '', headers: readHeaders(message.headers), value, event: parse(message) });
    },
  });
  for (const { topic, offsets } of ends) for (const { partition, offset } of offsets) consumer.seek({ topic, partition, offset });
  await waitFor('the topic watcher to join', async () => assigned > 0, { timeoutMs: 15_000, intervalMs: 50 });
  return {
    seen,
    forOrder: (orderId) => seen.filter((s) => s.key === orderId),
    stop: () => consumer.disconnect(),
  };
}
