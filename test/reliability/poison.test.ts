import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import { DLQ_HEADERS } from '../../kafka/consumer';
import { newEvent, toEventMessage } from '../../kafka/envelope';
import { dlqTopic } from '../../kafka/topics';
import { waitFor } from '../../lib/wait';
import { testNames } from '../helpers/config';
import { watchTopics } from '../helpers/events';
import { testProducer } from './kafka';
import { recordOutcome } from './outcomes';
import { useSplitSystem } from './system';

const MAX_ATTEMPTS = 3;

describe('poison messages on a live topic', () => {
  const running = useSplitSystem({ CONSUMER_MAX_ATTEMPTS: String(MAX_ATTEMPTS) });
  let producer: Producer;

  beforeAll(async () => {
    producer = await testProducer();
  });
  afterAll(async () => {
    await producer?.disconnect();
  });

  it('invalid JSON, an unknown type, a schema violation and a handler that always fails: dead-lettered with error and origin headers; the next 100 messages flow within 5 s', async () => {
    const started = Date.now();
    const orderId = randomUUID(); // one key: every message lands on the same partition, behind the poison
    const userId = `poison-${orderId}`;
    const request = (body: string, channel?: 'log' | 'webhook') =>
      newEvent('NotificationRequested', { source: 'reliability-test', orderId, data: { userId, kind: 'poison-probe', body, ...(channel ? { channel } : {}) } });
    const valid = request('fine');
    const poison = [
      { kind: 'invalid JSON', value: '{"id": "not even JSON', headers: {} },
      { kind: 'unknown type', value: JSON.stringify({ ...valid, id: randomUUID(), type: 'PetTeleported' }), headers: {} },
      { kind: 'schema violation', value: JSON.stringify({ ...valid, id: randomUUID(), data: { userId, kind: '' } }), headers: {} },
      // Valid, but its handler throws every time (webhook channel, no webhook URL): dead-lettered after the attempts.
      { kind: 'handler always fails', value: JSON.stringify(request('no webhook', 'webhook')), headers: {} },
    ];
    const dlq = await watchTopics([dlqTopic(testNames.groups.notifications)]);
    try {
      await producer.send({ topic: testNames.topics.notifications, messages: poison.map((p) => ({ key: orderId, value: p.value, headers: p.headers })) });
      const next = Array.from({ length: 100 }, (_, i) => request(`message ${i} after the poison`));
      const sentAt = Date.now();
      await producer.send({ topic: testNames.topics.notifications, messages: next.map((e) => toEventMessage(e, 'http://127.0.0.1')) });

      const ids = next.map((e) => e.id);
      await waitFor(
        'the 100 messages after the poison to be processed',
        async () => Number((await running.db.withSchema('notifications').table('notifications').whereIn('event_id', ids).count({ n: '*' }))[0]!.n) === 100,
        { timeoutMs: 30_000, intervalMs: 25, hint: () => running.system.output().slice(-3000) },
      );
      const flowedInMs = Date.now() - sentAt;
      expect(flowedInMs).toBeLessThanOrEqual(5000);

      const letters = await waitFor('four dead letters', async () => (dlq.forOrder(orderId).length >= 4 ? dlq.forOrder(orderId) : undefined), { timeoutMs: 10_000 });
      expect(letters.map((l) => l.value)).toEqual(poison.map((p) => p.value));
      for (const letter of letters) {
        expect(letter.headers).toMatchObject({
          [DLQ_HEADERS.topic]: testNames.topics.notifications,
          [DLQ_HEADERS.group]: testNames.groups.notifications,
          [DLQ_HEADERS.partition]: expect.stringMatching(/^\d+$/),
          [DLQ_HEADERS.offset]: expect.stringMatching(/^\d+$/),
          [DLQ_HEADERS.error]: expect.any(String),
        });
      }
      // Undecodable messages cannot succeed on a retry; a handler's failure is retried the configured times.
      expect(letters.map((l) => l.headers[DLQ_HEADERS.attempts])).toEqual(['1', '1', '1', String(MAX_ATTEMPTS)]);
      expect(letters.map((l) => l.headers[DLQ_HEADERS.error])).toEqual([
        expect.stringMatching(/not JSON/),
        expect.stringMatching(/unknown event type "PetTeleported"/),
        expect.stringMatching(/NotificationRequested v1 data/),
        expect.stringMatching(/no webhook URL/),
      ]);
      // The failing message left nothing behind: its transaction rolled back on every attempt.
      expect(Number((await running.db.withSchema('notifications').table('notifications').where({ event_id: JSON.parse(poison[3]!.value).id }).count({ n: '*' }))[0]!.n)).toBe(0);
      recordOutcome({
        test: 'poison messages (4 kinds) on a live partition',
        runs: 1,
        orders: 0,
        oversells: 0,
        doubleCharges: 0,
        lostEvents: 100 - Number((await running.db.withSchema('notifications').table('notifications').whereIn('event_id', ids).count({ n: '*' }))[0]!.n),
        duplicateEffects: 0,
        ms: Date.now() - started,
        note: `4 dead-lettered with headers; next 100 processed in ${flowedInMs} ms`,
      });
    } finally {
      await dlq.stop();
    }
  }, 120_000);
});
