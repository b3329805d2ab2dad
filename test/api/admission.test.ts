// Admission control: a full process refuses at once (503 + Retry-After) instead of queueing, a caller over
// its share gets 429, probes still answer, and a request whose deadline has passed starts nothing.
import { buildApp } from '../../api/app';
import { callerOf, parseDeadline } from '../../api/plugins/admission';
import { loadConfig } from '../../lib/config';
import { createMetrics } from '../../lib/metrics';
import pino from 'pino';
import { fakePorts, SEED } from './fakes';
import { bearer, expectProblem, TEST_SECRET, tokenFor } from './harness';
import { issueToken } from '../../lib/auth';

const body = { items: [{ petId: SEED.pet, quantity: 1 }], paymentToken: 'tok_ok' };

/** An app whose Order service holds every placement until released, with small bounds. */
async function heldApp(env: Record<string, string>) {
  const config = loadConfig({ JWT_SECRET: TEST_SECRET, ...env });
  const fakes = fakePorts();
  const waiting: (() => void)[] = [];
  const place = fakes.ports.orders.place.bind(fakes.ports.orders);
  fakes.ports.orders.place = async (input, caller) => {
    await new Promise<void>((resolve) => waiting.push(resolve));
    return place(input, caller);
  };
  const metrics = createMetrics();
  const app = await buildApp({ config, ports: fakes.ports, logger: pino({ level: 'silent' }), metrics });
  const until = async (n: number) => {
    while (waiting.length < n) await new Promise((r) => setTimeout(r, 5));
  };
  return { app, fakes, metrics, release: () => waiting.splice(0).forEach((go) => go()), until, waiting: () => waiting.length };
}

const customer = (n: number) => ({ authorization: `Bearer ${issueToken(loadConfig({ JWT_SECRET: TEST_SECRET }), { role: 'customer', userId: `shopper-${n}`, ttlSeconds: 600 })}` });

// Each test builds an app (its schemas compile in a second or two on a busy machine) and waits on held requests.
jest.setTimeout(30_000);

describe('admission control', () => {
  it('refuses saga work past its bound at once with 503 + Retry-After, keeps serving reads and probes, and reports saturation', async () => {
    const { app, metrics, release, until, waiting } = await heldApp({ ADMISSION_MAX_SAGA_IN_FLIGHT: '2', ADMISSION_MAX_IN_FLIGHT: '10' });
    const held = [1, 2].map((n) => app.inject({ method: 'POST', url: '/orders', headers: customer(n), payload: body }));
    await until(2);
    const refused = await app.inject({ method: 'POST', url: '/orders', headers: customer(3), payload: body });
    // Answered while the two are still held: refused, not queued behind them.
    expect(waiting()).toBe(2);
    expect(expectProblem(refused, 503).detail).toMatch(/at capacity; nothing was done/);
    expect(refused.headers['retry-after']).toBe('1');
    // Reads are not saga work; the readiness probe says why new saga work is refused.
    expect((await app.inject({ url: `/pets/${SEED.pet}` })).statusCode).toBe(200);
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: 'saturated', load: { sagaInFlight: 2, maxSagaInFlight: 2, saturated: true } });
    release();
    expect((await Promise.all(held)).map((r) => r.statusCode)).toEqual([202, 202]);
    expect((await app.inject({ url: '/readyz' })).json()).toEqual({ status: 'ready', parts: { postgres: true, kafka: true, temporal: true } });
    const again = app.inject({ method: 'POST', url: '/orders', headers: customer(4), payload: body });
    await until(1);
    release();
    expect((await again).statusCode).toBe(202);
    expect(await metrics.registry.getSingleMetricAsString('petstore_http_refused_total')).toMatch(/reason="saga_capacity"} 1/);
    await app.close();
  });

  it('gives a caller over its share a 429 while others still get in', async () => {
    const { app, release, until } = await heldApp({ ADMISSION_MAX_PER_CALLER: '2' });
    const held = [1, 2].map(() => app.inject({ method: 'POST', url: '/orders', headers: bearer('alice'), payload: body }));
    await until(2);
    const greedy = await app.inject({ method: 'POST', url: '/orders', headers: bearer('alice'), payload: body });
    expect(expectProblem(greedy, 429).detail).toMatch(/2 requests in flight/);
    expect(greedy.headers['retry-after']).toBe('1');
    const other = app.inject({ method: 'POST', url: '/orders', headers: bearer('bob'), payload: body });
    await until(3);
    release();
    expect((await Promise.all([...held, other])).map((r) => r.statusCode)).toEqual([202, 202, 202]);
    await app.close();
  });

  it('starts nothing for a request whose deadline has already passed', async () => {
    const { app, fakes } = await heldApp({});
    const late = await app.inject({ method: 'POST', url: '/orders', headers: { ...bearer('alice'), 'x-request-deadline': new Date(Date.now() - 1000).toISOString() }, payload: body });
    expect(expectProblem(late, 503).detail).toMatch(/deadline had passed/);
    expect(fakes.callsTo('orders', 'place')).toHaveLength(0);
    await app.close();
  });

  it('reads the caller from the token without verifying it, else the address; deadlines as RFC 3339 or epoch ms', () => {
    const request = (authorization?: string) => ({ headers: authorization ? { authorization } : {}, ip: '10.0.0.9' }) as never;
    expect(callerOf(request(`Bearer ${tokenFor('alice')}`))).toMatch(/^sub:/);
    expect(callerOf(request('Bearer not-a-jwt'))).toBe('ip:10.0.0.9');
    expect(callerOf(request())).toBe('ip:10.0.0.9');
    expect(parseDeadline('2030-01-01T00:00:00Z')).toBe(Date.parse('2030-01-01T00:00:00Z'));
    expect(parseDeadline('1893456000000')).toBe(1893456000000);
    expect(parseDeadline('soon')).toBeUndefined();
  });
});
