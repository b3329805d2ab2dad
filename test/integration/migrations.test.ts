import type { Knex } from 'knex';
import { createDb } from '../../db/knex';
import { appliedMigrations, migrateDownAll, migrateLatest } from '../../db/migrate';
import { seedPets, SEED_PETS } from '../../db/seeds/pets';
import { testConfig, unique } from '../helpers/config';

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

  it('migrates up, down and up again, one schema per service', async () => {
    expect(await migrateLatest(db)).toHaveLength(4);
    const schemas = await db.raw(`select schema_name from information_schema.schemata where schema_name in ('inventory','orders','payments','notifications')`);
    expect(schemas.rows).toHaveLength(4);
    expect(await migrateLatest(db)).toEqual([]);

    expect(await migrateDownAll(db)).toHaveLength(4);
    const tables = await db.raw(`select table_name from information_schema.tables where table_schema in ('inventory','orders','payments','notifications')`);
    expect(tables.rows).toEqual([]);
    expect(await appliedMigrations(db)).toEqual([]);

    await migrateLatest(db);
    expect(await appliedMigrations(db)).toHaveLength(4);
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
