// The support side of the API (the CLI's contract): what each route answers to a caller who may use it,
// what reaches the ports, and which actions land in the audit with who, what and why.
import { SEED, USERS, type FakePorts } from './fakes';
import { bearer, build, expectProblem } from './harness';

const AUDIT_FIELDS = ['id', 'at', 'actor', 'action', 'orderId', 'paymentId', 'reason', 'details'];
const succeeded = (fakes: FakePorts, paymentId: string) => fakes.payments.set(paymentId, { ...fakes.payments.get(paymentId)!, status: 'SUCCEEDED' });

describe('GET /orders (support)', () => {
  it('passes the filters and paging through and answers each order with its links', async () => {
    const { app, fakes } = await build();
    const since = '2024-12-31T23:00:00.000Z';
    const response = await app.inject({ url: `/orders?status=AWAITING_PAYMENT&since=${since}&userId=${USERS.alice}&limit=5`, headers: bearer('support') });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      items: [expect.objectContaining({ id: SEED.aliceOrder, userId: USERS.alice, links: { self: `/orders/${SEED.aliceOrder}`, temporal: expect.stringContaining(`order-${SEED.aliceOrder}`) } })],
      nextCursor: null,
    });
    expect(response.body).not.toContain('internalNote');
    expect(fakes.callsTo('orders', 'list')[0]?.args[0]).toEqual({ status: 'AWAITING_PAYMENT', since, userId: USERS.alice, limit: 5 });
    await app.close();
  });

  it('without filters lists everyone\'s orders, newest first, with the page defaults', async () => {
    const { app, fakes } = await build();
    const response = await app.inject({ url: '/orders', headers: bearer('admin') });
    expect(response.json<{ items: { id: string }[] }>().items.map((o) => o.id)).toEqual([SEED.bobOrder, SEED.aliceOrder]);
    expect(fakes.callsTo('orders', 'list')[0]?.args[0]).toEqual({ limit: 20 });
    await app.close();
  });

  it('a since after every order lists nothing', async () => {
    const { app } = await build();
    const response = await app.inject({ url: `/orders?since=${encodeURIComponent('2030-01-01T00:00:00+01:00')}`, headers: bearer('support') });
    expect(response.json()).toEqual({ items: [], nextCursor: null });
    await app.close();
  });
});

describe('POST /orders/:orderId/cancel with a reason', () => {
  it('support\'s reason reaches the port and the audit; the body may be left out or empty', async () => {
    const { app, fakes } = await build();
    const withReason = await app.inject({ method: 'POST', url: `/orders/${SEED.bobOrder}/cancel`, headers: bearer('support'), payload: { reason: 'duplicate order' } });
    expect(withReason.statusCode).toBe(200);
    expect(withReason.json()).toMatchObject({ status: 'CANCELLED', cancelReason: 'CANCELLED_BY_SUPPORT' });
    expect((await app.inject({ method: 'POST', url: `/orders/${SEED.aliceOrder}/cancel`, headers: bearer('admin'), payload: {} })).statusCode).toBe(200);
    expect(fakes.callsTo('orders', 'cancel').map((c) => c.args[0])).toEqual([
      { orderId: SEED.bobOrder, actor: 'support', requestedBy: 'support', reason: 'duplicate order' },
      { orderId: SEED.aliceOrder, actor: 'support', requestedBy: 'admin' },
    ]);
    await app.close();
  });

  it('a customer may give a reason too; it is not a support action', async () => {
    const { app, fakes } = await build();
    const response = await app.inject({ method: 'POST', url: `/orders/${SEED.aliceOrder}/cancel`, headers: bearer('alice'), payload: { reason: 'changed my mind' } });
    expect(response.json()).toMatchObject({ cancelReason: 'CANCELLED_BY_CUSTOMER' });
    expect(fakes.callsTo('orders', 'cancel')[0]?.args[0]).toEqual({ orderId: SEED.aliceOrder, actor: 'customer', requestedBy: USERS.alice, reason: 'changed my mind' });
    expect(fakes.audit).toEqual([]);
    await app.close();
  });
});

describe('POST /orders/:orderId/renotify (support)', () => {
  it('answers 202 with the event id; the reason and the caller reach the port', async () => {
    const { app, fakes } = await build();
    const response = await app.inject({ method: 'POST', url: `/orders/${SEED.aliceOrder}/renotify`, headers: bearer('support'), payload: { reason: 'customer lost the email' } });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ eventId: expect.stringMatching(/^event-/) });
    expect(fakes.callsTo('orders', 'renotify')[0]?.args[0]).toEqual({ orderId: SEED.aliceOrder, requestedBy: 'support', reason: 'customer lost the email' });
    await app.close();
  });

  it('takes no body at all, and answers 404 for an unknown order', async () => {
    const { app, fakes } = await build();
    expect((await app.inject({ method: 'POST', url: `/orders/${SEED.bobOrder}/renotify`, headers: bearer('admin') })).statusCode).toBe(202);
    expect(fakes.callsTo('orders', 'renotify')[0]?.args[0]).toEqual({ orderId: SEED.bobOrder, requestedBy: 'admin' });
    expectProblem(await app.inject({ method: 'POST', url: '/orders/no-such-order/renotify', headers: bearer('support') }), 404);
    await app.close();
  });
});

describe('GET /orders/:orderId/audit (support)', () => {
  it('lists who did what and why, oldest first, with exactly the entry fields', async () => {
    const { app } = await build();
    await app.inject({ method: 'POST', url: `/orders/${SEED.aliceOrder}/renotify`, headers: bearer('support'), payload: { reason: 'asked twice' } });
    await app.inject({ method: 'POST', url: `/orders/${SEED.aliceOrder}/cancel`, headers: bearer('admin'), payload: { reason: 'fraud' } });
    const response = await app.inject({ url: `/orders/${SEED.aliceOrder}/audit`, headers: bearer('support') });
    expect(response.statusCode).toBe(200);
    const { items } = response.json<{ items: Record<string, unknown>[] }>();
    expect(items.map((e) => [e.actor, e.action, e.reason])).toEqual([
      ['support', 'renotify', 'asked twice'],
      ['admin', 'force-cancel', 'fraud'],
    ]);
    for (const entry of items) expect(Object.keys(entry).sort()).toEqual([...AUDIT_FIELDS].sort());
    expect(items[0]).toMatchObject({ orderId: SEED.aliceOrder, paymentId: null, details: { eventId: expect.any(String) } });
    await app.close();
  });

  it('an order without support actions has an empty audit; an unknown order is a 404', async () => {
    const { app, fakes } = await build();
    expect((await app.inject({ url: `/orders/${SEED.bobOrder}/audit`, headers: bearer('support') })).json()).toEqual({ items: [] });
    expectProblem(await app.inject({ url: '/orders/no-such-order/audit', headers: bearer('support') }), 404);
    expect(fakes.callsTo('audit', 'listByOrder').map((c) => c.args[0])).toEqual([SEED.bobOrder]);
    await app.close();
  });
});

describe('POST /pets/:id/restock (admin)', () => {
  it('adds to the stock and answers the pet with its new version as ETag', async () => {
    const { app, fakes } = await build();
    const response = await app.inject({ method: 'POST', url: `/pets/${SEED.pet}/restock`, headers: bearer('admin'), payload: { quantity: 7 } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: SEED.pet, stock: 10, status: 'available', version: 4 });
    expect(response.headers.etag).toBe('"4"');
    expect(fakes.callsTo('pets', 'restock')[0]?.args).toEqual([SEED.pet, 7]);
    expectProblem(await app.inject({ method: 'POST', url: '/pets/no-such-pet/restock', headers: bearer('admin'), payload: { quantity: 1 } }), 404);
    await app.close();
  });
});

describe('GET /payments?orderId= (owner or support)', () => {
  it('answers the order\'s payments with a null cursor, to the owner and to staff', async () => {
    const { app, fakes } = await build();
    for (const who of ['alice', 'support', 'admin'] as const) {
      const response = await app.inject({ url: `/payments?orderId=${SEED.aliceOrder}`, headers: bearer(who) });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ items: [expect.objectContaining({ id: SEED.alicePayment, orderId: SEED.aliceOrder, userId: USERS.alice })], nextCursor: null });
    }
    expect(fakes.callsTo('payments', 'listByOrder')).toHaveLength(3);
    await app.close();
  });

  it('an order without a payment yet lists none; an unknown order is a 404', async () => {
    const { app, fakes } = await build();
    fakes.payments.delete(SEED.bobPayment);
    expect((await app.inject({ url: `/payments?orderId=${SEED.bobOrder}`, headers: bearer('bob') })).json()).toEqual({ items: [], nextCursor: null });
    expectProblem(await app.inject({ url: '/payments?orderId=no-such-order', headers: bearer('support') }), 404);
    await app.close();
  });

  it('another customer\'s order is the same 404 as a missing one, and the payments are never read', async () => {
    const { app, fakes } = await build();
    const strip = (body: Record<string, unknown>) => ({ ...body, detail: String(body.detail).replace(/order \S+/, 'order X'), instance: undefined, requestId: undefined });
    const theirs = await app.inject({ url: `/payments?orderId=${SEED.aliceOrder}`, headers: bearer('bob') });
    const missing = await app.inject({ url: '/payments?orderId=no-such-order', headers: bearer('bob') });
    expect(strip(expectProblem(theirs, 404))).toEqual(strip(expectProblem(missing, 404)));
    expect(theirs.body).not.toContain(SEED.alicePayment);
    expect(fakes.callsTo('payments')).toEqual([]);
    await app.close();
  });
});

describe('POST /payments/:paymentId/refund (support)', () => {
  it('refunds a SUCCEEDED payment once: 200 with the payment, then 409', async () => {
    const { app, fakes } = await build();
    succeeded(fakes, SEED.alicePayment);
    const refund = () => app.inject({ method: 'POST', url: `/payments/${SEED.alicePayment}/refund`, headers: bearer('support'), payload: { reason: 'damaged on arrival' } });
    const first = await refund();
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ id: SEED.alicePayment, orderId: SEED.aliceOrder, status: 'REFUNDED' });
    expect(expectProblem(await refund(), 409).type).toBe('urn:petstore:problem:conflict');
    expect(fakes.callsTo('payments', 'refund').map((c) => c.args)).toEqual([
      [SEED.alicePayment, 'damaged on arrival', 'support'],
      [SEED.alicePayment, 'damaged on arrival', 'support'],
    ]);
    expect(fakes.audit).toEqual([expect.objectContaining({ actor: 'support', action: 'refund', orderId: SEED.aliceOrder, paymentId: SEED.alicePayment, reason: 'damaged on arrival' })]);
    await app.close();
  });

  it('a payment that is not SUCCEEDED is a 409; an unknown one a 404', async () => {
    const { app } = await build();
    expectProblem(await app.inject({ method: 'POST', url: `/payments/${SEED.bobPayment}/refund`, headers: bearer('admin'), payload: { reason: 'x' } }), 409);
    expectProblem(await app.inject({ method: 'POST', url: '/payments/no-such-payment/refund', headers: bearer('admin'), payload: { reason: 'x' } }), 404);
    await app.close();
  });
});

describe('POST /payments by staff is audited as retry-payment', () => {
  const pay = (who: 'alice' | 'support' | 'admin', key: string, paymentToken = 'tok_ok') => ({
    method: 'POST' as const,
    url: '/payments',
    headers: { ...bearer(who), 'idempotency-key': key },
    payload: { orderId: SEED.aliceOrder, paymentToken },
  });

  it('records who paid which order with which kind of token, declined too; a replay and a customer\'s payment are not recorded', async () => {
    const { app, fakes } = await build();
    expect((await app.inject(pay('alice', 'k-alice'))).statusCode).toBe(200);
    expect((await app.inject(pay('support', 'k-support', 'tok_declined'))).statusCode).toBe(200);
    expect((await app.inject(pay('support', 'k-support', 'tok_declined'))).headers['idempotent-replayed']).toBe('true');
    expect(fakes.audit).toEqual([
      expect.objectContaining({
        actor: 'support',
        action: 'retry-payment',
        orderId: SEED.aliceOrder,
        paymentId: SEED.alicePayment,
        reason: null,
        details: { orderId: SEED.aliceOrder, tokenKind: 'tok_declined', status: 'FAILED' },
      }),
    ]);
    await app.close();
  });

  it('never records a live token, only its kind', async () => {
    const { app, fakes } = await build();
    await app.inject(pay('admin', 'k-admin', 'tok_1N3T00LkdIwHu7ixt44h1F8k'));
    await app.inject(pay('admin', 'k-admin-2', 'card-4242424242424242'));
    expect(fakes.audit.map((e) => e.details.tokenKind)).toEqual(['tok', 'opaque']);
    expect(JSON.stringify(fakes.audit)).not.toMatch(/1N3T00|4242/);
    await app.close();
  });
});

describe('GET /notifications?orderId=', () => {
  it('support filters by order alone or with the customer', async () => {
    const { app, fakes } = await build();
    const alone = await app.inject({ url: `/notifications?orderId=${SEED.aliceOrder}`, headers: bearer('support') });
    expect(alone.json<{ items: { userId: string; orderId: string }[] }>().items).toEqual([expect.objectContaining({ userId: USERS.alice, orderId: SEED.aliceOrder })]);
    const both = await app.inject({ url: `/notifications?orderId=${SEED.aliceOrder}&userId=${USERS.bob}&limit=5`, headers: bearer('admin') });
    expect(both.json()).toEqual({ items: [], nextCursor: null });
    expect(fakes.callsTo('notifications', 'listByOrder').map((c) => c.args)).toEqual([
      [SEED.aliceOrder, { limit: 20 }],
      [SEED.aliceOrder, { limit: 5, userId: USERS.bob }],
    ]);
    await app.close();
  });

  it('a customer filters their own notifications by order', async () => {
    const { app, fakes } = await build();
    const mine = await app.inject({ url: `/notifications?orderId=${SEED.aliceOrder}`, headers: bearer('alice') });
    expect(mine.json<{ items: { id: string }[] }>().items.map((n) => n.id)).toEqual(['note-1']);
    expect(fakes.callsTo('notifications', 'listByOrder')[0]?.args).toEqual([SEED.aliceOrder, { limit: 20, userId: USERS.alice }]);
    await app.close();
  });
});
