// Keyset paging on a real PostgreSQL: following nextCursor visits every row once, in both directions,
// also when rows share a created_at to the microsecond (one insert statement, as the seed writes them).
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { createDb } from '../../db/knex';
import { pageQuery, toPage } from '../../services/paging';
import { testConfig, unique } from '../helpers/config';

describe('keyset paging on PostgreSQL', () => {
  let db: Knex;
  const schema = unique('paging').replace(/-/g, '_');
  const ids: string[] = [];

  beforeAll(async () => {
    db = createDb(testConfig, { poolMax: 2 });
    await db.raw('create schema ??', [schema]);
    await db.schema.withSchema(schema).createTable('rows', (t) => {
      t.uuid('id').primary();
      t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(db.fn.now());
    });
    // Five rows of one statement share now() (microseconds), three more each a little later.
    const batch = Array.from({ length: 5 }, () => ({ id: randomUUID() }));
    await db.withSchema(schema).table('rows').insert(batch);
    ids.push(...batch.map((r) => r.id));
    for (let i = 0; i < 3; i += 1) {
      const id = randomUUID();
      await db.withSchema(schema).table('rows').insert({ id });
      ids.push(id);
    }
  });
  afterAll(async () => {
    await db.raw('drop schema if exists ?? cascade', [schema]);
    await db.destroy();
  });

  it.each(['asc', 'desc'] as const)('visits every row once, %s, two at a time', async (direction) => {
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 10; pages += 1) {
      const rows = (await pageQuery(db.withSchema(schema).table('rows').select('*'), { limit: 2, cursor, direction })) as { id: string; created_at: Date; page_key_at: string }[];
      const page = toPage(rows, 2, (row) => row.id);
      seen.push(...page.items);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(ids.length);
    expect([...seen].sort()).toEqual([...ids].sort());
  });
});
