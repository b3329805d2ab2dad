// Request budgets: per address before authentication (401s count), per caller for reads and for writes,
// and one budget shared by replicas through a counter (the Postgres one runs in test/integration/rate-limits.test.ts).
import type { RateLimitCounter } from '../../api/ports';
import { SEED } from './fakes';
import { bearer, build, expectProblem } from './harness';

/** A counter two apps share, as the Postgres table is shared by replicas. */
function sharedCounter(): RateLimitCounter & { keys: Map<string, number> } {
  const keys = new Map<string, number>();
  return {
    keys,
    async hit(key, windowMs) {
      keys.set(key, (keys.get(key) ?? 0) + 1);
      return { hits: keys.get(key)!, ttlMs: windowMs };
    },
  };
}

describe('the per-address budget, before authentication', () => {
  it('counts refused tokens: after RATE_LIMIT_PER_IP requests with a bad token the address gets 429, not 401', async () => {
    const { app, fakes } = await build({ rateLimit: { perIp: 5 } });
    for (let i = 0; i < 5; i++) expectProblem(await app.inject({ url: `/orders/${SEED.aliceOrder}`, headers: bearer('not.a.token') }), 401);
    const limited = await app.inject({ url: `/orders/${SEED.aliceOrder}`, headers: bearer('not.a.token') });
    expect(expectProblem(limited, 429).detail).toMatch(/from this address/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // The same address with a good token is limited too (the budget is the address's), and public routes as well.
    expectProblem(await app.inject({ url: `/orders/${SEED.aliceOrder}`, headers: bearer('alice') }), 429);
    expectProblem(await app.inject({ url: '/pets' }), 429);
    expect(fakes.calls).toHaveLength(0);
    await app.close();
  });

  it('leaves the health probes alone', async () => {
    const { app } = await build({ rateLimit: { perIp: 2 } });
    for (let i = 0; i < 5; i++) expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    await app.close();
  });
});

describe('the per-caller read budget', () => {
  it('limits reads too, per user, apart from writes', async () => {
    const { app } = await build({ rateLimit: { reads: 3 } });
    for (let i = 0; i < 3; i++) expect((await app.inject({ url: `/orders/${SEED.aliceOrder}`, headers: bearer('alice') })).statusCode).toBe(200);
    const limited = await app.inject({ url: `/orders/${SEED.aliceOrder}`, headers: bearer('alice') });
    expect(expectProblem(limited, 429).detail).toMatch(/read requests/);
    expect(limited.headers['x-ratelimit-limit']).toBe('3');
    expect((await app.inject({ url: `/orders/${SEED.bobOrder}`, headers: bearer('bob') })).statusCode).toBe(200);
    await app.close();
  });
});

describe('a shared counter', () => {
  it('makes two replicas spend one budget', async () => {
    const counter = sharedCounter();
    const first = await build({ rateLimit: { reads: 4, counter } });
    const second = await build({ rateLimit: { reads: 4, counter } });
    for (const { app } of [first, second, first, second]) expect((await app.inject({ url: `/orders/${SEED.aliceOrder}`, headers: bearer('alice') })).statusCode).toBe(200);
    expectProblem(await second.app.inject({ url: `/orders/${SEED.aliceOrder}`, headers: bearer('alice') }), 429);
    expect([...counter.keys.keys()].sort()).toEqual(['ip:127.0.0.1', 'user:user-alice:read']);
    await first.app.close();
    await second.app.close();
  });

  it('lets requests through when the counter fails (the routes answer their own 503s), rather than a 500', async () => {
    const broken: RateLimitCounter = { hit: () => Promise.reject(new Error('connection refused')) };
    const { app } = await build({ rateLimit: { counter: broken } });
    expect((await app.inject({ url: `/orders/${SEED.aliceOrder}`, headers: bearer('alice') })).statusCode).toBe(200);
    await app.close();
  });
});
