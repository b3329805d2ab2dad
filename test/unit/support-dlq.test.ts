import type { IHeaders } from 'kafkajs';
import { DLQ_HEADERS } from '../../kafka/consumer';
import { newEvent, toEventMessage } from '../../kafka/envelope';
import { kafkaNames } from '../../kafka/topics';
import {
  describeDeadLetter,
  dlqId,
  parseDlqId,
  replayDeadLetters,
  resolveGroup,
  stripDlqHeaders,
  type DeadLetter,
  type LetterWithRecord,
  type ReplayRecord,
  type ReplayStore,
} from '../../support/dlq';
import { SupportInputError } from '../../support/errors';
import type { ReadRecord } from '../../support/kafka-reader';

const BARE = kafkaNames('');

const SCHEMAS = 'http://127.0.0.1:3000';
const event = newEvent('OrderCancelled', { source: 'orders', orderId: '6f1c8a52-0c39-4a53-9a37-3c1b7c0c0c01', data: { userId: 'alice', reason: 'OUT_OF_STOCK' } });

function letterRecord({ value, headers = {}, offset = '7', topic = 'orders' }: { value: string; headers?: Record<string, string>; offset?: string; topic?: string | null }): ReadRecord {
  const dlq: Record<string, string> = {
    [DLQ_HEADERS.error]: 'PoisonMessageError: not JSON',
    [DLQ_HEADERS.partition]: '3',
    [DLQ_HEADERS.offset]: '41',
    [DLQ_HEADERS.group]: 'petstore-inventory',
    [DLQ_HEADERS.attempts]: '1',
    [DLQ_HEADERS.failedAt]: '2026-11-24T10:00:00.000Z',
    ...(topic ? { [DLQ_HEADERS.topic]: topic } : {}),
  };
  const all: IHeaders = Object.fromEntries(Object.entries({ ...headers, ...dlq }).map(([k, v]) => [k, Buffer.from(v)]));
  return { topic: 'petstore-inventory.dlq', partition: 0, offset, timestamp: '1795600000000', key: Buffer.from('order-key'), value: Buffer.from(value), headers: all };
}

describe('dead-letter ids and groups', () => {
  it('round-trips <group>:<partition>:<offset> and accepts a service name for the group', () => {
    expect(dlqId('petstore-inventory', 0, '12')).toBe('petstore-inventory:0:12');
    expect(parseDlqId(BARE, 'petstore-inventory:0:12')).toEqual({ group: 'petstore-inventory', partition: 0, offset: '12' });
    expect(parseDlqId(BARE, 'payments:5:0012')).toEqual({ group: 'petstore-payments', partition: 5, offset: '12' });
    expect(parseDlqId(BARE, ' petstore-orders:2:9007199254740993 ')).toEqual({ group: 'petstore-orders', partition: 2, offset: '9007199254740993' });
    expect(resolveGroup(BARE, 'notifications')).toBe('petstore-notifications');
  });

  it.each(['petstore-inventory', 'petstore-inventory:0', 'petstore-inventory:x:1', 'petstore-inventory:0:-1', ':0:1', 'shipping:0:1'])('refuses %j with a message that shows the form', (id) => {
    expect(() => parseDlqId(BARE, id)).toThrow(SupportInputError);
  });

  it('names the valid groups when one is unknown', () => {
    expect(() => resolveGroup(BARE, 'shipping')).toThrow(/unknown consumer group "shipping" \(choose from petstore-inventory, petstore-orders, petstore-payments, petstore-notifications, petstore-order-history\)/);
  });

  it("in a namespace, takes the group by its full name, its bare name or its service's, and only the namespace's groups", () => {
    const staging = kafkaNames('staging');
    expect(parseDlqId(staging, 'staging.petstore-inventory:0:12')).toEqual({ group: 'staging.petstore-inventory', partition: 0, offset: '12' });
    expect(resolveGroup(staging, 'petstore-orders')).toBe('staging.petstore-orders');
    expect(resolveGroup(staging, 'payments')).toBe('staging.petstore-payments');
    expect(() => resolveGroup(staging, 'other.petstore-orders')).toThrow(/choose from staging.petstore-inventory, staging.petstore-orders/);
  });
});

describe('reading a dead letter', () => {
  it('reads its origin and failure from the dlq headers and its event from the value', () => {
    const letter = describeDeadLetter('petstore-inventory', letterRecord({ value: toEventMessage(event, SCHEMAS).value, headers: toEventMessage(event, SCHEMAS).headers }));
    expect(letter).toEqual({
      id: 'petstore-inventory:0:7',
      group: 'petstore-inventory',
      partition: 0,
      offset: '7',
      originalTopic: 'orders',
      originalPartition: 3,
      originalOffset: '41',
      error: 'PoisonMessageError: not JSON',
      attempts: 1,
      failedAt: '2026-11-24T10:00:00.000Z',
      key: 'order-key',
      eventId: event.id,
      eventType: 'OrderCancelled',
      orderId: event.orderId,
      invalid: null,
      replayed: null,
    });
  });

  it('says why poison is not an event, and keeps what it can tell', () => {
    const notJson = describeDeadLetter('petstore-inventory', letterRecord({ value: '{not json' }));
    expect(notJson).toMatchObject({ eventType: null, orderId: null, eventId: null });
    expect(notJson.invalid).toMatch(/not JSON/);
    const unknownType = describeDeadLetter('petstore-inventory', letterRecord({ value: JSON.stringify({ ...event, type: 'OrderTeleported' }) }));
    expect(unknownType).toMatchObject({ eventType: 'OrderTeleported', orderId: event.orderId, eventId: event.id });
    expect(unknownType.invalid).toMatch(/unknown event type/);
  });

  it('strips only the headers dead-lettering added', () => {
    const record = letterRecord({ value: '{}', headers: { ce_id: 'x', traceparent: 't' } });
    expect(Object.keys(stripDlqHeaders(record.headers)).sort()).toEqual(['ce_id', 'traceparent']);
  });
});

describe('replaying dead letters', () => {
  function fakeStore(already: Record<string, ReplayRecord> = {}) {
    const recorded = new Map<string, ReplayRecord>(Object.entries(already));
    const store: ReplayStore = {
      async replayed() {
        return new Map(recorded);
      },
      async recordAndPublish(letter: DeadLetter, by: string, publish: () => Promise<void>) {
        if (recorded.has(letter.id)) return undefined;
        await publish(); // a failed publish records nothing
        const record = { at: '2026-11-24T11:00:00.000Z', by };
        recorded.set(letter.id, record);
        return record;
      },
    };
    return { store, recorded };
  }
  const letters = (...records: ReadRecord[]): LetterWithRecord[] => records.map((record) => ({ letter: describeDeadLetter('petstore-inventory', record), record }));
  const poison = letterRecord({ value: '{not json', headers: { traceparent: 't' }, offset: '1' });
  const valid = letterRecord({ value: toEventMessage(event, SCHEMAS).value, headers: toEventMessage(event, SCHEMAS).headers, offset: '2' });
  const misrouted = letterRecord({ value: '{}', offset: '3', topic: 'petstore-inventory.dlq' });

  it('in a dry run says what it would do and sends nothing', async () => {
    const { store, recorded } = fakeStore({ 'petstore-inventory:0:2': { at: '2026-11-24T09:00:00.000Z', by: 'ann@box' } });
    const publish = jest.fn();
    const outcomes = await replayDeadLetters({ names: BARE, letters: letters(poison, valid, misrouted), store, publish, by: 'me@here', dryRun: true });
    expect(outcomes.map((o) => [o.id, o.action])).toEqual([
      ['petstore-inventory:0:1', 'would replay'],
      ['petstore-inventory:0:2', 'already replayed'],
      ['petstore-inventory:0:3', 'not replayable'],
    ]);
    expect(outcomes[1]!.note).toBe('on 2026-11-24T09:00:00.000Z by ann@box');
    expect(outcomes[2]!.note).toMatch(/"petstore-inventory.dlq", not an event topic/);
    expect(publish).not.toHaveBeenCalled();
    expect(recorded.size).toBe(1);
  });

  it('re-publishes to the original topic with key, value and headers but no dlq headers, once', async () => {
    const { store } = fakeStore();
    const sent: { topic: string; key: string; value: string; headers: string[] }[] = [];
    const publish = async (topic: string, m: { key: Buffer | null; value: Buffer | null; headers: IHeaders }) => {
      sent.push({ topic, key: m.key!.toString(), value: m.value!.toString(), headers: Object.keys(m.headers).sort() });
    };
    const progress: string[] = [];
    const first = await replayDeadLetters({ names: BARE, letters: letters(poison), store, publish, by: 'me@here', dryRun: false, onProgress: (done, total, o) => progress.push(`${done}/${total} ${o.action}`) });
    expect(first).toEqual([{ id: 'petstore-inventory:0:1', action: 'replayed', topic: 'orders', eventType: null, orderId: null, note: 'on 2026-11-24T11:00:00.000Z by me@here' }]);
    expect(sent).toEqual([{ topic: 'orders', key: 'order-key', value: '{not json', headers: ['traceparent'] }]);
    expect(progress).toEqual(['1/1 replayed']);

    const second = await replayDeadLetters({ names: BARE, letters: letters(poison), store, publish, by: 'me@here', dryRun: false });
    expect(second[0]).toMatchObject({ action: 'already replayed', note: 'on 2026-11-24T11:00:00.000Z by me@here' });
    expect(sent).toHaveLength(1);
  });

  it('records nothing when the publish fails, so the letter can be replayed later', async () => {
    const { store, recorded } = fakeStore();
    await expect(
      replayDeadLetters({ names: BARE, letters: letters(valid), store, publish: () => Promise.reject(new Error('broker down')), by: 'me@here', dryRun: false }),
    ).rejects.toThrow('broker down');
    expect(recorded.size).toBe(0);
  });

  it("in a namespace, replays only to the namespace's own event topics", async () => {
    const { store } = fakeStore();
    const publish = jest.fn();
    const outcomes = await replayDeadLetters({ names: kafkaNames('staging'), letters: letters(poison), store, publish, by: 'me@here', dryRun: true });
    expect(outcomes[0]).toMatchObject({ action: 'not replayable', note: expect.stringMatching(/"orders", not an event topic/) });
  });
});
