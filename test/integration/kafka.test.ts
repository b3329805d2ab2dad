import type { Admin, Consumer, Producer } from 'kafkajs';
import { createKafka } from '../../kafka/client';
import { testConfig, testNames, unique } from '../helpers/config';

describe('Kafka', () => {
  const kafka = createKafka(testConfig);
  let admin: Admin;
  let producer: Producer;
  let consumer: Consumer;
  const topic = unique('stack-test');

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 3, replicationFactor: 1 }] });
    producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
  });
  afterAll(async () => {
    await consumer?.disconnect();
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('has every topic petstore needs in the tests\' namespace, with several partitions', async () => {
    const metadata = await admin.fetchTopicMetadata({ topics: testNames.allTopics });
    for (const t of metadata.topics) expect(t.partitions.length).toBeGreaterThan(1);
    expect(metadata.topics.map((t) => t.name).sort()).toEqual([...testNames.allTopics].sort());
  });

  it('reads back 100 keyed messages through a consumer group, in order per key', async () => {
    const keys = ['order-a', 'order-b', 'order-c', 'order-d'];
    const messages = Array.from({ length: 100 }, (_, i) => ({ key: keys[i % keys.length]!, value: String(i) }));
    await producer.send({ topic, acks: -1, messages });

    const received: { key: string; value: number; partition: number }[] = [];
    consumer = kafka.consumer({ groupId: unique('stack-test-group'), maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          received.push({ key: message.key!.toString(), value: Number(message.value!.toString()), partition });
          if (received.length === messages.length) resolve();
        },
      });
    });
    await done;

    expect(received).toHaveLength(100);
    for (const key of keys) {
      const values = received.filter((m) => m.key === key).map((m) => m.value);
      expect(values).toEqual(messages.filter((m) => m.key === key).map((m) => Number(m.value)));
      expect(new Set(received.filter((m) => m.key === key).map((m) => m.partition)).size).toBe(1);
    }
  });
});
