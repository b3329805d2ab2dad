import type { AuditEntry, NotificationView, OrderView, PaymentView } from '../../api/ports';
import { newEvent } from '../../kafka/envelope';
import { UnknownOrderError } from '../../support/errors';
import { describeKafkaRecord, explainOrder, type ExplainSources, type WorkflowFacts } from '../../support/explain';
import type { ReadRecord } from '../../support/kafka-reader';

const orderId = '6f1c8a52-0c39-4a53-9a37-3c1b7c0c0c01';
const link = (workflowId: string) => `http://ui/namespaces/default/workflows/${workflowId}`;

const order: OrderView = {
  id: orderId,
  userId: 'alice',
  status: 'CANCELLED',
  cancelReason: 'CANCELLED_BY_SUPPORT',
  items: [{ petId: 'p-1', quantity: 1, unitPriceCents: 1000 }],
  totalCents: 1000,
  currency: 'EUR',
  paymentId: null,
  compensation: 'done',
  createdAt: '2026-11-24T10:00:00.000Z',
  updatedAt: '2026-11-24T10:05:00.000Z',
};
const workflow: WorkflowFacts = {
  workflowId: `order-${orderId}`,
  runId: 'run-1',
  status: 'COMPLETED',
  startTime: '2026-11-24T10:00:00.000Z',
  closeTime: '2026-11-24T10:05:00.000Z',
  history: [], // the history's own telling is tested in support-history
  state: null,
  stateError: null,
};

function record(value: string, offset: string, timestamp = '1795600000000'): ReadRecord {
  return { topic: 'orders', partition: 4, offset, timestamp, key: Buffer.from(orderId), value: Buffer.from(value), headers: {} };
}
const placed = { ...newEvent('OrderPlaced', { source: 'orders', orderId, data: { userId: 'alice', items: [{ petId: 'p-1', quantity: 1 }], paymentToken: 'tok_secret' } }), time: '2026-11-24T10:00:00.100Z' };
const cancelled = { ...newEvent('OrderCancelled', { source: 'orders', orderId, data: { userId: 'alice', reason: 'CANCELLED_BY_SUPPORT' } }), time: '2026-11-24T10:05:00.200Z' };
const payment: PaymentView = { id: 'pay-1', orderId, userId: 'alice', amountCents: 1000, refundedCents: 0, currency: 'EUR', status: 'PENDING', failureReason: null, createdAt: '2026-11-24T10:00:01.000Z' };
const notification: NotificationView = {
  id: 'n-1', userId: 'alice', orderId, kind: 'order-cancelled', channel: 'log', body: 'Your order was cancelled.', status: 'DELIVERED', deliveredAt: null, createdAt: '2026-11-24T10:05:01.000Z',
};
const audit: AuditEntry = {
  id: 'a-1', at: '2026-11-24T10:04:59.000Z', actor: 'support', action: 'force-cancel', orderId, paymentId: null, reason: 'customer asked by phone', details: { status: 'AWAITING_PAYMENT' },
};

function sources(overrides: Partial<ExplainSources> = {}): ExplainSources {
  return {
    order: async () => order,
    workflow: async () => workflow,
    kafka: async () => [record(JSON.stringify(placed), '10'), record(JSON.stringify(cancelled), '11')],
    payments: async () => [payment],
    refunds: async () => [],
    notifications: async () => [notification],
    audit: async () => [audit],
    history: async () => undefined,
    ...overrides,
  };
}

describe('orders explain', () => {
  it('merges the order\'s events, payment, notifications and support actions into one timeline in time order', async () => {
    const e = await explainOrder(orderId, sources(), { link });
    expect(e.timeline.map((t) => [t.source, t.what])).toEqual([
      ['kafka', 'OrderPlaced'],
      ['payment', 'payment PENDING'],
      ['audit', 'support force-cancel'],
      ['kafka', 'OrderCancelled'],
      ['notification', 'notification order-cancelled'],
    ]);
    expect(e.timeline[0]).toMatchObject({ time: placed.time, detail: 'userId=alice items=[1] (from orders, on orders)', ref: 'orders[4]@10' });
    expect(e.timeline[2]!.detail).toBe('by support; "customer asked by phone"; status=AWAITING_PAYMENT');
    expect(e.workflow).toEqual({ ...workflow, history: undefined, state: undefined, stateError: undefined, link: `http://ui/namespaces/default/workflows/order-${orderId}` });
    expect(e.warnings).toEqual([]);
    expect(JSON.stringify(e)).not.toMatch(/tok_secret/);
  });

  it('shows the rest and names each source that could not be reached', async () => {
    const e = await explainOrder(
      orderId,
      sources({ kafka: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9092')), audit: () => Promise.reject(new Error('Route GET:/orders/x/audit not found')) }),
      { link },
    );
    expect(e.warnings).toEqual(['kafka: connect ECONNREFUSED 127.0.0.1:9092', 'audit (API): Route GET:/orders/x/audit not found']);
    expect(e.timeline.map((t) => t.source)).toEqual(['payment', 'notification']);
    expect(e.order).toEqual(order);
  });

  it('warns when a running saga does not answer its state query', async () => {
    const e = await explainOrder(orderId, sources({ workflow: async () => ({ ...workflow, status: 'RUNNING', stateError: 'no answer in 5 s' }) }), { link });
    expect(e.warnings).toEqual(['temporal: the state query failed: no answer in 5 s']);
  });

  it('is an unknown order when the API and Temporal say so and nothing else has it, even with other sources down', async () => {
    const none = sources({ order: async () => undefined, workflow: async () => undefined, kafka: async () => [], payments: async () => [], refunds: async () => [], notifications: async () => [], audit: async () => [], history: async () => undefined });
    await expect(explainOrder(orderId, none, { link })).rejects.toThrow(UnknownOrderError);
    const apiDown = { ...none, order: () => Promise.reject(new Error('cannot reach the petstore API')) };
    await expect(explainOrder(orderId, apiDown, { link })).rejects.toThrow(/Temporal has no saga order-6f1c8a52.*not reachable: order \(API\)/);
  });

  it('still explains an order that only Temporal knows (its row not written yet)', async () => {
    const e = await explainOrder(orderId, sources({ order: async () => undefined }), { link });
    expect(e.order).toBeNull();
    expect(e.workflow?.workflowId).toBe(`order-${orderId}`);
  });

  it('fails when no source answers at all', async () => {
    const down = () => Promise.reject(new Error('down'));
    await expect(explainOrder(orderId, { order: down, workflow: down, kafka: down, payments: down, refunds: down, notifications: down, audit: down, history: down }, { link })).rejects.toThrow(/no source answered/);
  });

  it('shows a message with the order\'s key that is not an event, at its broker time', () => {
    expect(describeKafkaRecord(record('{not json', '12', '1795600000000'))).toEqual({
      time: new Date(1795600000000).toISOString(),
      source: 'kafka',
      what: 'invalid message',
      detail: expect.stringMatching(/^not JSON: .* \(on orders\)$/),
      ref: 'orders[4]@12',
    });
  });
});
