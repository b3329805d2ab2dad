import { randomUUID } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Knex } from 'knex';
import { createDb } from '../../db/knex';
import { appliedMigrations, migrateDownAll, migrateLatest } from '../../db/migrate';
import { seedPets, SEED_PETS } from '../../db/seeds/pets';
import { projectRoot } from '../../lib/config';
import { testConfig, unique } from '../helpers/config';

// The migrations on disk, by name: the four services' schemas, the audit (20261124160000_audit), and any later one.
const MIGRATION_FILES = readdirSync(join(projectRoot, 'db', 'migrations'))
  .filter((file) => /^\d{14}_\w+\.ts$/.test(file))
  .map((file) => file.replace(/\.ts$/, ''))
  .sort();
const SCHEMAS = ['inventory', 'orders', 'payments', 'notifications', 'audit'];

// Runs in a database of its own: rolling back must not pull tables from under the other tests.
describe('migrations and seeds', () => {
  const name = unique('migrations').replace(/-/g, '_');
  let admin: Knex;
  let db: Knex;

  beforeAll(async () => {
    admin = createDb(testConfig, { poolMax: 1 });
    await admin.raw('create database ??', [name]);
    const url = new URL(testConfig.postgres.url);
    url.pathname = `/${name}`;
    db = createDb({ ...testConfig, postgres: { ...testConfig.postgres, url: url.toString() } }, { poolMax: 2 });
  });
  afterAll(async () => {
    await db.destroy();
    await admin.raw('drop database if exists ?? with (force)', [name]);
    await admin.destroy();
  });

  it('migrates up, down and up again, one schema per service and the audit\'s', async () => {
    // Every migration file is listed in db/migrate.ts and applies: a forgotten listing fails here.
    expect(await migrateLatest(db)).toEqual(MIGRATION_FILES);
    expect(MIGRATION_FILES.length).toBeGreaterThanOrEqual(5);
    const schemas = await db.raw(`select schema_name from information_schema.schemata where schema_name in (${SCHEMAS.map(() => '?').join(',')})`, SCHEMAS);
    expect(schemas.rows).toHaveLength(SCHEMAS.length);
    expect(await migrateLatest(db)).toEqual([]);

    expect(await migrateDownAll(db)).toHaveLength(MIGRATION_FILES.length);
    const tables = await db.raw(`select table_name from information_schema.tables where table_schema in (${SCHEMAS.map(() => '?').join(',')})`, SCHEMAS);
    expect(tables.rows).toEqual([]);
    expect((await db.raw(`select 1 from information_schema.schemata where schema_name = 'audit'`)).rows).toEqual([]);
    expect(await appliedMigrations(db)).toEqual([]);

    await migrateLatest(db);
    expect(await appliedMigrations(db)).toEqual(MIGRATION_FILES);
  });

  it('the audit table refuses an unknown action, an empty reason and details that are not an object', async () => {
    const row = { id: randomUUID(), actor: 'support', action: 'refund', order_id: randomUUID(), reason: 'why', details: '{}' };
    const audit = () => db.withSchema('audit').table('support_actions');
    await audit().insert(row);
    await expect(audit().insert({ ...row, id: randomUUID(), action: 'delete-order' })).rejects.toThrow(/support_actions_action_valid/);
    await expect(audit().insert({ ...row, id: randomUUID(), reason: '' })).rejects.toThrow(/support_actions_reason_length/);
    await expect(audit().insert({ ...row, id: randomUUID(), details: '[]' })).rejects.toThrow(/support_actions_details_object/);
  });

  it('seeds the catalogue once however often it runs, and refuses negative stock', async () => {
    expect(SEED_PETS.length).toBeGreaterThanOrEqual(20);
    expect(await seedPets(db)).toBe(SEED_PETS.length);
    expect(await seedPets(db)).toBe(0);
    const [{ count }] = await db.withSchema('inventory').table('pets').count({ count: '*' });
    expect(Number(count)).toBe(SEED_PETS.length);
    await expect(db.withSchema('inventory').table('pets').update({ stock: -1 })).rejects.toThrow(/pets_stock_not_negative/);
  });
});
