// The shared request budget on the real database: two API instances counting in edge.rate_limits spend one budget.
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import pino from 'pino';
import { buildApp } from '../../api/app';
import { createDb } from '../../db/knex';
import { migrateLatest } from '../../db/migrate';
import { postgresRateLimitCounter } from '../../runtime/rate-limit-counter';
import { fakePorts, SEED } from '../api/fakes';
import { bearer, testConfig as apiConfig } from '../api/harness';
import { testConfig } from '../helpers/config';

describe('RATE_LIMIT_STORE=postgres', () => {
  let db: Knex;
  beforeAll(async () => {
    db = createDb(testConfig, { poolMax: 4 });
    await migrateLatest(db);
  });
  afterAll(() => db.destroy());

  it('counts one window per key in one statement, and starts again when it ends', async () => {
    const counter = postgresRateLimitCounter(db);
    const key = `test:${randomUUID()}`;
    expect(await counter.hit(key, 1500)).toEqual({ hits: 1, ttlMs: expect.any(Number) });
    const second = await counter.hit(key, 1500);
    expect(second.hits).toBe(2);
    expect(second.ttlMs).toBeGreaterThan(0);
    expect(second.ttlMs).toBeLessThanOrEqual(1500);
    await new Promise((resolve) => setTimeout(resolve, 1600));
    expect((await counter.hit(key, 1500)).hits).toBe(1);
  });

  it('counts concurrent hits exactly (no lost updates)', async () => {
    const counter = postgresRateLimitCounter(db);
    const key = `test:${randomUUID()}`;
    const results = await Promise.all(Array.from({ length: 50 }, () => counter.hit(key, 60_000)));
    expect(results.map((r) => r.hits).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('makes two API instances share one budget', async () => {
    await db.raw(`delete from edge.rate_limits where key in ('ip:127.0.0.1', 'user:user-alice:read')`);
    const logger = pino({ level: 'silent' });
    const make = () => buildApp({ config: apiConfig, logger, ports: fakePorts().ports, rateLimit: { reads: 4, counter: postgresRateLimitCounter(db) } });
    const [first, second] = [await make(), await make()];
    try {
      const get = (app: typeof first) => app.inject({ url: `/orders/${SEED.aliceOrder}`, headers: bearer('alice') });
      for (const app of [first, second, first, second]) expect((await get(app)).statusCode).toBe(200);
      const limited = await get(first);
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      const rows = await db('edge.rate_limits').whereIn('key', ['ip:127.0.0.1', 'user:user-alice:read']).orderBy('key');
      expect(rows.map((r: { key: string; hits: number }) => [r.key, r.hits])).toEqual([['ip:127.0.0.1', 5], ['user:user-alice:read', 5]]);
    } finally {
      await first.close();
      await second.close();
    }
  }, 30_000);
});
