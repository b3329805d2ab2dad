// The parts every route shares: problem+json for every failure, the OpenAPI document and Swagger UI,
// health and readiness, write rate limits, request ids, 5xx without internals, and the server component.
import { httpServer } from '../../api/server';
import { UnavailableError } from '../../lib/errors';
import { fakePorts, SEED, USERS } from './fakes';
import { bearer, build, expectProblem, logSink, testConfig } from './harness';

describe('problem+json', () => {
  it('an unknown route is a 404 problem, for anyone', async () => {
    const { app } = await build();
    for (const headers of [{}, bearer('admin')]) {
      const problem = expectProblem(await app.inject({ method: 'GET', url: '/nowhere?x=1', headers }), 404);
      expect(problem).toMatchObject({ type: 'urn:petstore:problem:not-found', title: 'Not Found', status: 404, instance: '/nowhere' });
    }
    await app.close();
  });

  it('a method the path is not served with is a 405 problem with Allow, before auth and before any body is read', async () => {
    const { app, fakes } = await build();
    const patch = await app.inject({ method: 'PATCH', url: '/pets?limit=1' });
    expect(expectProblem(patch, 405)).toMatchObject({ type: 'urn:petstore:problem:method-not-allowed', instance: '/pets' });
    expect(patch.headers.allow).toBe('GET, HEAD, POST');
    expect((await app.inject({ method: 'TRACE', url: `/orders/${SEED.aliceOrder}` })).headers.allow).toBe('GET, HEAD');
    // QUERY carries a body: without the check it would be refused for its missing content-type, a 400.
    expectProblem(await app.inject({ method: 'QUERY' as 'GET', url: `/orders/${SEED.aliceOrder}/cancel` }), 405);
    expect((await app.inject({ method: 'DELETE', url: '/orders/user/someone' })).headers.allow).toBe('GET, HEAD');
    expectProblem(await app.inject({ method: 'DELETE', url: '/nowhere' }), 404);
    expect(fakes.calls).toEqual([]);
    await app.close();
  });

  it('a 5xx says nothing of its cause to the caller, and logs it with the request\'s context', async () => {
    const sink = logSink();
    const { app, fakes } = await build({ logger: sink.logger });
    fakes.ports.pets.get = async () => {
      throw new Error('connect ECONNREFUSED 10.1.2.3:5432 password=hunter2');
    };
    const response = await app.inject({ url: `/pets/${SEED.pet}`, headers: { 'x-request-id': 'req-5xx-1' } });
    const problem = expectProblem(response, 500);
    expect(response.body).not.toMatch(/ECONNREFUSED|hunter2|10\.1\.2\.3|stack|\.ts:/);
    expect(problem.requestId).toBe('req-5xx-1');
    const logged = sink.lines.find((l) => l.msg === 'request failed');
    expect(logged).toMatchObject({ level: 50, reqId: 'req-5xx-1', method: 'GET', route: '/pets/:id', err: expect.objectContaining({ message: expect.stringContaining('ECONNREFUSED') }) });
    await app.close();
  });

  it('a service\'s UnavailableError is a 503 problem', async () => {
    const { app, fakes } = await build();
    fakes.ports.orders.place = async () => {
      throw new UnavailableError('temporal is down');
    };
    const response = await app.inject({ method: 'POST', url: '/orders', headers: bearer('alice'), payload: { items: [{ petId: SEED.pet, quantity: 1 }], paymentToken: 'tok_ok' } });
    expect(expectProblem(response, 503).type).toBe('urn:petstore:problem:unavailable');
    await app.close();
  });
});

describe('request ids', () => {
  it('keeps a well-formed x-request-id, echoes it, and puts it in problems', async () => {
    const { app } = await build();
    const response = await app.inject({ url: '/nowhere', headers: { 'x-request-id': 'abc-123' } });
    expect(response.headers['x-request-id']).toBe('abc-123');
    expect(response.json()).toMatchObject({ requestId: 'abc-123' });
    await app.close();
  });

  it('replaces a malformed one and makes one when there is none', async () => {
    const { app } = await build();
    const odd = await app.inject({ url: '/healthz', headers: { 'x-request-id': 'evil\nline' } });
    const none = await app.inject({ url: '/healthz' });
    for (const response of [odd, none]) expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(odd.headers['x-request-id']).not.toBe(none.headers['x-request-id']);
    await app.close();
  });
});

describe('OpenAPI and Swagger UI', () => {
  it('/openapi.json describes every route with its schemas and bearer security', async () => {
    const { app } = await build();
    const response = await app.inject({ url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json<{
      openapi: string;
      components: { securitySchemes: Record<string, unknown> };
      paths: Record<string, Record<string, { security: unknown[]; responses: Record<string, unknown>; requestBody?: unknown }>>;
    }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearerAuth).toEqual({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    expect(Object.keys(doc.paths).sort()).toEqual(
      [
        '/healthz',
        '/readyz',
        '/asyncapi.json',
        '/schemas/events/{type}/{file}',
        '/pets',
        '/pets/{id}',
        '/pets/{id}/restock',
        '/orders',
        '/orders/{orderId}',
        '/orders/user/{userId}',
        '/orders/{orderId}/cancel',
        '/orders/{orderId}/events',
        '/orders/{orderId}/history',
        '/orders/{orderId}/renotify',
        '/orders/{orderId}/audit',
        '/payments',
        '/payments/{paymentId}',
        '/payments/{paymentId}/refund',
        '/payments/{paymentId}/refunds',
        '/notifications',
        '/me/contact',
        '/me/webhooks',
        '/me/webhooks/{id}',
        '/me/webhooks/{id}/verify',
        '/me/webhooks/{id}/deliveries',
        '/me/webhooks/deliveries/{deliveryId}/replay',
        '/codec/decode',
        '/codec/encode',
      ].sort(),
    );
    expect(doc.paths['/pets']!.get!.security).toEqual([]);
    expect(doc.paths['/pets']!.post!.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/orders']!.post!.responses).toHaveProperty('202');
    expect(doc.paths['/orders']!.post!.responses['400']).toMatchObject({ content: { 'application/problem+json': expect.any(Object) } });
    // The body is the named PlaceOrderRequest model (a $ref), closed like every input.
    expect(JSON.stringify(doc.paths['/orders']!.post!.requestBody)).toContain('"$ref":"#/components/schemas/PlaceOrderRequest"');
    expect(JSON.stringify((doc.components as { schemas?: Record<string, unknown> }).schemas?.PlaceOrderRequest)).toContain('"additionalProperties":false');
    // cancel and renotify take no body at all as {}: the document must not call their body required.
    expect(doc.paths['/orders']!.post!.requestBody).toMatchObject({ required: true });
    for (const path of ['/orders/{orderId}/cancel', '/orders/{orderId}/renotify']) {
      expect(doc.paths[path]!.post!.requestBody).toMatchObject({ required: false });
      expect(JSON.stringify(doc.paths[path])).not.toContain('x-petstore');
    }
    // Every path parameter can be too long for the router, every JSON body can have another media type.
    expect(doc.paths['/pets/{id}']!.get!.responses).toHaveProperty('414');
    expect(doc.paths['/payments']!.post!.responses).toHaveProperty('415');
    await app.close();
  });

  it('serves Swagger UI at /docs, publicly', async () => {
    const { app } = await build();
    const page = await app.inject({ url: '/docs' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect((await app.inject({ url: '/docs/json' })).json()).toMatchObject({ openapi: '3.1.0' });
    expect((await app.inject({ url: '/docs/static/swagger-ui.css' })).statusCode).toBe(200);
    await app.close();
  });
});

describe('health', () => {
  it('/healthz is 200 ok', async () => {
    const { app } = await build();
    const response = await app.inject({ url: '/healthz' });
    expect([response.statusCode, response.json()]).toEqual([200, { status: 'ok' }]);
    await app.close();
  });

  it('/readyz is 200 when every part is up and 503 naming the part that is down', async () => {
    const { app, fakes } = await build();
    expect((await app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready', parts: { postgres: true, kafka: true, temporal: true } });
    fakes.readiness.kafka = false;
    const down = await app.inject({ url: '/readyz' });
    expect([down.statusCode, down.json()]).toEqual([503, { status: 'unavailable', parts: { postgres: true, kafka: false, temporal: true } }]);
    await app.close();
  });

  it('/readyz is 503 when the check itself fails', async () => {
    const { app, fakes } = await build();
    fakes.ports.health.readiness = async () => {
      throw new Error('pool exhausted');
    };
    const response = await app.inject({ url: '/readyz' });
    expect([response.statusCode, response.json()]).toEqual([503, { status: 'unavailable', parts: { postgres: false, kafka: false, temporal: false } }]);
    await app.close();
  });
});

describe('rate limiting', () => {
  const order = { items: [{ petId: SEED.pet, quantity: 1 }], paymentToken: 'tok_ok' };

  it('after the limit a user\'s writes are 429 problems with retry-after; another user and reads are unaffected', async () => {
    const { app, fakes } = await build({ rateLimit: { max: 2, timeWindowMs: 60_000 } });
    const place = (who: 'alice' | 'bob') => app.inject({ method: 'POST', url: '/orders', headers: bearer(who), payload: order });
    expect((await place('alice')).statusCode).toBe(202);
    expect((await place('alice')).statusCode).toBe(202);
    const limited = await place('alice');
    expect(expectProblem(limited, 429).type).toBe('urn:petstore:problem:rate-limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // The limit is per user across write routes, checked before the handler: nothing more was placed or paid.
    const pay = await app.inject({ method: 'POST', url: '/payments', headers: bearer('alice'), payload: { orderId: SEED.aliceOrder, paymentToken: 'tok_ok' } });
    expectProblem(pay, 429);
    expect(fakes.callsTo('orders', 'place')).toHaveLength(2);
    expect(fakes.callsTo('payments', 'pay')).toHaveLength(0);

    expect((await place('bob')).statusCode).toBe(202);
    for (let i = 0; i < 5; i++) expect((await app.inject({ url: `/orders/user/${USERS.alice}`, headers: bearer('alice') })).statusCode).toBe(200);
    await app.close();
  });

  it('is generous by default', async () => {
    const { app } = await build();
    for (let i = 0; i < 20; i++) expect((await app.inject({ method: 'POST', url: '/orders', headers: bearer('alice'), payload: order })).statusCode).toBe(202);
    const response = await app.inject({ method: 'POST', url: '/orders', headers: bearer('alice'), payload: order });
    expect(response.headers['x-ratelimit-limit']).toBe('300');
    await app.close();
  });
});

describe('httpServer', () => {
  it('listens on the configured address, logs the URL, and closes on stop', async () => {
    const sink = logSink();
    const server = httpServer({ config: { ...testConfig, http: { host: '127.0.0.1', port: 0 } }, logger: sink.logger, ports: fakePorts().ports });
    expect(server.name).toBe('http');
    await server.start();
    try {
      const url = sink.lines.find((l) => l.msg === 'REST API listening')?.url as string;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${url}/healthz`);
      expect(await response.json()).toEqual({ status: 'ok' });
    } finally {
      await server.stop();
    }
    await server.stop(); // a second stop is harmless
  });

  it('fails to start, having released the app, when the port is taken', async () => {
    const sink = logSink();
    const first = httpServer({ config: { ...testConfig, http: { host: '127.0.0.1', port: 0 } }, logger: sink.logger, ports: fakePorts().ports });
    await first.start();
    try {
      const port = Number(new URL(sink.lines.find((l) => l.msg === 'REST API listening')?.url as string).port);
      const second = httpServer({ config: { ...testConfig, http: { host: '127.0.0.1', port } }, logger: sink.logger, ports: fakePorts().ports });
      await expect(second.start()).rejects.toThrow(/EADDRINUSE/);
      await second.stop();
    } finally {
      await first.stop();
    }
  });
});
