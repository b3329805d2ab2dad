import { headersOf, newEvent, parseEvent, PoisonMessageError, topicOf } from '../../kafka/envelope';

const valid = newEvent('OrderPlaced', { source: 'orders', orderId: 'o-1', data: { userId: 'u-1', items: [{ petId: 'p-1', quantity: 1 }], paymentToken: 'tok_ok' } });
const encode = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('event envelope', () => {
  it('builds envelopes with unique ids, the order id as subject and correlation id, and CloudEvents headers', () => {
    const other = newEvent('OrderCancelled', { source: 'orders', orderId: 'o-1', data: { userId: 'u-1', reason: 'OUT_OF_STOCK' } });
    expect(valid.id).not.toBe(other.id);
    expect(valid).toMatchObject({ type: 'OrderPlaced', orderId: 'o-1', correlationId: 'o-1', version: 1 });
    expect(headersOf(valid)).toMatchObject({ ce_id: valid.id, ce_type: 'OrderPlaced', ce_source: 'orders', ce_subject: 'o-1', correlation_id: 'o-1' });
    expect(topicOf('OrderPlaced')).toBe('orders');
    expect(topicOf('PaymentSucceeded')).toBe('payments');
    expect(topicOf('NotificationRequested')).toBe('notifications');
  });

  it('parses a valid event', () => {
    expect(parseEvent(encode(valid))).toEqual(valid);
  });

  it.each([
    ['invalid-json', Buffer.from('{not json')],
    ['invalid-envelope', encode({ hello: 'world' })],
    ['unknown-type', encode({ ...valid, type: 'OrderTeleported' })],
    ['invalid-data', encode({ ...valid, data: { ...valid.data, items: [{ petId: 'p-1', quantity: 0 }] } })],
    ['invalid-data', encode({ ...valid, data: { ...valid.data, extra: true } })],
  ])('rejects %s as a poison message', (kind, value) => {
    expect(() => parseEvent(value)).toThrow(PoisonMessageError);
    try {
      parseEvent(value);
    } catch (error) {
      expect((error as PoisonMessageError).kind).toBe(kind);
    }
  });
});
