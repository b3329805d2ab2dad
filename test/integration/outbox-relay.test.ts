import type { Producer, TopicMessages } from 'kafkajs';
import { newEvent } from '../../kafka/envelope';
import { writeEvents } from '../../kafka/outbox';
import { outboxRelay } from '../../kafka/relay';
import { createLogger } from '../../lib/logger';
import { waitFor } from '../../lib/wait';
import { testNames } from '../helpers/config';
import { scratchDatabase } from '../helpers/scratch-db';

/** A producer that fails while `down` is set, like a broker that is away, and records what it sent. */
function flakyProducer() {
  const sent: TopicMessages[] = [];
  const state = { down: true, attempts: 0 };
  const producer = {
    connect: async () => undefined,
    disconnect: async () => undefined,
    sendBatch: async ({ topicMessages }: { topicMessages: TopicMessages[] }) => {
      state.attempts++;
      if (state.down) throw new Error('broker not available');
      sent.push(...topicMessages);
      return [];
    },
  } as unknown as Producer;
  return { producer, sent, state };
}

describe('outbox relay', () => {
  let scratch: Awaited<ReturnType<typeof scratchDatabase>>;
  beforeAll(async () => {
    scratch = await scratchDatabase();
  });
  afterAll(async () => {
    await scratch.drop();
  });

  it('keeps events while Kafka is down and publishes all of them, in order, once it is back', async () => {
    const { producer, sent, state } = flakyProducer();
    const relay = outboxRelay({ config: scratch.config, db: scratch.db, producer, schemas: ['orders'], logger: createLogger('silent') });
    await relay.start();
    try {
      const events = Array.from({ length: 30 }, (_, i) =>
        newEvent('OrderCancelled', { source: 'orders', orderId: `order-${i % 3}`, data: { userId: 'u', reason: 'OUT_OF_STOCK' } }),
      );
      for (const event of events) await writeEvents(scratch.db, 'orders', [event]);

      await waitFor('the relay to try and fail', async () => state.attempts >= 2, { timeoutMs: 10_000 });
      const unsent = await scratch.db.withSchema('orders').table('outbox').whereNull('sent_at').count({ n: '*' });
      expect(Number(unsent[0]!.n)).toBe(30);

      state.down = false;
      await waitFor('every event to be published', async () => sent.flatMap((t) => t.messages).length === 30, { timeoutMs: 15_000 });
      const published = sent.flatMap((t) => t.messages.map((m) => (m.headers as Record<string, string>).ce_id));
      expect(published).toEqual(events.map((e) => e.id));
      expect(sent.every((t) => t.topic === testNames.topics.orders)).toBe(true);
      await waitFor('rows marked sent', async () => {
        const [{ n }] = await scratch.db.withSchema('orders').table('outbox').whereNull('sent_at').count({ n: '*' });
        return Number(n) === 0;
      }, { timeoutMs: 5_000 });
    } finally {
      await relay.stop();
    }
  }, 60_000);

  it('lets only one relay publish a schema at a time', async () => {
    const first = flakyProducer();
    const second = flakyProducer();
    first.state.down = false;
    second.state.down = false;
    const logger = createLogger('silent');
    const a = outboxRelay({ config: scratch.config, db: scratch.db, producer: first.producer, schemas: ['payments'], logger });
    const b = outboxRelay({ config: scratch.config, db: scratch.db, producer: second.producer, schemas: ['payments'], logger });
    await a.start();
    await b.start();
    try {
      const event = newEvent('PaymentRefunded', { source: 'payments', orderId: 'o', data: { paymentId: 'p', userId: 'u', amountCents: 1, currency: 'EUR' } });
      await writeEvents(scratch.db, 'payments', [event]);
      await waitFor('the event to be published', async () => first.sent.length + second.sent.length > 0, { timeoutMs: 10_000 });
      await new Promise((r) => setTimeout(r, 1500));
      expect(first.sent.length + second.sent.length).toBe(1);
    } finally {
      await a.stop();
      await b.stop();
    }
  }, 60_000);
});
