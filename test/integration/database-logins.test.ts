// Per-service database logins on the real stack: a running system connects each part as its own role,
// and each role reaches its own schema only (the audit trail append-only), whatever the SQL it sends.
import type { Knex } from 'knex';
import type { OrderView } from '../../api/ports';
import type { Pet } from '../../domain/pets';
import { createDb } from '../../db/knex';
import { DB_LOGINS, loginConfig, roleName, type DbLogin } from '../../db/logins';
import { waitFor } from '../../lib/wait';
import { testConfig, unique } from '../helpers/config';
import { apiClient, startSystem, tokenFor, type RunningSystem } from '../helpers/system';

const PERMISSION_DENIED = '42501';

describe('per-service database logins', () => {
  let system: RunningSystem;
  let admin: Knex;
  const pools = new Map<DbLogin, Knex>();
  const as = (login: DbLogin): Knex => {
    if (!pools.has(login)) pools.set(login, createDb(loginConfig(testConfig, login), { poolMax: 1 }));
    return pools.get(login)!;
  };
  const denied = async (login: DbLogin, sql: string): Promise<string | undefined> =>
    as(login)
      .raw(sql)
      .then(() => undefined, (error: { code?: string }) => error.code);

  beforeAll(async () => {
    system = await startSystem();
    admin = createDb(testConfig, { poolMax: 1 });
  }, 120_000);
  afterAll(async () => {
    await Promise.all([...pools.values(), admin].map((db) => db?.destroy()));
    await system?.stop();
  });

  it('run a whole order as the service roles, not as the migrating user', async () => {
    const shop = apiClient(system.baseUrl, tokenFor('admin'));
    const customer = apiClient(system.baseUrl, tokenFor('customer', unique('customer')));
    const pet = (await shop<Pet>('POST', '/pets', { name: unique('pet'), species: 'cat', priceCents: 1_200, stock: 1 })).body;
    const placed = await customer<{ orderId: string }>('POST', '/orders', { items: [{ petId: pet.id, quantity: 1 }], paymentToken: 'tok_ok' });
    expect(placed.status).toBe(202);
    const order = await waitFor(
      'the order to be confirmed',
      async () => {
        const { body } = await customer<OrderView>('GET', `/orders/${placed.body.orderId}`);
        return body.status === 'CONFIRMED' || body.status === 'CANCELLED' ? body : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 100, hint: () => system.output().slice(-3000) },
    );
    expect(order.status).toBe('CONFIRMED');
    // The pools keep their connections a while after use: each part's login shows among the sessions.
    const { rows } = await admin.raw<{ rows: { usename: string }[] }>('select distinct usename from pg_stat_activity where datname = current_database()');
    const users = rows.map((r) => r.usename);
    for (const login of DB_LOGINS) expect(users).toContain(roleName(testConfig.namespace, login));
  }, 60_000);

  it('reach their own schema', async () => {
    await expect(as('inventory').raw('select count(*) from inventory.pets')).resolves.toBeDefined();
    await expect(as('orders').raw('select count(*) from orders.orders')).resolves.toBeDefined();
    await expect(as('orders').raw('select count(*) from order_history.histories')).resolves.toBeDefined();
    await expect(as('payments').raw('select count(*) from payments.payments')).resolves.toBeDefined();
    await expect(as('notifications').raw('select count(*) from notifications.notifications')).resolves.toBeDefined();
    await expect(as('relay').raw('select count(*) from orders.outbox')).resolves.toBeDefined();
    await expect(as('gateway').raw('select count(*) from gateway.charges')).resolves.toBeDefined();
    await expect(as('edge').raw('select count(*) from edge.rate_limits')).resolves.toBeDefined();
  });

  it("are refused another service's books", async () => {
    expect(await denied('inventory', 'select * from payments.payments limit 1')).toBe(PERMISSION_DENIED);
    expect(await denied('orders', 'select * from inventory.pets limit 1')).toBe(PERMISSION_DENIED);
    expect(await denied('notifications', 'select * from orders.orders limit 1')).toBe(PERMISSION_DENIED);
    expect(await denied('payments', 'select * from order_history.histories limit 1')).toBe(PERMISSION_DENIED);
    expect(await denied('payments', 'select * from gateway.charges limit 1')).toBe(PERMISSION_DENIED);
    expect(await denied('edge', 'select * from payments.payments limit 1')).toBe(PERMISSION_DENIED);
    // The relay reads and marks outboxes, and nothing else.
    expect(await denied('relay', 'select * from orders.orders limit 1')).toBe(PERMISSION_DENIED);
    expect(await denied('relay', 'insert into orders.outbox default values')).toBe(PERMISSION_DENIED);
    for (const login of DB_LOGINS) expect(await denied(login, 'select * from public.knex_migrations limit 1')).toBe(PERMISSION_DENIED);
  });

  it('may add to the audit trail but never change it', async () => {
    expect(await denied('orders', 'delete from audit.support_actions')).toBe(PERMISSION_DENIED);
    expect(await denied('payments', "update audit.support_actions set reason = 'x'")).toBe(PERMISSION_DENIED);
    expect(await denied('inventory', 'select * from audit.support_actions limit 1')).toBe(PERMISSION_DENIED);
  });

  it('cannot create schemas or roles, or make themselves more', async () => {
    expect(await denied('orders', 'create schema sneaky')).toBe(PERMISSION_DENIED);
    expect(await denied('payments', 'create role sneaky')).toBe(PERMISSION_DENIED);
    expect(await denied('inventory', 'create table inventory.sneaky (id int)')).toBe(PERMISSION_DENIED);
    const { rows } = await admin.raw<{ rows: { rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean }[] }>(
      'select rolsuper, rolcreaterole, rolcreatedb from pg_roles where rolname = any(?)',
      [DB_LOGINS.map((login) => roleName(testConfig.namespace, login))],
    );
    expect(rows).toHaveLength(DB_LOGINS.length);
    expect(rows.every((r) => !r.rolsuper && !r.rolcreaterole && !r.rolcreatedb)).toBe(true);
  });
});
