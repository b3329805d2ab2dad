import { Type } from 'typebox';
import { CATALOGUE_VERSIONS, cloudEventType, currentVersion, parseCloudEventType, upcast, type EventVersions } from '../../domain/event-versions';
import { EVENT_CATALOGUE, type EventType } from '../../domain/events';
import { eventTypeOfHeaders, newEvent, parseEvent, PoisonMessageError, toEventMessage, topicOf } from '../../kafka/envelope';
import recorded from './fixtures/recorded-events-v1.json';

const SCHEMAS = 'https://events.example.test';
const valid = newEvent('OrderPlaced', { source: 'orders', orderId: 'o-1', data: { userId: 'u-1', items: [{ petId: 'p-1', quantity: 1 }], paymentToken: 'tok_ok' } });
const encode = (value: unknown) => Buffer.from(JSON.stringify(value));
const headerBuffers = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)]));

function poisonKind(parse: () => unknown): string | undefined {
  try {
    parse();
  } catch (error) {
    if (error instanceof PoisonMessageError) return error.kind;
    throw error;
  }
  return undefined;
}

describe('events in CloudEvents binary mode', () => {
  it('builds envelopes with unique ids, the order id as subject and correlation id, in the current version', () => {
    const other = newEvent('OrderCancelled', { source: 'orders', orderId: 'o-1', data: { userId: 'u-1', reason: 'OUT_OF_STOCK' } });
    expect(valid.id).not.toBe(other.id);
    expect(valid).toMatchObject({ type: 'OrderPlaced', orderId: 'o-1', correlationId: 'o-1', version: 1 });
    expect(topicOf('OrderPlaced')).toBe('orders');
    expect(topicOf('PaymentSucceeded')).toBe('payments');
    expect(topicOf('NotificationRequested')).toBe('notifications');
  });

  it('puts every attribute in a ce_ header, the content type and schema beside them, and only the data in the value', () => {
    const message = toEventMessage(valid, `${SCHEMAS}/`);
    expect(message.key).toBe('o-1');
    expect(JSON.parse(message.value)).toEqual(valid.data);
    expect(message.headers).toEqual({
      'content-type': 'application/json',
      ce_specversion: '1.0',
      ce_id: valid.id,
      ce_type: 'com.petstore.orders.OrderPlaced.v1',
      ce_source: 'orders',
      ce_subject: 'o-1',
      ce_time: valid.time,
      ce_dataschema: `${SCHEMAS}/schemas/events/OrderPlaced/v1.json`,
      ce_correlationid: 'o-1',
    });
  });

  it('parses what it publishes back into the same event', () => {
    const message = toEventMessage(valid, SCHEMAS);
    expect(parseEvent(Buffer.from(message.value), headerBuffers(message.headers), Buffer.from(message.key))).toEqual(valid);
    expect(eventTypeOfHeaders(headerBuffers(message.headers))).toBe('OrderPlaced');
  });

  it.each([
    ['invalid-json', () => ({ value: Buffer.from('{not json'), headers: toEventMessage(valid, SCHEMAS).headers })],
    ['unknown-type', () => ({ value: encode(valid.data), headers: { ...toEventMessage(valid, SCHEMAS).headers, ce_type: 'com.petstore.orders.OrderTeleported.v1' } })],
    ['unknown-type', () => ({ value: encode(valid.data), headers: { ...toEventMessage(valid, SCHEMAS).headers, ce_type: 'com.petstore.orders.OrderPlaced.v9' } })],
    ['invalid-data', () => ({ value: encode({ ...valid.data, extra: true }), headers: toEventMessage(valid, SCHEMAS).headers })],
    ['invalid-envelope', () => ({ value: encode(valid.data), headers: { ...toEventMessage(valid, SCHEMAS).headers, 'content-type': 'text/plain' } })],
    ['invalid-envelope', () => {
      const { ce_subject: _subject, ...headers } = toEventMessage(valid, SCHEMAS).headers;
      return { value: encode(valid.data), headers };
    }],
  ])('rejects a binary-mode message with %s as poison', (kind, make) => {
    const { value, headers } = make();
    expect(poisonKind(() => parseEvent(value, headerBuffers(headers)))).toBe(kind);
  });
});

describe('events published before binary mode (the JSON envelope as the value)', () => {
  it.each(recorded.messages.map((m) => [m.headers.ce_type, m] as const))('a recorded %s v1 still parses, by the consumer as by support', (_type, message) => {
    const value = Buffer.from(message.valueBase64, 'base64');
    const envelope = JSON.parse(value.toString('utf8')) as { id: string; type: EventType; source: string; time: string; orderId: string; correlationId: string };
    const event = parseEvent(value, headerBuffers(message.headers), Buffer.from(message.key));
    expect(event).toMatchObject({ id: envelope.id, type: envelope.type, source: envelope.source, time: envelope.time, orderId: message.key, correlationId: envelope.correlationId, version: currentVersion(envelope.type) });
    expect(topicOf(event.type)).toBe(message.topic);
    // The consumer's skip test reads the old bare ce_type as the same event type.
    expect(eventTypeOfHeaders(headerBuffers(message.headers))).toBe(envelope.type);
    // Republished today, it goes out in binary mode and reads back the same.
    const again = toEventMessage(event, SCHEMAS);
    expect(parseEvent(Buffer.from(again.value), headerBuffers(again.headers))).toEqual(event);
  });

  it('the recording holds one event of every type in the catalogue', () => {
    expect(recorded.messages.map((m) => m.headers.ce_type).sort()).toEqual(Object.keys(EVENT_CATALOGUE).sort());
  });

  it.each([
    ['invalid-json', Buffer.from('{not json')],
    ['invalid-envelope', encode({ hello: 'world' })],
    ['unknown-type', encode({ ...valid, type: 'OrderTeleported' })],
    ['invalid-data', encode({ ...valid, data: { ...valid.data, items: [{ petId: 'p-1', quantity: 0 }] } })],
    ['invalid-data', encode({ ...valid, data: { ...valid.data, extra: true } })],
  ])('rejects %s as a poison message', (kind, value) => {
    expect(poisonKind(() => parseEvent(value))).toBe(kind);
  });
});

describe('event versions', () => {
  it('names each version reverse-DNS, and reads both that and the bare name of old', () => {
    expect(cloudEventType('PaymentRefunded', 1)).toBe('com.petstore.payments.PaymentRefunded.v1');
    expect(parseCloudEventType('com.petstore.payments.PaymentRefunded.v3')).toEqual({ type: 'PaymentRefunded', version: 3, legacy: false });
    expect(parseCloudEventType('PaymentRefunded')).toEqual({ type: 'PaymentRefunded', version: 1, legacy: true });
    expect(parseCloudEventType('com.petstore.orders.PaymentRefunded.v1')).toBeUndefined(); // wrong topic
    expect(parseCloudEventType('com.petstore.orders.Nope.v1')).toBeUndefined();
  });

  it('lifts data through every version after its own, oldest first', () => {
    // A made-up history: v1 had `name`, v2 split it into `first`/`last`, v3 (current) added `title`.
    const v1 = Type.Object({ name: Type.String() });
    const v2 = Type.Object({ first: Type.String(), last: Type.String() });
    const v3 = Type.Object({ first: Type.String(), last: Type.String(), title: Type.String() });
    const versions: EventVersions = {
      current: () => v3,
      history: () => [
        { data: v1, upcast: (d) => ({ first: (d as { name: string }).name.split(' ')[0], last: (d as { name: string }).name.split(' ')[1] }) },
        { data: v2, upcast: (d) => ({ ...(d as object), title: '' }) },
      ],
    };
    expect(currentVersion('OrderPlaced', versions)).toBe(3);
    expect(upcast('OrderPlaced', 1, { name: 'Ada Lovelace' }, versions)).toEqual({ first: 'Ada', last: 'Lovelace', title: '' });
    expect(upcast('OrderPlaced', 2, { first: 'Ada', last: 'L' }, versions)).toEqual({ first: 'Ada', last: 'L', title: '' });
    expect(upcast('OrderPlaced', 3, { first: 'Ada', last: 'L', title: 'Countess' }, versions)).toEqual({ first: 'Ada', last: 'L', title: 'Countess' });
  });

  it('every type is at a version its history accounts for', () => {
    for (const type of Object.keys(EVENT_CATALOGUE) as EventType[]) expect(currentVersion(type)).toBe(CATALOGUE_VERSIONS.history(type).length + 1);
  });
});
