// The webhook subscription routes on fake ports: who owns what, what the creation answers (the secret,
// once), and how bad input is refused before the port is reached.
import { SEED, USERS } from './fakes';
import { bearer, build, expectProblem } from './harness';

describe('POST/GET/DELETE /me/webhooks', () => {
  it('creates a PENDING_VERIFICATION subscription, answers its secret once, and never lists it again', async () => {
    const { app, fakes } = await build();
    const created = await app.inject({ method: 'POST', url: '/me/webhooks', headers: bearer('bob'), payload: { url: 'https://hooks.example.test/bob', eventTypes: ['OrderConfirmed', 'PaymentRefunded'], description: 'shop sync' } });
    expect(created.statusCode).toBe(201);
    const body = created.json<{ id: string; secret: string; status: string; scope: string }>();
    expect(body).toMatchObject({ status: 'PENDING_VERIFICATION', scope: 'own-orders', secret: expect.stringMatching(/^whsec_/) });
    expect(created.headers.location).toBe(`/me/webhooks/${body.id}`);
    expect(fakes.callsTo('webhooks', 'create')[0]!.args[0]).toEqual({ userId: USERS.bob, scope: 'own-orders' });

    const listed = await app.inject({ method: 'GET', url: '/me/webhooks', headers: bearer('bob') });
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain('whsec_');
    expect(listed.json<{ items: { id: string }[] }>().items.map((s) => s.id)).toEqual([body.id]);
    const one = await app.inject({ method: 'GET', url: `/me/webhooks/${body.id}`, headers: bearer('bob') });
    expect(one.json()).not.toHaveProperty('secret');
    await app.close();
  });

  it('gives an admin\'s subscription every order\'s events', async () => {
    const { app, fakes } = await build();
    const created = await app.inject({ method: 'POST', url: '/me/webhooks', headers: bearer('admin'), payload: { url: 'https://integrator.example.test/in', eventTypes: ['OrderPlaced'] } });
    expect(created.json()).toMatchObject({ scope: 'all-orders' });
    expect(fakes.callsTo('webhooks', 'create')[0]!.args[0]).toEqual({ userId: 'admin', scope: 'all-orders' });
    await app.close();
  });

  it.each([
    ['no event type', { url: 'https://hooks.example.test/', eventTypes: [] }, '/body/eventTypes'],
    ['an unknown event type', { url: 'https://hooks.example.test/', eventTypes: ['OrderShipped'] }, '/body/eventTypes/0'],
    ['a repeated event type', { url: 'https://hooks.example.test/', eventTypes: ['OrderPlaced', 'OrderPlaced'] }, '/body/eventTypes'],
    ['a URL that is not http(s)', { url: 'ftp://hooks.example.test/', eventTypes: ['OrderPlaced'] }, '/body/url'],
    ['an unknown field', { url: 'https://hooks.example.test/', eventTypes: ['OrderPlaced'], secret: 'whsec_mine' }, '/body/secret'],
  ])('refuses %s with a 400 before the port is reached', async (_label, payload, path) => {
    const { app, fakes } = await build();
    const response = await app.inject({ method: 'POST', url: '/me/webhooks', headers: bearer('alice'), payload });
    const problem = expectProblem(response, 400);
    expect(problem.errors?.map((e) => e.path)).toContain(path);
    expect(fakes.callsTo('webhooks', 'create')).toEqual([]);
    await app.close();
  });

  it('answers 422 for a URL the webhook policy refuses', async () => {
    const { app } = await build();
    const response = await app.inject({ method: 'POST', url: '/me/webhooks', headers: bearer('alice'), payload: { url: 'http://hooks.example.test/', eventTypes: ['OrderPlaced'] } });
    expect(expectProblem(response, 422).detail).toMatch(/refused/);
    await app.close();
  });

  it('hides alice\'s subscription, its log and its deliveries from bob (404), and lets alice replay and delete', async () => {
    const { app } = await build();
    for (const request of [
      { method: 'GET' as const, url: `/me/webhooks/${SEED.aliceWebhook}` },
      { method: 'GET' as const, url: `/me/webhooks/${SEED.aliceWebhook}/deliveries` },
      { method: 'POST' as const, url: `/me/webhooks/${SEED.aliceWebhook}/verify` },
      { method: 'POST' as const, url: `/me/webhooks/deliveries/${SEED.aliceDelivery}/replay` },
      { method: 'DELETE' as const, url: `/me/webhooks/${SEED.aliceWebhook}` },
    ]) {
      expectProblem(await app.inject({ ...request, headers: bearer('bob') }), 404);
    }
    const replayed = await app.inject({ method: 'POST', url: `/me/webhooks/deliveries/${SEED.aliceDelivery}/replay`, headers: bearer('alice') });
    expect(replayed.statusCode).toBe(202);
    expect(replayed.json()).toMatchObject({ status: 'PENDING', replayOf: SEED.aliceDelivery });
    expect((await app.inject({ method: 'DELETE', url: `/me/webhooks/${SEED.aliceWebhook}`, headers: bearer('alice') })).statusCode).toBe(204);
    expectProblem(await app.inject({ method: 'GET', url: `/me/webhooks/${SEED.aliceWebhook}`, headers: bearer('alice') }), 404);
    await app.close();
  });

  it('refuses an id that is not a UUID with a 400', async () => {
    const { app } = await build();
    expectProblem(await app.inject({ method: 'GET', url: '/me/webhooks/not-a-uuid', headers: bearer('alice') }), 400);
    await app.close();
  });
});
