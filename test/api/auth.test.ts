// Who may call what: the access matrix over every route, BOLA between two customers, JWT attacks,
// and the startup check that refuses a route without access metadata.
import type { InjectOptions } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../api/app';
import { fakePorts, SEED, USERS, type FakePorts } from './fakes';
import { bearer, build, CALLERS, expectProblem, forge, testConfig, validClaims, type Caller } from './harness';

type Status = number;
interface Row {
  route: string;
  request: (caller: Caller) => InjectOptions;
  expect: Record<Caller, Status>;
  /** Puts the fakes in the state the allowed callers' requests need. */
  setup?: (fakes: FakePorts) => void;
}

const staff = (caller: Caller) => caller === 'support' || caller === 'admin';
const pet = { name: 'Bella', species: 'dog', priceCents: 50_000, stock: 2 };
const everyone = (status: Status): Record<Caller, Status> => ({ anonymous: status, alice: status, bob: status, support: status, admin: status, service: status });
const adminOnly = (ok: Status): Record<Caller, Status> => ({ anonymous: 401, alice: 403, bob: 403, support: 403, admin: ok, service: 403 });
// Alice's resource: alice and staff see it, bob gets a 404 that says nothing, service is the wrong role.
const alices = (ok: Status): Record<Caller, Status> => ({ anonymous: 401, alice: ok, bob: 404, support: ok, admin: ok, service: 403 });
// Support routes: support and admin; a customer's role may never call them, whoever owns the order (403, before any lookup).
const supportOnly = (ok: Status): Record<Caller, Status> => ({ anonymous: 401, alice: 403, bob: 403, support: ok, admin: ok, service: 403 });

// Every route of the API with a request that is valid for the caller, and the status each caller gets.
const MATRIX: Row[] = [
  { route: 'GET /healthz', request: () => ({ method: 'GET', url: '/healthz' }), expect: everyone(200) },
  { route: 'GET /readyz', request: () => ({ method: 'GET', url: '/readyz' }), expect: everyone(200) },
  { route: 'GET /asyncapi.json', request: () => ({ method: 'GET', url: '/asyncapi.json' }), expect: everyone(200) },
  { route: 'GET /schemas/events/{type}/{file}', request: () => ({ method: 'GET', url: '/schemas/events/OrderPlaced/v1.json' }), expect: everyone(200) },
  { route: 'GET /pets', request: () => ({ method: 'GET', url: '/pets' }), expect: everyone(200) },
  { route: 'GET /pets/{id}', request: () => ({ method: 'GET', url: `/pets/${SEED.pet}` }), expect: everyone(200) },
  { route: 'POST /pets', request: () => ({ method: 'POST', url: '/pets', payload: pet }), expect: adminOnly(201) },
  { route: 'PUT /pets/{id}', request: () => ({ method: 'PUT', url: `/pets/${SEED.pet}`, payload: pet }), expect: adminOnly(200) },
  { route: 'DELETE /pets/{id}', request: () => ({ method: 'DELETE', url: `/pets/${SEED.pet}` }), expect: adminOnly(204) },
  { route: 'POST /pets/{id}/restock', request: () => ({ method: 'POST', url: `/pets/${SEED.pet}/restock`, payload: { quantity: 2 } }), expect: adminOnly(200) },
  { route: 'GET /orders', request: () => ({ method: 'GET', url: `/orders?status=AWAITING_PAYMENT&userId=${USERS.alice}` }), expect: supportOnly(200) },
  {
    route: 'POST /orders',
    request: (caller) => ({
      method: 'POST',
      url: '/orders',
      payload: { items: [{ petId: SEED.pet, quantity: 1 }], paymentToken: 'tok_ok', ...(staff(caller) ? { userId: USERS.alice } : {}) },
    }),
    expect: { anonymous: 401, alice: 202, bob: 202, support: 202, admin: 202, service: 403 },
  },
  { route: 'GET /orders/{orderId}', request: () => ({ method: 'GET', url: `/orders/${SEED.aliceOrder}` }), expect: alices(200) },
  // The fakes have no status feed: the owner and staff get past the access check to the 503; bob's is a 404 first.
  {
    route: 'GET /orders/{orderId}/events',
    request: () => ({ method: 'GET', url: `/orders/${SEED.aliceOrder}/events` }),
    expect: { anonymous: 401, alice: 503, bob: 404, support: 503, admin: 503, service: 403 },
  },
  { route: 'GET /orders/{orderId}/history', request: () => ({ method: 'GET', url: `/orders/${SEED.aliceOrder}/history` }), expect: alices(200) },
  { route: 'GET /orders/user/{userId}', request: () => ({ method: 'GET', url: `/orders/user/${USERS.alice}` }), expect: alices(200) },
  { route: 'POST /orders/{orderId}/cancel', request: () => ({ method: 'POST', url: `/orders/${SEED.aliceOrder}/cancel` }), expect: alices(200) },
  {
    route: 'POST /orders/{orderId}/renotify',
    request: () => ({ method: 'POST', url: `/orders/${SEED.aliceOrder}/renotify`, payload: { reason: 'customer lost the email' } }),
    expect: supportOnly(202),
  },
  { route: 'GET /orders/{orderId}/audit', request: () => ({ method: 'GET', url: `/orders/${SEED.aliceOrder}/audit` }), expect: supportOnly(200) },
  // The codec server: staff only; a payload that is not encrypted comes back as sent.
  { route: 'POST /codec/decode', request: () => ({ method: 'POST', url: '/codec/decode', payload: { payloads: [{ metadata: { encoding: 'anNvbi9wbGFpbg==' }, data: 'e30=' }] } }), expect: supportOnly(200) },
  { route: 'POST /codec/encode', request: () => ({ method: 'POST', url: '/codec/encode', payload: { payloads: [{ metadata: { encoding: 'anNvbi9wbGFpbg==' }, data: 'e30=' }] } }), expect: supportOnly(200) },
  { route: 'POST /payments', request: () => ({ method: 'POST', url: '/payments', payload: { orderId: SEED.aliceOrder, paymentToken: 'tok_ok' } }), expect: alices(200) },
  { route: 'GET /payments/{paymentId}', request: () => ({ method: 'GET', url: `/payments/${SEED.alicePayment}` }), expect: alices(200) },
  { route: 'GET /payments', request: () => ({ method: 'GET', url: `/payments?orderId=${SEED.aliceOrder}` }), expect: alices(200) },
  {
    route: 'POST /payments/{paymentId}/refund',
    // A payment is refunded once: support refunds alice's, admin bob's.
    request: (caller) => ({ method: 'POST', url: `/payments/${caller === 'admin' ? SEED.bobPayment : SEED.alicePayment}/refund`, payload: { reason: 'goodwill' } }),
    expect: supportOnly(200),
    setup: (fakes) => {
      for (const id of [SEED.alicePayment, SEED.bobPayment]) fakes.payments.set(id, { ...fakes.payments.get(id)!, status: 'SUCCEEDED' });
    },
  },
  {
    route: 'POST /payments/{paymentId}/refunds',
    request: (caller) => ({ method: 'POST', url: `/payments/${SEED.alicePayment}/refunds`, headers: { 'idempotency-key': `matrix-${caller}` }, payload: { amountCents: 1, reason: 'goodwill' } }),
    expect: supportOnly(201),
    setup: (fakes) => {
      fakes.payments.set(SEED.alicePayment, { ...fakes.payments.get(SEED.alicePayment)!, status: 'SUCCEEDED' });
    },
  },
  { route: 'GET /payments/{paymentId}/refunds', request: () => ({ method: 'GET', url: `/payments/${SEED.alicePayment}/refunds` }), expect: supportOnly(200) },
  {
    route: 'POST /internal/notifications',
    request: () => ({ method: 'POST', url: '/internal/notifications', payload: { userId: USERS.alice, kind: 'hello', body: 'Hi' } }),
    expect: { anonymous: 401, alice: 403, bob: 403, support: 403, admin: 403, service: 202 },
  },
  { route: 'GET /notifications', request: () => ({ method: 'GET', url: `/notifications?userId=${USERS.alice}` }), expect: alices(200) },
  // The caller's own profile: only customers have one (alice's is seeded, bob has none yet).
  { route: 'GET /me/contact', request: () => ({ method: 'GET', url: '/me/contact' }), expect: { anonymous: 401, alice: 200, bob: 404, support: 403, admin: 403, service: 403 } },
  {
    route: 'PUT /me/contact',
    request: () => ({ method: 'PUT', url: '/me/contact', payload: { email: 'someone@example.test' } }),
    expect: { anonymous: 401, alice: 200, bob: 200, support: 403, admin: 403, service: 403 },
  },
  // Webhook subscriptions are their owner's: customers and admins have their own; another's is a 404.
  {
    route: 'POST /me/webhooks',
    request: () => ({ method: 'POST', url: '/me/webhooks', payload: { url: 'https://hooks.example.test/in', eventTypes: ['OrderConfirmed'] } }),
    expect: { anonymous: 401, alice: 201, bob: 201, support: 403, admin: 201, service: 403 },
  },
  { route: 'GET /me/webhooks', request: () => ({ method: 'GET', url: '/me/webhooks' }), expect: { anonymous: 401, alice: 200, bob: 200, support: 403, admin: 200, service: 403 } },
  { route: 'GET /me/webhooks/{id}', request: () => ({ method: 'GET', url: `/me/webhooks/${SEED.aliceWebhook}` }), expect: { anonymous: 401, alice: 200, bob: 404, support: 403, admin: 404, service: 403 } },
  { route: 'DELETE /me/webhooks/{id}', request: () => ({ method: 'DELETE', url: `/me/webhooks/${SEED.aliceWebhook}` }), expect: { anonymous: 401, alice: 204, bob: 404, support: 403, admin: 404, service: 403 } },
  { route: 'POST /me/webhooks/{id}/verify', request: () => ({ method: 'POST', url: `/me/webhooks/${SEED.aliceWebhook}/verify` }), expect: { anonymous: 401, alice: 202, bob: 404, support: 403, admin: 404, service: 403 } },
  {
    route: 'GET /me/webhooks/{id}/deliveries',
    request: () => ({ method: 'GET', url: `/me/webhooks/${SEED.aliceWebhook}/deliveries` }),
    expect: { anonymous: 401, alice: 200, bob: 404, support: 403, admin: 404, service: 403 },
  },
  {
    route: 'POST /me/webhooks/deliveries/{deliveryId}/replay',
    request: () => ({ method: 'POST', url: `/me/webhooks/deliveries/${SEED.aliceDelivery}/replay` }),
    expect: { anonymous: 401, alice: 202, bob: 404, support: 403, admin: 404, service: 403 },
  },
];

// Alice's seeded data, and the field names that would carry it, which must never reach anyone who may
// not see it. (Ids the caller sent may come back in `detail` and `instance`: they are the caller's own input.)
const ALICE_SECRETS = [`secret note for ${USERS.alice}`, '12000', 'tok_ok', ...['items', 'totalCents', 'amountCents', 'paymentId', 'createdAt', 'paymentToken'].flatMap((f) => [`"${f}"`, `\\"${f}\\"`])];

describe('access matrix', () => {
  it('covers every route the OpenAPI document lists', async () => {
    const { app } = await build();
    const paths = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, unknown>> }>().paths;
    const documented = Object.entries(paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`));
    // The internal API is on the matrix but not in the public document (it is served on the internal listener).
    const HIDDEN = ['POST /internal/notifications'];
    expect([...documented, ...HIDDEN].sort()).toEqual(MATRIX.map((row) => row.route).sort());
    await app.close();
  });

  describe.each(MATRIX)('$route', (row) => {
    // Denied callers first, so a wrongly allowed write would show up in the port calls before the allowed ones run.
    const order = [...CALLERS].sort((a, b) => Number(row.expect[a] < 300) - Number(row.expect[b] < 300));

    it(`answers ${order.map((c) => `${c} ${row.expect[c]}`).join(', ')}`, async () => {
      const { app, fakes } = await build();
      row.setup?.(fakes);
      for (const caller of order) {
        const request = row.request(caller);
        const before = fakes.writes().length;
        const response = await app.inject({ ...request, headers: { ...bearer(caller), ...request.headers } });
        expect({ caller, status: response.statusCode }).toEqual({ caller, status: row.expect[caller] });
        if (response.statusCode >= 400) {
          const problem = expectProblem(response, row.expect[caller]);
          // A refused caller learns nothing of alice's data and changes nothing.
          for (const secret of ALICE_SECRETS) expect(JSON.stringify(problem)).not.toContain(secret);
          expect(fakes.writes().length).toBe(before);
          if (response.statusCode === 401) expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="petstore"/);
        }
      }
      await app.close();
    });
  });
});

describe('a customer never sees or touches another customer\'s data (BOLA)', () => {
  it('bob cannot read, list, cancel or pay alice\'s order, nor read her payment or notifications', async () => {
    const { app, fakes } = await build();
    const asBob = bearer('bob');
    const attempts: InjectOptions[] = [
      { method: 'GET', url: `/orders/${SEED.aliceOrder}` },
      { method: 'GET', url: `/orders/user/${USERS.alice}` },
      { method: 'GET', url: `/orders/user/${USERS.alice}?limit=100` },
      { method: 'POST', url: `/orders/${SEED.aliceOrder}/cancel` },
      { method: 'POST', url: '/payments', payload: { orderId: SEED.aliceOrder, paymentToken: 'tok_ok' }, headers: { 'idempotency-key': 'k1' } },
      { method: 'GET', url: `/payments/${SEED.alicePayment}` },
      { method: 'GET', url: `/notifications?userId=${USERS.alice}` },
      { method: 'GET', url: `/notifications?userId=${USERS.alice}&orderId=${SEED.aliceOrder}` },
      { method: 'GET', url: `/payments?orderId=${SEED.aliceOrder}` },
      { method: 'POST', url: `/orders/${SEED.aliceOrder}/cancel`, payload: { reason: 'not mine but let us try' } },
    ];
    for (const attempt of attempts) {
      const response = await app.inject({ ...attempt, headers: { ...asBob, ...attempt.headers } });
      const problem = expectProblem(response, 404);
      for (const secret of ALICE_SECRETS) expect(JSON.stringify(problem)).not.toContain(secret);
    }
    expect(fakes.callsTo('orders', 'cancel')).toHaveLength(0);
    expect(fakes.callsTo('payments', 'pay')).toHaveLength(0);
    expect(fakes.callsTo('orders', 'listByUser')).toHaveLength(0);
    expect(fakes.callsTo('notifications', 'listByUser')).toHaveLength(0);
    expect(fakes.callsTo('notifications', 'listByOrder')).toHaveLength(0);
    expect(fakes.callsTo('payments', 'listByOrder')).toHaveLength(0);
    expect(fakes.orders.get(SEED.aliceOrder)?.status).toBe('AWAITING_PAYMENT');
    expect(fakes.audit).toEqual([]);
    await app.close();
  });

  it('bob filtering notifications by alice\'s order sees only his own (none), never hers', async () => {
    const { app, fakes } = await build();
    const response = await app.inject({ method: 'GET', url: `/notifications?orderId=${SEED.aliceOrder}`, headers: bearer('bob') });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ items: [], nextCursor: null });
    expect(response.body).not.toContain(`secret note for ${USERS.alice}`);
    expect(fakes.callsTo('notifications', 'listByOrder').map((c) => c.args)).toEqual([[SEED.aliceOrder, { limit: 20, userId: USERS.bob }]]);
    await app.close();
  });

  it('a customer\'s role never reaches the support routes, even for their own order: 403 and no port call', async () => {
    const { app, fakes } = await build();
    fakes.payments.set(SEED.alicePayment, { ...fakes.payments.get(SEED.alicePayment)!, status: 'SUCCEEDED' });
    const attempts: InjectOptions[] = [
      { method: 'GET', url: `/orders?userId=${USERS.alice}` },
      { method: 'POST', url: `/orders/${SEED.aliceOrder}/renotify` },
      { method: 'GET', url: `/orders/${SEED.aliceOrder}/audit` },
      { method: 'POST', url: `/payments/${SEED.alicePayment}/refund`, payload: { reason: 'I want my money back' } },
      { method: 'POST', url: `/pets/${SEED.pet}/restock`, payload: { quantity: 1 } },
    ];
    for (const who of ['alice', 'bob'] as const) {
      for (const attempt of attempts) {
        const problem = expectProblem(await app.inject({ ...attempt, headers: bearer(who) }), 403);
        for (const secret of ALICE_SECRETS) expect(JSON.stringify(problem)).not.toContain(secret);
      }
    }
    expect(fakes.calls).toEqual([]);
    await app.close();
  });

  it('a missing order and someone else\'s order answer the same', async () => {
    const { app } = await build();
    const strip = (body: Record<string, unknown>) => ({ ...body, detail: String(body.detail).replace(/order \S+/, 'order X'), instance: undefined, requestId: undefined });
    const theirs = await app.inject({ method: 'GET', url: `/orders/${SEED.aliceOrder}`, headers: bearer('bob') });
    const missing = await app.inject({ method: 'GET', url: '/orders/no-such-order', headers: bearer('bob') });
    expect(theirs.statusCode).toBe(missing.statusCode);
    expect(strip(theirs.json())).toEqual(strip(missing.json()));
    await app.close();
  });

  it('each customer sees their own: lists, notifications without userId, payments', async () => {
    const { app } = await build();
    const mine = await app.inject({ method: 'GET', url: `/orders/user/${USERS.bob}`, headers: bearer('bob') });
    expect(mine.json<{ items: { userId: string }[] }>().items.map((o) => o.userId)).toEqual([USERS.bob]);
    const notes = await app.inject({ method: 'GET', url: '/notifications', headers: bearer('bob') });
    expect(notes.statusCode).toBe(200);
    expect(notes.json<{ items: { userId: string }[] }>().items.map((n) => n.userId)).toEqual([USERS.bob]);
    const payment = await app.inject({ method: 'GET', url: `/payments/${SEED.bobPayment}`, headers: bearer('bob') });
    expect(payment.json()).toMatchObject({ id: SEED.bobPayment, userId: USERS.bob });
    await app.close();
  });
});

describe('JWT attacks', () => {
  const url = `/orders/${SEED.aliceOrder}`;
  const now = () => Math.floor(Date.now() / 1000);
  const attacks: [string, () => Record<string, string>][] = [
    ['no Authorization header', () => ({})],
    ['a non-bearer scheme', () => ({ authorization: 'Basic dXNlcjpwYXNz' })],
    ['garbage', () => ({ authorization: 'Bearer not.a.jwt' })],
    ['alg none', () => ({ authorization: `Bearer ${forge({ alg: 'none', typ: 'JWT' }, validClaims()).split('.').slice(0, 2).join('.')}.` })],
    ['alg none with a signature', () => ({ authorization: `Bearer ${forge({ alg: 'none', typ: 'JWT' }, validClaims())}` })],
    ['HS512 with the right secret', () => bearer(forge({ alg: 'HS512', typ: 'JWT' }, validClaims(), { hmac: 'sha512' }))],
    ['HS384 with the right secret', () => bearer(forge({ alg: 'HS384', typ: 'JWT' }, validClaims(), { hmac: 'sha384' }))],
    ['RS256 header over an HMAC (key confusion)', () => bearer(forge({ alg: 'RS256', typ: 'JWT' }, validClaims()))],
    ['the wrong secret', () => bearer(forge({ alg: 'HS256', typ: 'JWT' }, validClaims(), { secret: 'another-secret-of-enough-length-0123456789' }))],
    ['an expired token', () => bearer(forge({ alg: 'HS256', typ: 'JWT' }, validClaims({ iat: now() - 7200, exp: now() - 3600 })))],
    ['the wrong issuer', () => bearer(forge({ alg: 'HS256', typ: 'JWT' }, validClaims({ iss: 'evil' })))],
    ['the wrong audience', () => bearer(forge({ alg: 'HS256', typ: 'JWT' }, validClaims({ aud: 'another-api' })))],
    ['no exp', () => bearer(forge({ alg: 'HS256', typ: 'JWT' }, validClaims({ exp: undefined })))],
    ['an unknown role', () => bearer(forge({ alg: 'HS256', typ: 'JWT' }, validClaims({ role: 'superuser' })))],
    ['no role', () => bearer(forge({ alg: 'HS256', typ: 'JWT' }, validClaims({ role: undefined })))],
    ['a customer without sub', () => bearer(forge({ alg: 'HS256', typ: 'JWT' }, validClaims({ sub: undefined })))],
    [
      'a tampered payload (sub swapped, signature kept)',
      () => {
        const [header, , signature] = forge({ alg: 'HS256', typ: 'JWT' }, validClaims({ sub: USERS.bob })).split('.');
        const payload = Buffer.from(JSON.stringify(validClaims({ sub: USERS.alice, role: 'admin' }))).toString('base64url');
        return bearer(`${header}.${payload}.${signature}`);
      },
    ],
  ];

  it.each(attacks)('%s is a 401 and reaches no port', async (_name, headers) => {
    const { app, fakes } = await build();
    const response = await app.inject({ method: 'GET', url, headers: headers() });
    expectProblem(response, 401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="petstore"/);
    expect(fakes.calls).toHaveLength(0);
    await app.close();
  });

  it('a token forged the same way but valid is accepted (the attacks above fail for their flaw alone)', async () => {
    const { app } = await build();
    const response = await app.inject({ method: 'GET', url, headers: bearer(forge({ alg: 'HS256', typ: 'JWT' }, validClaims())) });
    expect(response.statusCode).toBe(200);
    await app.close();
  });

  it('says when a token has expired', async () => {
    const { app } = await build();
    const response = await app.inject({ method: 'GET', url, headers: bearer(forge({ alg: 'HS256', typ: 'JWT' }, validClaims({ exp: now() - 60 }))) });
    expect(expectProblem(response, 401).detail).toMatch(/expired/);
    await app.close();
  });
});

describe('access metadata is required', () => {
  const silent = pino({ level: 'silent' });

  it('a route registered without access metadata makes buildApp fail', async () => {
    jest.resetModules();
    jest.doMock('../../api/routes/health', () => ({
      healthRoutes: async (app: { get: (url: string, handler: () => Promise<string>) => void }) => {
        app.get('/forgotten', async () => 'open to all?');
      },
    }));
    try {
      const { buildApp: buildWithForgottenRoute } = await import('../../api/app');
      await expect(buildWithForgottenRoute({ config: testConfig, ports: fakePorts().ports, logger: silent })).rejects.toThrow(
        /GET \/forgotten declares no access/,
      );
    } finally {
      jest.dontMock('../../api/routes/health');
      jest.resetModules();
    }
  });

  it('refuses routes added later without access, with both kinds, or with an unknown role', async () => {
    const app = await buildApp({ config: testConfig, ports: fakePorts().ports, logger: silent });
    expect(() => app.get('/sneaky', async () => 'x')).toThrow(/GET \/sneaky declares no access/);
    expect(() => app.get('/both', { config: { access: 'public', roles: ['admin'] } }, async () => 'x')).toThrow(/both/);
    expect(() => app.get('/who', { config: { roles: ['root' as never] } }, async () => 'x')).toThrow(/unknown role/);
    await app.close();
  });
});
