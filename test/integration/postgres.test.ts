import type { Knex } from 'knex';
import { createDb } from '../../db/knex';
import { testConfig, unique } from '../helpers/config';

describe('PostgreSQL', () => {
  let db: Knex;
  const schema = unique('scratch').replace(/-/g, '_');

  beforeAll(() => {
    db = createDb(testConfig, { poolMax: 2 });
  });
  afterAll(async () => {
    await db.raw('drop schema if exists ?? cascade', [schema]);
    await db.destroy();
  });

  it('creates, writes, reads and drops a table in a scratch schema', async () => {
    await db.raw('create schema ??', [schema]);
    await db.schema.withSchema(schema).createTable('pets', (t) => {
      t.increments('id');
      t.text('name').notNullable();
    });
    await db.withSchema(schema).table('pets').insert([{ name: 'Rex' }, { name: 'Tom' }]);
    const rows = await db.withSchema(schema).table('pets').select('name').orderBy('id');
    expect(rows.map((r: { name: string }) => r.name)).toEqual(['Rex', 'Tom']);

    await db.schema.withSchema(schema).dropTable('pets');
    expect(await db.schema.withSchema(schema).hasTable('pets')).toBe(false);
  });

  it('runs a real PostgreSQL server', async () => {
    const { rows } = await db.raw('show server_version_num');
    expect(Number(rows[0].server_version_num)).toBeGreaterThanOrEqual(150000);
  });
});
