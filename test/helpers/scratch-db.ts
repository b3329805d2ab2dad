import type { Knex } from 'knex';
import { createDb } from '../../db/knex';
import { migrateLatest } from '../../db/migrate';
import type { Config } from '../../lib/config';
import { testConfig, unique } from './config';

/** A migrated database of its own (advisory locks and outboxes are per database), dropped by `drop()`. */
export async function scratchDatabase(): Promise<{ db: Knex; config: Config; drop(): Promise<void> }> {
  const name = unique('scratch').replace(/-/g, '_');
  const admin = createDb(testConfig, { poolMax: 1 });
  await admin.raw('create database ??', [name]);
  const url = new URL(testConfig.postgres.url);
  url.pathname = `/${name}`;
  const config: Config = { ...testConfig, postgres: { ...testConfig.postgres, url: url.toString() } };
  const db = createDb(config, { poolMax: 5 });
  await migrateLatest(db);
  return {
    db,
    config,
    async drop() {
      await db.destroy();
      await admin.raw('drop database if exists ?? with (force)', [name]);
      await admin.destroy();
    },
  };
}
