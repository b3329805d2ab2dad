// What each resource does for a caller who may use it: status codes, headers, links, passthrough of
// Idempotency-Key and If-Match, and response bodies that carry exactly the wire fields.
import { SEED, USERS } from './fakes';
import { bearer, build, expectProblem, testConfig } from './harness';

const pet = { name: 'Bella', species: 'dog', breed: null, age: 0, tags: ['calm'], priceCents: 50_000, currency: 'USD', stock: 2 };
const PET_FIELDS = ['id', 'name', 'species', 'breed', 'age', 'description', 'tags', 'priceCents', 'currency', 'stock', 'status', 'version', 'createdAt', 'updatedAt'];
const ORDER_FIELDS = ['id', 'userId', 'status', 'cancelReason', 'items', 'totalCents', 'currency', 'paymentId', 'compensation', 'createdAt', 'updatedAt', 'links'];
const PAYMENT_FIELDS = ['id', 'orderId', 'userId', 'amountCents', 'refundedCents', 'currency', 'status', 'failureReason', 'createdAt'];

describe('pets', () => {
  it('lists with filters and reads one with its version as ETag', async () => {
    const { app, fakes } = await build();
    const list = await app.inject({ url: '/pets?species=dog&status=available&limit=5' });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({ items: [expect.objectContaining({ id: SEED.pet })], nextCursor: null });
    expect(fakes.callsTo('pets', 'list')[0]?.args[0]).toEqual({ species: 'dog', status: 'available', limit: 5 });

    const one = await app.inject({ url: `/pets/${SEED.pet}` });
    expect(one.headers.etag).toBe('"3"');
    // A client that holds the current version gets a 304 without a body; a stale one gets the pet.
    for (const held of ['"3"', 'W/"3"', '"1", "3"', '*']) {
      const cached = await app.inject({ url: `/pets/${SEED.pet}`, headers: { 'if-none-match': held } });
      expect({ held, status: cached.statusCode, body: cached.body, etag: cached.headers.etag }).toEqual({ held, status: 304, body: '', etag: '"3"' });
    }
    expect((await app.inject({ url: `/pets/${SEED.pet}`, headers: { 'if-none-match': '"2"' } })).statusCode).toBe(200);
    expect(Object.keys(one.json()).sort()).toEqual([...PET_FIELDS].sort());
    expectProblem(await app.inject({ url: '/pets/no-such-pet' }), 404);
    await app.close();
  });

  it('POST creates: 201 with Location and ETag; explicit nulls and zero stay what they are', async () => {
    const { app, fakes } = await build();
    const response = await app.inject({ method: 'POST', url: '/pets', headers: bearer('admin'), payload: pet });
    expect(response.statusCode).toBe(201);
    const created = response.json<{ id: string }>();
    expect(response.headers.location).toBe(`/pets/${created.id}`);
    expect(response.headers.etag).toBe('"1"');
    expect(fakes.callsTo('pets', 'create')[0]?.args[0]).toEqual(pet);
    expect(created).toMatchObject({ breed: null, age: 0, currency: 'USD' });
    await app.close();
  });

  it('PUT honours If-Match: the current version updates, a stale one is a 412, "*" and none skip the check', async () => {
    const { app, fakes } = await build();
    const put = (ifMatch?: string) =>
      app.inject({ method: 'PUT', url: `/pets/${SEED.pet}`, headers: { ...bearer('admin'), ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }) }, payload: pet });

    const fresh = await put('"3"');
    expect(fresh.statusCode).toBe(200);
    expect(fresh.headers.etag).toBe('"4"');
    expect(fakes.callsTo('pets', 'update')[0]?.args).toEqual([SEED.pet, pet, 3]);

    const stale = await put('3');
    expect(expectProblem(stale, 412).type).toBe('urn:petstore:problem:precondition-failed');
    expect(fakes.callsTo('pets', 'update')[1]?.args[2]).toBe(3);

    expect((await put('*')).statusCode).toBe(200);
    expect((await put()).statusCode).toBe(200);
    expect(fakes.callsTo('pets', 'update').slice(2).map((c) => c.args[2])).toEqual([undefined, undefined]);
    expectProblem(await app.inject({ method: 'PUT', url: '/pets/no-such-pet', headers: bearer('admin'), payload: pet }), 404);
    await app.close();
  });

  it('DELETE answers 204, 409 while reservations are open, 404 when missing', async () => {
    const { app } = await build();
    const removed = await app.inject({ method: 'DELETE', url: `/pets/${SEED.pet}`, headers: bearer('admin') });
    expect(removed.statusCode).toBe(204);
    expect(removed.body).toBe('');
    expect(expectProblem(await app.inject({ method: 'DELETE', url: `/pets/${SEED.reservedPet}`, headers: bearer('admin') }), 409).detail).toMatch(/reservations/);
    expectProblem(await app.inject({ method: 'DELETE', url: `/pets/${SEED.pet}`, headers: bearer('admin') }), 404);
    await app.close();
  });
});

describe('orders', () => {
  const body = { items: [{ petId: SEED.pet, quantity: 2 }], paymentToken: 'tok_ok' };

  it('POST answers 202 with the order id, status and links; the customer is the token\'s subject', async () => {
    const { app, fakes } = await build();
    const response = await app.inject({ method: 'POST', url: '/orders', headers: bearer('alice'), payload: body });
    expect(response.statusCode).toBe(202);
    const { orderId, status, links } = response.json<{ orderId: string; status: string; links: { self: string; temporal: string } }>();
    expect(status).toBe('AWAITING_INVENTORY');
    // The saga's page in the Temporal UI is for staff: a customer gets the order alone.
    expect(links).toEqual({ self: `/orders/${orderId}` });
    expect(response.headers.location).toBe(links.self);
    expect(fakes.callsTo('orders', 'place')[0]?.args[0]).toEqual({ userId: USERS.alice, ...body });
    await app.close();
  });

  it('support and admin place orders for the customer they name', async () => {
    const { app, fakes } = await build();
    for (const who of ['support', 'admin'] as const) {
      expect((await app.inject({ method: 'POST', url: '/orders', headers: bearer(who), payload: { ...body, userId: USERS.bob } })).statusCode).toBe(202);
    }
    expect(fakes.callsTo('orders', 'place').map((c) => (c.args[0] as { userId: string }).userId)).toEqual([USERS.bob, USERS.bob]);
    await app.close();
  });

  it('passes Idempotency-Key through: a repeat answers the first order, another body with the key is a 422', async () => {
    const { app, fakes } = await build();
    const place = (payload: object) => app.inject({ method: 'POST', url: '/orders', headers: { ...bearer('alice'), 'idempotency-key': 'order-key-1' }, payload });
    const first = await place(body);
    const repeat = await place(body);
    expect(repeat.statusCode).toBe(202);
    expect(repeat.json()).toEqual(first.json());
    expect(fakes.callsTo('orders', 'place').map((c) => (c.args[0] as { idempotencyKey?: string }).idempotencyKey)).toEqual(['order-key-1', 'order-key-1']);
    expect(expectProblem(await place({ ...body, paymentToken: 'tok_declined' }), 422).type).toBe('urn:petstore:problem:unprocessable');
    await app.close();
  });

  it('without Idempotency-Key the port gets none', async () => {
    const { app, fakes } = await build();
    await app.inject({ method: 'POST', url: '/orders', headers: bearer('alice'), payload: body });
    expect(fakes.callsTo('orders', 'place')[0]?.args[0]).not.toHaveProperty('idempotencyKey');
    await app.close();
  });

  it('GET shows the wire fields plus links, and drops what the service knows but the API does not show', async () => {
    const { app } = await build();
    const response = await app.inject({ url: `/orders/${SEED.aliceOrder}`, headers: bearer('alice') });
    expect(response.statusCode).toBe(200);
    const view = response.json<Record<string, unknown>>();
    expect(Object.keys(view).sort()).toEqual([...ORDER_FIELDS].sort());
    expect(view.links).toEqual({ self: `/orders/${SEED.aliceOrder}` });
    expect(response.body).not.toContain('internalNote');
    const asSupport = (await app.inject({ url: `/orders/${SEED.aliceOrder}`, headers: bearer('support') })).json<{ links: Record<string, string> }>();
    expect(asSupport.links).toEqual({ self: `/orders/${SEED.aliceOrder}`, temporal: `http://temporal.test:8233/namespaces/shop/workflows/order-${SEED.aliceOrder}` });
    expect(testConfig.temporal.namespace).toBe('shop');
    await app.close();
  });

  it('lists a user\'s orders paged, each with links', async () => {
    const { app } = await build();
    const response = await app.inject({ url: `/orders/user/${USERS.alice}?limit=1`, headers: bearer('support') });
    expect(response.json()).toEqual({ items: [expect.objectContaining({ id: SEED.aliceOrder, links: expect.any(Object) })], nextCursor: null });
    await app.close();
  });

  it('cancel: a customer cancels as customer, support and admin as support', async () => {
    const { app, fakes } = await build();
    const cancel = (who: 'alice' | 'support' | 'admin', orderId: string) => app.inject({ method: 'POST', url: `/orders/${orderId}/cancel`, headers: bearer(who) });
    const mine = await cancel('alice', SEED.aliceOrder);
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toMatchObject({ id: SEED.aliceOrder, status: 'CANCELLED', cancelReason: 'CANCELLED_BY_CUSTOMER', links: { self: `/orders/${SEED.aliceOrder}` } });
    await cancel('support', SEED.bobOrder);
    await cancel('admin', SEED.bobOrder);
    expect(fakes.callsTo('orders', 'cancel').map((c) => c.args[0])).toEqual([
      { orderId: SEED.aliceOrder, actor: 'customer', requestedBy: USERS.alice },
      { orderId: SEED.bobOrder, actor: 'support', requestedBy: 'support' },
      { orderId: SEED.bobOrder, actor: 'support', requestedBy: 'admin' },
    ]);
    expectProblem(await cancel('support', 'no-such-order'), 404);
    await app.close();
  });
});

describe('payments', () => {
  it('POST checks the order, pays with the Idempotency-Key, and answers a replay with the same status and body', async () => {
    const { app, fakes } = await build();
    const pay = () => app.inject({ method: 'POST', url: '/payments', headers: { ...bearer('alice'), 'idempotency-key': 'pay-key-1' }, payload: { orderId: SEED.aliceOrder, paymentToken: 'tok_ok' } });
    const first = await pay();
    expect(first.statusCode).toBe(200);
    expect(Object.keys(first.json()).sort()).toEqual([...PAYMENT_FIELDS].sort());
    expect(first.json()).toMatchObject({ id: SEED.alicePayment, status: 'SUCCEEDED' });
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const replay = await pay();
    expect(replay.statusCode).toBe(first.statusCode);
    expect(replay.body).toBe(first.body);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(fakes.callsTo('orders', 'get').map((c) => c.args[0])).toEqual([SEED.aliceOrder, SEED.aliceOrder]);
    expect(fakes.callsTo('payments', 'pay').map((c) => c.args[0])).toEqual([
      { orderId: SEED.aliceOrder, paymentToken: 'tok_ok', idempotencyKey: 'pay-key-1' },
      { orderId: SEED.aliceOrder, paymentToken: 'tok_ok', idempotencyKey: 'pay-key-1' },
    ]);
    await app.close();
  });

  it('paying a missing order is a 404 that never reaches the payment port', async () => {
    const { app, fakes } = await build();
    expectProblem(await app.inject({ method: 'POST', url: '/payments', headers: bearer('support'), payload: { orderId: 'no-such-order', paymentToken: 'tok_ok' } }), 404);
    expect(fakes.callsTo('payments')).toHaveLength(0);
    await app.close();
  });

  it('GET shows the owner their payment', async () => {
    const { app } = await build();
    const response = await app.inject({ url: `/payments/${SEED.alicePayment}`, headers: bearer('alice') });
    expect(response.json()).toMatchObject({ id: SEED.alicePayment, orderId: SEED.aliceOrder, amountCents: 12_000, currency: 'EUR', status: 'PENDING', failureReason: null });
    await app.close();
  });
});

describe('notifications', () => {
  it('the internal API queues and answers 202 with the event id', async () => {
    const { app, fakes } = await build();
    const payload = { userId: USERS.alice, kind: 'order-shipped', body: 'On its way', channel: 'webhook', orderId: SEED.aliceOrder };
    const response = await app.inject({ method: 'POST', url: '/internal/notifications', headers: bearer('service'), payload });
    expect(response.statusCode).toBe(202);
    expect(response.json()).toEqual({ eventId: expect.stringMatching(/^event-/) });
    expect(fakes.callsTo('notifications', 'request')[0]?.args[0]).toEqual(payload);
    await app.close();
  });

  it('lists: a customer their own (userId optional), staff anyone\'s', async () => {
    const { app, fakes } = await build();
    expect((await app.inject({ url: `/notifications?userId=${USERS.alice}`, headers: bearer('alice') })).statusCode).toBe(200);
    const forSupport = await app.inject({ url: `/notifications?userId=${USERS.bob}&limit=10`, headers: bearer('support') });
    expect(forSupport.json<{ items: { userId: string }[] }>().items.map((n) => n.userId)).toEqual([USERS.bob]);
    expect(fakes.callsTo('notifications', 'listByUser').map((c) => c.args)).toEqual([
      [USERS.alice, { limit: 20 }],
      [USERS.bob, { limit: 10 }],
    ]);
    await app.close();
  });
});
