import type { Admin, Producer } from 'kafkajs';
import { createKafka } from '../../kafka/client';
import { DLQ_HEADERS, eventConsumer } from '../../kafka/consumer';
import { newEvent, toEventMessage } from '../../kafka/envelope';
import { createProducer } from '../../kafka/producer';
import { dlqTopic, type ConsumerGroup } from '../../kafka/topics';
import { createLogger } from '../../lib/logger';
import { waitFor } from '../../lib/wait';
import { unique } from '../helpers/config';
import { watchTopics } from '../helpers/events';
import { scratchDatabase } from '../helpers/scratch-db';
import { testConfig } from '../helpers/config';

describe('event consumer', () => {
  const kafka = createKafka(testConfig);
  const topic = unique('consumer-test');
  const group = unique('consumer-test-group') as ConsumerGroup;
  let admin: Admin;
  let producer: Producer;
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;

  beforeAll(async () => {
    scratch = await scratchDatabase();
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [topic, dlqTopic(group)].map((t) => ({ topic: t, numPartitions: 1, replicationFactor: 1 })) });
    producer = createProducer(kafka);
    await producer.connect();
  });
  afterAll(async () => {
    await producer.disconnect();
    await admin.deleteTopics({ topics: [topic, dlqTopic(group)] }).catch(() => undefined);
    await admin.disconnect();
    await scratch.drop();
  });

  it('applies each event once, dead-letters poison and failing messages with their origin, and keeps the partition flowing', async () => {
    const applied: string[] = [];
    const consumer = eventConsumer({
      kafka,
      producer,
      db: scratch.db,
      group,
      schema: 'orders',
      topics: [topic],
      logger: createLogger('silent'),
      maxAttempts: 3,
      handlers: {
        async OrderCancelled({ event, trx }) {
          if (event.orderId === 'always-fails') throw new Error('handler bug');
          await trx.raw('select 1'); // the handler runs inside the consumer's transaction
          applied.push(event.id);
        },
      },
    });
    const dlq = await watchTopics([dlqTopic(group)]);
    const good = Array.from({ length: 20 }, (_, i) => newEvent('OrderCancelled', { source: 'orders', orderId: `o-${i}`, data: { userId: 'u', reason: 'OUT_OF_STOCK' } }));
    const failing = newEvent('OrderCancelled', { source: 'orders', orderId: 'always-fails', data: { userId: 'u', reason: 'OUT_OF_STOCK' } });
    const invalidData = { ...good[0]!, id: '00000000-0000-4000-8000-00000000dead', data: { reason: 'BORED' } };
    const unknownType = { ...good[0]!, id: '00000000-0000-4000-8000-00000000beef', type: 'OrderTeleported' };
    await producer.send({
      topic,
      acks: -1,
      messages: [
        { key: 'poison', value: '{not json' },
        { key: 'poison', value: JSON.stringify(unknownType) },
        { key: 'poison', value: JSON.stringify(invalidData) },
        { key: 'always-fails', value: JSON.stringify(failing) },
        // Good events in CloudEvents binary mode, as the relay publishes them; the poison above in the envelope form of old.
        ...good.map((e) => ({ ...toEventMessage(e, testConfig.kafka.schemaBaseUrl), key: 'same-partition' })),
        { ...toEventMessage(good[3]!, testConfig.kafka.schemaBaseUrl), key: 'same-partition' }, // a duplicate delivery
      ],
    });
    await consumer.start();
    try {
      await waitFor('the good events', async () => applied.length >= 20, { timeoutMs: 20_000, intervalMs: 50 });
      expect(applied).toEqual(good.map((e) => e.id));

      const letters = await waitFor('four dead letters', async () => (dlq.seen.length >= 4 ? dlq.seen : undefined), { timeoutMs: 10_000, hint: () => `seen ${dlq.seen.length}` });
      expect(letters).toHaveLength(4);
      for (const letter of letters) {
        expect(letter.headers[DLQ_HEADERS.topic]).toBe(topic);
        expect(letter.headers[DLQ_HEADERS.group]).toBe(group);
        expect(letter.headers[DLQ_HEADERS.partition]).toBe('0');
        expect(letter.headers[DLQ_HEADERS.offset]).toMatch(/^\d+$/);
      }
      const errors = letters.map((l) => l.headers[DLQ_HEADERS.error]);
      expect(errors[0]).toMatch(/not JSON/);
      expect(errors[1]).toMatch(/unknown event type "OrderTeleported"/);
      expect(errors[2]).toMatch(/OrderCancelled v1 data/);
      expect(errors[3]).toMatch(/handler bug/);
      expect(letters[3]!.headers[DLQ_HEADERS.attempts]).toBe('3');
    } finally {
      await consumer.stop();
      await dlq.stop();
    }
  }, 60_000);
});
