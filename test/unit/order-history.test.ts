import { deriveHistory, factOf, mergeFacts, type HistoryFacts } from '../../domain/order-history';
import type { AnyEvent, EventEnvelope, EventType, EventData } from '../../domain/events';

const orderId = '6f1c8a52-0000-4000-8000-000000000001';
let n = 0;
const event = <T extends EventType>(type: T, time: string, data: EventData<T>, id = `e-${++n}`): EventEnvelope<T> => ({
  id,
  type,
  source: 'test',
  time: `2026-12-02T10:00:${time}.000Z`,
  orderId,
  correlationId: orderId,
  data,
  version: 1,
});

// A paid order that support cancelled with a partial refund first: every kind of fact the history shows.
const story: AnyEvent[] = [
  event('OrderPlaced', '00', { userId: 'alice', items: [{ petId: 'p1', quantity: 2 }], paymentToken: 'ptk1.k.secret', paymentId: 'pay-1' }),
  event('InventoryReserved', '01', { items: [{ petId: 'p1', quantity: 2, unitPriceCents: 500 }], totalCents: 1000, currency: 'EUR' }),
  event('PaymentFailed', '02', { paymentId: 'pay-1', userId: 'alice', reason: 'DECLINED', message: 'card declined' }),
  event('PaymentSucceeded', '03', { paymentId: 'pay-1', userId: 'alice', amountCents: 1000, currency: 'EUR' }),
  event('OrderConfirmed', '04', { userId: 'alice', totalCents: 1000, currency: 'EUR' }),
  event('PaymentRefunded', '05', { paymentId: 'pay-1', userId: 'alice', amountCents: 500, currency: 'EUR', refundId: 'r-1', items: [{ petId: 'p1', quantity: 1, unitPriceCents: 500 }], restock: true, remainingCents: 500 }),
  event('OrderCancelled', '06', { userId: 'alice', reason: 'CANCELLED_BY_SUPPORT' }),
  event('InventoryReleased', '07', { items: [{ petId: 'p1', quantity: 1 }] }),
  event('PaymentRefunded', '08', { paymentId: 'pay-1', userId: 'alice', amountCents: 500, currency: 'EUR', refundId: 'r-2', forCancellation: true, remainingCents: 0 }),
];

/** Folds events one by one, as the live consumer does, each event as its own fact set merged into the row. */
const fold = (events: readonly AnyEvent[]): HistoryFacts => events.reduce<HistoryFacts>((facts, e) => mergeFacts(facts, { [e.id]: factOf(e) }), {});

const shuffled = <T>(items: readonly T[], seed: number): T[] => {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
};

describe('the order-history fold', () => {
  const history = deriveHistory(orderId, 'alice', fold(story));

  it('shows the status timeline, items, amounts, payment attempts, refunds, restocks and notifications', () => {
    expect(history.status).toBe('CANCELLED');
    expect(history.cancelReason).toBe('CANCELLED_BY_SUPPORT');
    expect(history.timeline.map((t) => t.status)).toEqual(['AWAITING_INVENTORY', 'AWAITING_PAYMENT', 'CONFIRMED', 'CANCELLED']);
    expect(history.timeline[0]!.at).toBe('2026-12-02T10:00:00.000Z');
    expect(history.items).toEqual([{ petId: 'p1', quantity: 2, unitPriceCents: 500 }]);
    expect([history.totalCents, history.currency]).toEqual([1000, 'EUR']);
    expect(history.payment).toMatchObject({ paymentId: 'pay-1', outcome: 'SUCCEEDED' });
    expect(history.payment.attempts.map((a) => [a.outcome, a.reason])).toEqual([['FAILED', 'DECLINED'], ['SUCCEEDED', null]]);
    expect(history.refunds.map((r) => [r.refundId, r.amountCents, r.remainingCents, r.forCancellation])).toEqual([['r-1', 500, 500, false], ['r-2', 500, 0, true]]);
    expect(history.restocks.map((r) => [r.cause, r.refundId, r.items])).toEqual([['refund', 'r-1', [{ petId: 'p1', quantity: 1 }]], ['cancellation', null, [{ petId: 'p1', quantity: 1 }]]]);
    expect(history.notifications.map((x) => x.kind)).toEqual(['payment-declined', 'order-confirmed', 'payment-refunded', 'order-cancelled', 'payment-refunded']);
    expect(history.events).toHaveLength(story.length);
  });

  it('keeps no payment token, message or body', () => {
    expect(JSON.stringify(fold(story))).not.toMatch(/secret|card declined/);
  });

  it('gives the same row whatever order the events arrive in', () => {
    for (let seed = 1; seed <= 50; seed++) expect(deriveHistory(orderId, 'alice', fold(shuffled(story, seed)))).toEqual(history);
  });

  it('is idempotent: redelivered events and copies change nothing', () => {
    const again = fold([...story, ...shuffled(story, 7), story[3]!, story[0]!]);
    expect(again).toEqual(fold(story));
    expect(mergeFacts(fold(story), fold(story.slice(0, 3)))).toEqual(fold(story));
  });

  it('shows an order whose payment events came before its order events', () => {
    const early = deriveHistory(orderId, 'alice', fold([story[3]!]));
    expect(early).toMatchObject({ status: null, payment: { outcome: 'SUCCEEDED' }, timeline: [] });
    expect(deriveHistory(orderId, 'alice', fold([story[3]!, story[0]!])).status).toBe('AWAITING_INVENTORY');
  });

  it('asks for a notification only where Notification sends one', () => {
    const timeout = deriveHistory(orderId, 'bob', fold([event('PaymentFailed', '09', { paymentId: 'pay-2', userId: 'bob', reason: 'ORDER_CANCELLED' })]));
    expect(timeout.notifications).toEqual([]);
    const requested = deriveHistory(orderId, 'bob', fold([event('NotificationRequested', '10', { userId: 'bob', kind: 'renotify', body: 'hello' })]));
    expect(requested.notifications.map((x) => x.kind)).toEqual(['renotify']);
  });
});
