import knex, { type Knex } from 'knex';
import type { Config } from '../lib/config';

/** The one place a knex instance is made: connection and pool come from config. */
export function createDb(config: Config, { poolMax = 10 }: { poolMax?: number } = {}): Knex {
  return knex({
    client: 'pg',
    connection: config.postgres.url,
    pool: { min: 0, max: poolMax },
    acquireConnectionTimeout: 10_000,
  });
}
