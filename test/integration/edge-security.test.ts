// The security settings on the real stack: a running `petstore serve` keeps /metrics and the internal API off its
// public port, answers year 0 with a 400 (Postgres would refuse it with an error), and its pools bound every session.
import type { Knex } from 'knex';
import { createDb } from '../../db/knex';
import { loadConfig } from '../../lib/config';
import { apiClient, startSystem, tokenFor, type RunningSystem } from '../helpers/system';

describe('a running system', () => {
  let system: RunningSystem;
  beforeAll(async () => {
    system = await startSystem();
  }, 120_000);
  afterAll(() => system?.stop());

  it('serves /metrics and the internal API on the internal listener only', async () => {
    expect((await fetch(`${system.baseUrl}/metrics`)).status).toBe(404);
    expect((await fetch(`${system.internalUrl}/metrics`)).status).toBe(200);
    expect((await fetch(`${system.baseUrl}/internal/readyz`)).status).toBe(404);
    expect(await (await fetch(`${system.internalUrl}/internal/readyz`)).json()).toEqual({ status: 'ready', parts: { postgres: true, kafka: true, temporal: true } });
    const doc = (await (await fetch(`${system.baseUrl}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/internal'))).toEqual([]);
  });

  it('answers GET /orders?since=0000-01-01T00:00:00Z (support) with a 400, not a 500', async () => {
    const support = apiClient(system.baseUrl, tokenFor('support', 'carol'));
    const response = await support<{ errors: { path: string }[] }>('GET', '/orders?since=0000-01-01T00:00:00Z');
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e) => e.path)).toContain('/querystring/since');
    expect((await support('GET', '/orders?since=2026-01-01T00:00:00Z')).status).toBe(200);
  });

  it('sends security headers and no-store on authenticated answers', async () => {
    const response = await fetch(`${system.baseUrl}/orders`, { headers: { authorization: `Bearer ${tokenFor('support', 'carol')}` } });
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('the pools', () => {
  let db: Knex;
  afterAll(() => db?.destroy());

  it('set statement_timeout and idle_in_transaction_session_timeout on every session', async () => {
    db = createDb(loadConfig({ ...process.env, DATABASE_STATEMENT_TIMEOUT: '1s', DATABASE_IDLE_IN_TRANSACTION_TIMEOUT: '2s' }), { poolMax: 2 });
    expect((await db.raw('show statement_timeout')).rows[0].statement_timeout).toBe('1s');
    expect((await db.raw('show idle_in_transaction_session_timeout')).rows[0].idle_in_transaction_session_timeout).toBe('2s');
    await expect(db.raw('select pg_sleep(3)')).rejects.toThrow(/canceling statement due to statement timeout/);
    // A transaction left idle is ended by the server, and its connection with it.
    await expect(
      db.transaction(async (trx) => {
        await trx.raw('select 1');
        await new Promise((resolve) => setTimeout(resolve, 3000));
        await trx.raw('select 1');
      }),
    ).rejects.toThrow(/idle-in-transaction timeout|terminat|connection error/i);
  }, 30_000);

  it('have safe defaults: 30 s per statement, 60 s idle in a transaction', () => {
    expect(loadConfig({}).postgres.sessionTimeouts).toEqual({ statementMs: 30_000, idleInTransactionMs: 60_000 });
  });
});
