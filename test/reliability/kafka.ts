import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, IHeaders, Producer } from 'kafkajs';
import { createKafka } from '../../kafka/client';
import { eventTypeOfHeaders } from '../../kafka/envelope';
import { waitFor } from '../../lib/wait';
import { testConfig, testNames, unique } from '../helpers/config';

/** The header a copy carries, so the duplicator never copies its own copies. */
export const COPY_HEADER = 'x-reliability-copy';

/** A producer on the private stack, for messages the test writes itself (poison, copies). */
export async function testProducer(): Promise<Producer> {
  const producer = createKafka(testConfig, { clientId: 'reliability-test' }).producer();
  await producer.connect();
  return producer;
}

/**
 * Delivers every event on the three topics 1–5 times: a consumer of its own reads each new message
 * and publishes 0–4 copies of it (same key, value and headers) after random delays of up to a
 * second, so copies also arrive after later events of the same order (reordered). Returns how many
 * copies it sent, by event type.
 */
export async function startDuplicator({ maxCopies = 4, maxDelayMs = 1000 } = {}): Promise<{ copies: Map<string, number>; originals: number; stop(): Promise<void> }> {
  const kafka = createKafka(testConfig, { clientId: 'reliability-duplicator' });
  const producer = kafka.producer();
  await producer.connect();
  const consumer: Consumer = kafka.consumer({ groupId: unique('reliability-duplicator'), maxWaitTimeInMs: 20 });
  await consumer.connect();
  // Only what is published from now on: start at each partition's end.
  const admin = kafka.admin();
  await admin.connect();
  const topics = testNames.eventTopics;
  const ends = await Promise.all(topics.map(async (topic) => ({ topic, offsets: await admin.fetchTopicOffsets(topic) })));
  await admin.disconnect();
  await consumer.subscribe({ topics });

  const copies = new Map<string, number>();
  const state = { originals: 0 };
  const pending = new Set<Promise<unknown>>();
  let assigned = 0;
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    assigned = Object.values(payload.memberAssignment).reduce((n, partitions) => n + partitions.length, 0);
  });
  await consumer.run({
    eachMessage: async ({ topic, message }) => {
      if (message.headers?.[COPY_HEADER] !== undefined) return;
      state.originals++;
      const n = Math.floor(Math.random() * (maxCopies + 1));
      const type = eventTypeOfHeaders(message.headers) ?? 'unknown';
      for (let i = 1; i <= n; i++) {
        const headers: IHeaders = { ...message.headers, [COPY_HEADER]: String(i) };
        const send = sleep(Math.random() * maxDelayMs).then(() => producer.send({ topic, messages: [{ key: message.key, value: message.value, headers }] }));
        pending.add(send);
        void send.finally(() => pending.delete(send));
        copies.set(type, (copies.get(type) ?? 0) + 1);
      }
    },
  });
  for (const { topic, offsets } of ends) for (const { partition, offset } of offsets) consumer.seek({ topic, partition, offset });
  await waitFor('the duplicator to join', async () => assigned > 0, { timeoutMs: 20_000, intervalMs: 50 });
  return {
    copies,
    get originals() {
      return state.originals;
    },
    async stop() {
      await consumer.disconnect();
      await Promise.allSettled([...pending]);
      await producer.disconnect();
    },
  };
}
