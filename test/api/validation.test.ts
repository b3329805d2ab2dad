// Bad input on every route is a 400 problem with errors[] and never reaches a port; unknown and
// forbidden fields (mass assignment) are refused, not dropped; oversized bodies are a 413.
import type { InjectOptions } from 'fastify';
import { BODY_LIMIT_BYTES, MAX_PATH_PARAM_LENGTH } from '../../api/app';
import { SEED, USERS } from './fakes';
import { bearer, build, expectProblem, type Caller } from './harness';

const badId = 'bad%20id';
const pet = { name: 'Bella', species: 'dog', priceCents: 50_000, stock: 2 };
const order = { items: [{ petId: SEED.pet, quantity: 1 }], paymentToken: 'tok_ok' };

interface Case {
  name: string;
  as: Caller;
  request: InjectOptions;
  /** Paths errors[] must name. */
  paths: string[];
}

const CASES: Case[] = [
  // GET /pets
  { name: 'GET /pets limit over 100', as: 'anonymous', request: { url: '/pets?limit=101' }, paths: ['/querystring/limit'] },
  { name: 'GET /pets limit 0', as: 'anonymous', request: { url: '/pets?limit=0' }, paths: ['/querystring/limit'] },
  { name: 'GET /pets limit not a number', as: 'anonymous', request: { url: '/pets?limit=ten' }, paths: ['/querystring/limit'] },
  { name: 'GET /pets unknown status', as: 'anonymous', request: { url: '/pets?status=adopted' }, paths: ['/querystring/status'] },
  { name: 'GET /pets unknown parameter', as: 'anonymous', request: { url: '/pets?sort=price' }, paths: ['/querystring/sort'] },
  { name: 'GET /pets species with a NUL', as: 'anonymous', request: { url: '/pets?species=do%00g' }, paths: ['/querystring/species'] },
  { name: 'GET /pets empty cursor', as: 'anonymous', request: { url: '/pets?cursor=' }, paths: ['/querystring/cursor'] },
  // GET /pets/:id
  { name: 'GET /pets/:id id with a space', as: 'anonymous', request: { url: `/pets/${badId}` }, paths: ['/params/id'] },
  { name: 'GET /pets/:id id over 100 characters', as: 'anonymous', request: { url: `/pets/${'x'.repeat(101)}` }, paths: ['/params/id'] },
  // POST /pets
  { name: 'POST /pets missing required fields', as: 'admin', request: { method: 'POST', url: '/pets', payload: { name: 'Bella' } }, paths: ['/body/species', '/body/priceCents', '/body/stock'] },
  { name: 'POST /pets negative price', as: 'admin', request: { method: 'POST', url: '/pets', payload: { ...pet, priceCents: -1 } }, paths: ['/body/priceCents'] },
  { name: 'POST /pets fractional price', as: 'admin', request: { method: 'POST', url: '/pets', payload: { ...pet, priceCents: 10.5 } }, paths: ['/body/priceCents'] },
  // A JSON body carries its own types: nothing in it is coerced (a query string is, it is all text).
  { name: 'POST /pets price as a string', as: 'admin', request: { method: 'POST', url: '/pets', payload: { ...pet, priceCents: '1000' } }, paths: ['/body/priceCents'] },
  { name: 'POST /pets name as a number', as: 'admin', request: { method: 'POST', url: '/pets', payload: { ...pet, name: 7 } }, paths: ['/body/name'] },
  { name: 'POST /pets tags as a string', as: 'admin', request: { method: 'POST', url: '/pets', payload: { ...pet, tags: 'calm' } }, paths: ['/body/tags'] },
  { name: 'POST /pets age as a boolean', as: 'admin', request: { method: 'POST', url: '/pets', payload: { ...pet, age: false } }, paths: ['/body/age'] },
  { name: 'POST /pets lowercase currency', as: 'admin', request: { method: 'POST', url: '/pets', payload: { ...pet, currency: 'eur' } }, paths: ['/body/currency'] },
  { name: 'POST /pets empty name', as: 'admin', request: { method: 'POST', url: '/pets', payload: { ...pet, name: '' } }, paths: ['/body/name'] },
  { name: 'POST /pets array body', as: 'admin', request: { method: 'POST', url: '/pets', payload: [pet] }, paths: ['/body'] },
  // PUT /pets/:id
  { name: 'PUT /pets/:id bad If-Match', as: 'admin', request: { method: 'PUT', url: `/pets/${SEED.pet}`, payload: pet, headers: { 'if-match': 'W/"3"' } }, paths: ['/headers/if-match'] },
  { name: 'PUT /pets/:id negative stock', as: 'admin', request: { method: 'PUT', url: `/pets/${SEED.pet}`, payload: { ...pet, stock: -1 } }, paths: ['/body/stock'] },
  { name: 'PUT /pets/:id id with a space', as: 'admin', request: { method: 'PUT', url: `/pets/${badId}`, payload: pet }, paths: ['/params/id'] },
  // DELETE /pets/:id
  { name: 'DELETE /pets/:id id with a space', as: 'admin', request: { method: 'DELETE', url: `/pets/${badId}` }, paths: ['/params/id'] },
  // POST /orders
  { name: 'POST /orders no items', as: 'alice', request: { method: 'POST', url: '/orders', payload: { ...order, items: [] } }, paths: ['/body/items'] },
  { name: 'POST /orders quantity 0', as: 'alice', request: { method: 'POST', url: '/orders', payload: { ...order, items: [{ petId: SEED.pet, quantity: 0 }] } }, paths: ['/body/items/0/quantity'] },
  { name: 'POST /orders quantity as a string', as: 'alice', request: { method: 'POST', url: '/orders', payload: { ...order, items: [{ petId: SEED.pet, quantity: '2' }] } }, paths: ['/body/items/0/quantity'] },
  { name: 'POST /orders pet id that is no UUID', as: 'alice', request: { method: 'POST', url: '/orders', payload: { ...order, items: [{ petId: 'pet-1', quantity: 1 }] } }, paths: ['/body/items/0/petId'] },
  { name: 'POST /orders quantity over the limit', as: 'alice', request: { method: 'POST', url: '/orders', payload: { ...order, items: [{ petId: SEED.pet, quantity: 11 }] } }, paths: ['/body/items/0/quantity'] },
  { name: 'POST /orders too many lines', as: 'alice', request: { method: 'POST', url: '/orders', payload: { ...order, items: Array.from({ length: 21 }, (_, i) => ({ petId: `p${i}`, quantity: 1 })) } }, paths: ['/body/items'] },
  { name: 'POST /orders payment token with a NUL', as: 'alice', request: { method: 'POST', url: '/orders', payload: { ...order, paymentToken: 'tok\u0000ok' } }, paths: ['/body/paymentToken'] },
  { name: 'POST /orders missing payment token', as: 'alice', request: { method: 'POST', url: '/orders', payload: { items: order.items } }, paths: ['/body/paymentToken'] },
  { name: 'POST /orders item price', as: 'alice', request: { method: 'POST', url: '/orders', payload: { ...order, items: [{ petId: SEED.pet, quantity: 1, unitPriceCents: 1 }] } }, paths: ['/body/items/0/unitPriceCents'] },
  { name: 'POST /orders Idempotency-Key too long', as: 'alice', request: { method: 'POST', url: '/orders', payload: order, headers: { 'idempotency-key': 'k'.repeat(256) } }, paths: ['/headers/idempotency-key'] },
  { name: 'POST /orders support without userId', as: 'support', request: { method: 'POST', url: '/orders', payload: order }, paths: ['/body/userId'] },
  // GET /orders/:orderId, /orders/user/:userId, cancel
  { name: 'GET /orders/:orderId id with a space', as: 'alice', request: { url: `/orders/${badId}` }, paths: ['/params/orderId'] },
  { name: 'GET /orders/user/:userId limit over 100', as: 'alice', request: { url: `/orders/user/${USERS.alice}?limit=500` }, paths: ['/querystring/limit'] },
  { name: 'GET /orders/user/:userId unknown parameter', as: 'alice', request: { url: `/orders/user/${USERS.alice}?status=CONFIRMED` }, paths: ['/querystring/status'] },
  { name: 'POST /orders/:orderId/cancel id with a space', as: 'alice', request: { method: 'POST', url: `/orders/${badId}/cancel` }, paths: ['/params/orderId'] },
  // GET /orders (support), renotify, audit, cancel's reason
  { name: 'GET /orders unknown status', as: 'support', request: { url: '/orders?status=SHIPPED' }, paths: ['/querystring/status'] },
  { name: 'GET /orders since not a timestamp', as: 'support', request: { url: '/orders?since=yesterday' }, paths: ['/querystring/since'] },
  { name: 'GET /orders since without a time', as: 'support', request: { url: '/orders?since=2025-01-01' }, paths: ['/querystring/since'] },
  { name: 'GET /orders since without a time zone', as: 'support', request: { url: '/orders?since=2025-01-01T00:00:00' }, paths: ['/querystring/since'] },
  { name: 'GET /orders userId with a space', as: 'support', request: { url: `/orders?userId=${badId}` }, paths: ['/querystring/userId'] },
  { name: 'GET /orders limit over 100', as: 'support', request: { url: '/orders?limit=101' }, paths: ['/querystring/limit'] },
  { name: 'GET /orders unknown parameter', as: 'support', request: { url: '/orders?sort=total' }, paths: ['/querystring/sort'] },
  { name: 'POST /orders/:orderId/cancel empty reason', as: 'support', request: { method: 'POST', url: `/orders/${SEED.aliceOrder}/cancel`, payload: { reason: '' } }, paths: ['/body/reason'] },
  { name: 'POST /orders/:orderId/cancel reason with a NUL', as: 'alice', request: { method: 'POST', url: `/orders/${SEED.aliceOrder}/cancel`, payload: { reason: 'a\u0000b' } }, paths: ['/body/reason'] },
  { name: 'POST /orders/:orderId/cancel reason too long', as: 'support', request: { method: 'POST', url: `/orders/${SEED.aliceOrder}/cancel`, payload: { reason: 'x'.repeat(501) } }, paths: ['/body/reason'] },
  { name: 'POST /orders/:orderId/cancel reason not a string', as: 'alice', request: { method: 'POST', url: `/orders/${SEED.aliceOrder}/cancel`, payload: { reason: { why: 1 } } }, paths: ['/body/reason'] },
  { name: 'POST /orders/:orderId/cancel JSON null body', as: 'alice', request: { method: 'POST', url: `/orders/${SEED.aliceOrder}/cancel`, payload: 'null', headers: { 'content-type': 'application/json' } }, paths: ['/body'] },
  { name: 'POST /orders/:orderId/cancel unknown field', as: 'support', request: { method: 'POST', url: `/orders/${SEED.aliceOrder}/cancel`, payload: { cancelReason: 'PAYMENT_TIMEOUT' } }, paths: ['/body/cancelReason'] },
  { name: 'POST /orders/:orderId/renotify id with a space', as: 'support', request: { method: 'POST', url: `/orders/${badId}/renotify` }, paths: ['/params/orderId'] },
  { name: 'POST /orders/:orderId/renotify reason too long', as: 'support', request: { method: 'POST', url: `/orders/${SEED.aliceOrder}/renotify`, payload: { reason: 'x'.repeat(501) } }, paths: ['/body/reason'] },
  { name: 'POST /orders/:orderId/renotify unknown field', as: 'support', request: { method: 'POST', url: `/orders/${SEED.aliceOrder}/renotify`, payload: { body: 'Hi' } }, paths: ['/body/body'] },
  { name: 'POST /orders/:orderId/renotify array body', as: 'support', request: { method: 'POST', url: `/orders/${SEED.aliceOrder}/renotify`, payload: ['why'] }, paths: ['/body'] },
  { name: 'GET /orders/:orderId/audit id with a space', as: 'support', request: { url: `/orders/${badId}/audit` }, paths: ['/params/orderId'] },
  // POST /pets/:id/restock
  { name: 'POST /pets/:id/restock missing quantity', as: 'admin', request: { method: 'POST', url: `/pets/${SEED.pet}/restock`, payload: {} }, paths: ['/body/quantity'] },
  { name: 'POST /pets/:id/restock no body', as: 'admin', request: { method: 'POST', url: `/pets/${SEED.pet}/restock` }, paths: ['/body'] },
  { name: 'POST /pets/:id/restock quantity 0', as: 'admin', request: { method: 'POST', url: `/pets/${SEED.pet}/restock`, payload: { quantity: 0 } }, paths: ['/body/quantity'] },
  { name: 'POST /pets/:id/restock negative quantity', as: 'admin', request: { method: 'POST', url: `/pets/${SEED.pet}/restock`, payload: { quantity: -3 } }, paths: ['/body/quantity'] },
  { name: 'POST /pets/:id/restock quantity over 100000', as: 'admin', request: { method: 'POST', url: `/pets/${SEED.pet}/restock`, payload: { quantity: 100_001 } }, paths: ['/body/quantity'] },
  { name: 'POST /pets/:id/restock quantity as a string', as: 'admin', request: { method: 'POST', url: `/pets/${SEED.pet}/restock`, payload: { quantity: '3' } }, paths: ['/body/quantity'] },
  { name: 'POST /pets/:id/restock fractional quantity', as: 'admin', request: { method: 'POST', url: `/pets/${SEED.pet}/restock`, payload: { quantity: 1.5 } }, paths: ['/body/quantity'] },
  { name: 'POST /pets/:id/restock id with a space', as: 'admin', request: { method: 'POST', url: `/pets/${badId}/restock`, payload: { quantity: 1 } }, paths: ['/params/id'] },
  // POST /payments, GET /payments/:paymentId
  { name: 'POST /payments missing orderId', as: 'alice', request: { method: 'POST', url: '/payments', payload: { paymentToken: 'tok_ok' } }, paths: ['/body/orderId'] },
  { name: 'POST /payments empty token', as: 'alice', request: { method: 'POST', url: '/payments', payload: { orderId: SEED.aliceOrder, paymentToken: '' } }, paths: ['/body/paymentToken'] },
  { name: 'GET /payments/:paymentId id with a space', as: 'alice', request: { url: `/payments/${badId}` }, paths: ['/params/paymentId'] },
  // GET /payments, POST /payments/:paymentId/refund
  { name: 'GET /payments missing orderId', as: 'alice', request: { url: '/payments' }, paths: ['/querystring/orderId'] },
  { name: 'GET /payments orderId with a space', as: 'support', request: { url: `/payments?orderId=${badId}` }, paths: ['/querystring/orderId'] },
  { name: 'GET /payments unknown parameter', as: 'support', request: { url: `/payments?orderId=${SEED.aliceOrder}&status=SUCCEEDED` }, paths: ['/querystring/status'] },
  { name: 'POST /payments/:paymentId/refund missing reason', as: 'support', request: { method: 'POST', url: `/payments/${SEED.alicePayment}/refund`, payload: {} }, paths: ['/body/reason'] },
  { name: 'POST /payments/:paymentId/refund no body', as: 'support', request: { method: 'POST', url: `/payments/${SEED.alicePayment}/refund` }, paths: ['/body'] },
  { name: 'POST /payments/:paymentId/refund empty reason', as: 'support', request: { method: 'POST', url: `/payments/${SEED.alicePayment}/refund`, payload: { reason: '' } }, paths: ['/body/reason'] },
  { name: 'POST /payments/:paymentId/refund reason too long', as: 'support', request: { method: 'POST', url: `/payments/${SEED.alicePayment}/refund`, payload: { reason: 'x'.repeat(501) } }, paths: ['/body/reason'] },
  { name: 'POST /payments/:paymentId/refund id with a space', as: 'support', request: { method: 'POST', url: `/payments/${badId}/refund`, payload: { reason: 'goodwill' } }, paths: ['/params/paymentId'] },
  // POST /internal/notifications, GET /notifications
  { name: 'POST /internal/notifications missing body', as: 'service', request: { method: 'POST', url: '/internal/notifications', payload: { userId: USERS.alice, kind: 'hello' } }, paths: ['/body/body'] },
  { name: 'POST /internal/notifications unknown channel', as: 'service', request: { method: 'POST', url: '/internal/notifications', payload: { userId: USERS.alice, kind: 'hello', body: 'Hi', channel: 'sms' } }, paths: ['/body/channel'] },
  { name: 'POST /internal/notifications body with a NUL', as: 'service', request: { method: 'POST', url: '/internal/notifications', payload: { userId: USERS.alice, kind: 'hello', body: 'Hi\u0000' } }, paths: ['/body/body'] },
  { name: 'POST /internal/notifications body too long', as: 'service', request: { method: 'POST', url: '/internal/notifications', payload: { userId: USERS.alice, kind: 'hello', body: 'x'.repeat(2001) } }, paths: ['/body/body'] },
  { name: 'GET /notifications limit over 100', as: 'alice', request: { url: '/notifications?limit=101' }, paths: ['/querystring/limit'] },
  { name: 'GET /notifications support without userId', as: 'support', request: { url: '/notifications' }, paths: ['/querystring/userId'] },
  { name: 'GET /notifications orderId with a space', as: 'support', request: { url: `/notifications?orderId=${badId}` }, paths: ['/querystring/orderId'] },
  { name: 'GET /notifications empty orderId', as: 'alice', request: { url: '/notifications?orderId=' }, paths: ['/querystring/orderId'] },
];

describe('validation', () => {
  it.each(CASES)('$name: 400 naming the field, no port called', async ({ as, request, paths }) => {
    const { app, fakes } = await build();
    const response = await app.inject({ ...request, headers: { ...bearer(as), ...request.headers } });
    const problem = expectProblem(response, 400);
    expect(problem.type).toBe('urn:petstore:problem:invalid-request');
    expect(problem.errors?.length).toBeGreaterThan(0);
    for (const error of problem.errors ?? []) expect(error).toEqual({ path: expect.any(String), message: expect.any(String) });
    expect(problem.errors?.map((e) => e.path)).toEqual(expect.arrayContaining(paths));
    expect(fakes.calls).toEqual([]);
    await app.close();
  });

  it('says a NUL character is what is wrong with a text, not the pattern', async () => {
    const { app } = await build();
    const problem = expectProblem(await app.inject({ method: 'POST', url: '/pets', headers: bearer('admin'), payload: { ...pet, name: 'Be\u0000lla' } }), 400);
    expect(problem.errors).toEqual([{ path: '/body/name', message: 'must not contain a NUL character' }]);
    await app.close();
  });

  it('explains a limit over the maximum in words', async () => {
    const { app } = await build();
    const problem = expectProblem(await app.inject({ url: '/pets?limit=101' }), 400);
    expect(problem.errors).toEqual([{ path: '/querystring/limit', message: 'must be at most 100' }]);
    expect(problem.detail).toBe('/querystring/limit must be at most 100');
    await app.close();
  });

  it('lists every bad field at once', async () => {
    const { app } = await build();
    const response = await app.inject({ method: 'POST', url: '/pets', headers: bearer('admin'), payload: { name: '', species: 'dog', priceCents: -5, stock: 1, status: 'sold_out' } });
    expect(expectProblem(response, 400).errors?.map((e) => e.path).sort()).toEqual(['/body/name', '/body/priceCents', '/body/status']);
    await app.close();
  });

  it('applies the page defaults when limit is left out', async () => {
    const { app, fakes } = await build();
    await app.inject({ url: '/pets?species=dog' });
    expect(fakes.callsTo('pets', 'list')[0]?.args[0]).toEqual({ limit: 20, species: 'dog' });
    await app.close();
  });

  it('passes limit and cursor through as given', async () => {
    const { app, fakes } = await build();
    await app.inject({ url: `/orders/user/${USERS.alice}?limit=100&cursor=abc`, headers: bearer('alice') });
    expect(fakes.callsTo('orders', 'listByUser')[0]?.args).toEqual([USERS.alice, { limit: 100, cursor: 'abc' }]);
    await app.close();
  });
});

describe('mass assignment: fields a caller may not set are a 400 and nothing is written', () => {
  const attempts: [string, Caller, InjectOptions][] = [
    ['pet status', 'admin', { method: 'POST', url: '/pets', payload: { ...pet, status: 'sold_out' } }],
    ['pet version', 'admin', { method: 'PUT', url: `/pets/${SEED.pet}`, payload: { ...pet, version: 99 } }],
    ['pet id', 'admin', { method: 'POST', url: '/pets', payload: { ...pet, id: 'chosen-id' } }],
    ['pet createdAt', 'admin', { method: 'POST', url: '/pets', payload: { ...pet, createdAt: '2000-01-01T00:00:00Z' } }],
    ['order status', 'alice', { method: 'POST', url: '/orders', payload: { ...order, status: 'CONFIRMED' } }],
    ['order total', 'alice', { method: 'POST', url: '/orders', payload: { ...order, total: 0 } }],
    ['order totalCents', 'alice', { method: 'POST', url: '/orders', payload: { ...order, totalCents: 0 } }],
    ['order price', 'alice', { method: 'POST', url: '/orders', payload: { ...order, price: 1 } }],
    ['order role', 'alice', { method: 'POST', url: '/orders', payload: { ...order, role: 'admin' } }],
    ['payment amount', 'alice', { method: 'POST', url: '/payments', payload: { orderId: SEED.aliceOrder, paymentToken: 'tok_ok', amountCents: 1 } }],
    ['payment status', 'alice', { method: 'POST', url: '/payments', payload: { orderId: SEED.aliceOrder, paymentToken: 'tok_ok', status: 'SUCCEEDED' } }],
    ['payment userId', 'alice', { method: 'POST', url: '/payments', payload: { orderId: SEED.aliceOrder, paymentToken: 'tok_ok', userId: USERS.alice } }],
    ['notification role', 'service', { method: 'POST', url: '/internal/notifications', payload: { userId: USERS.alice, kind: 'k', body: 'b', role: 'admin' } }],
    ['notification status', 'service', { method: 'POST', url: '/internal/notifications', payload: { userId: USERS.alice, kind: 'k', body: 'b', status: 'DELIVERED' } }],
    ['restock stock', 'admin', { method: 'POST', url: `/pets/${SEED.pet}/restock`, payload: { quantity: 1, stock: 1_000 } }],
    ['restock version', 'admin', { method: 'POST', url: `/pets/${SEED.pet}/restock`, payload: { quantity: 1, version: 1 } }],
    ['refund amount', 'support', { method: 'POST', url: `/payments/${SEED.alicePayment}/refund`, payload: { reason: 'goodwill', amountCents: 1 } }],
    ['refund actor', 'support', { method: 'POST', url: `/payments/${SEED.alicePayment}/refund`, payload: { reason: 'goodwill', actor: 'someone-else' } }],
    ['cancel actor', 'alice', { method: 'POST', url: `/orders/${SEED.aliceOrder}/cancel`, payload: { actor: 'support' } }],
    ['renotify userId', 'support', { method: 'POST', url: `/orders/${SEED.aliceOrder}/renotify`, payload: { userId: USERS.bob } }],
  ];

  it.each(attempts)('%s', async (_name, as, request) => {
    const { app, fakes } = await build();
    const response = await app.inject({ ...request, headers: bearer(as) });
    const problem = expectProblem(response, 400);
    expect(problem.errors?.some((e) => e.message === 'is not allowed')).toBe(true);
    expect(fakes.calls).toEqual([]);
    await app.close();
  });
});

describe('a customer naming the user of an order', () => {
  // The body is valid (support sends the same one): the role may not set the field, so it is a 403, and nothing is placed.
  it.each([USERS.bob, USERS.alice])('userId %s is a 403 naming /body/userId', async (userId) => {
    const { app, fakes } = await build();
    const response = await app.inject({ method: 'POST', url: '/orders', headers: bearer('alice'), payload: { ...order, userId } });
    const problem = expectProblem(response, 403);
    expect(problem.errors).toEqual([{ path: '/body/userId', message: 'is not allowed' }]);
    expect(fakes.calls).toEqual([]);
    await app.close();
  });
});

describe('request bodies', () => {
  it('a body over the limit is a 413 problem and writes nothing', async () => {
    const { app, fakes } = await build();
    const response = await app.inject({ method: 'POST', url: '/pets', headers: { ...bearer('admin'), 'content-type': 'application/json' }, payload: JSON.stringify({ ...pet, description: 'x'.repeat(BODY_LIMIT_BYTES) }) });
    expect(expectProblem(response, 413).type).toBe('urn:petstore:problem:payload-too-large');
    expect(fakes.calls).toEqual([]);
    await app.close();
  });

  it('an id longer than the router allows is a 414 problem', async () => {
    const { app, fakes } = await build();
    expect(expectProblem(await app.inject({ url: `/pets/${'x'.repeat(MAX_PATH_PARAM_LENGTH + 1)}` }), 414).type).toBe('urn:petstore:problem:uri-too-long');
    expect(fakes.calls).toEqual([]);
    await app.close();
  });

  it('malformed JSON is a 400 problem', async () => {
    const { app, fakes } = await build();
    const response = await app.inject({ method: 'POST', url: '/orders', headers: { ...bearer('alice'), 'content-type': 'application/json' }, payload: '{"items": [' });
    expectProblem(response, 400);
    expect(fakes.calls).toEqual([]);
    await app.close();
  });

  it('a body that is not JSON is a 415 problem', async () => {
    const { app, fakes } = await build();
    const response = await app.inject({ method: 'POST', url: '/orders', headers: { ...bearer('alice'), 'content-type': 'application/xml' }, payload: '<items/>' });
    expectProblem(response, 415);
    expect(fakes.calls).toEqual([]);
    await app.close();
  });
});
