import knex, { type Knex } from 'knex';
import type { Config } from '../lib/config';
import { pgConnection } from './connection';

/** The one place a knex instance is made: connection (with TLS) and pool come from config. */
export function createDb(config: Config, { poolMax = 10 }: { poolMax?: number } = {}): Knex {
  return knex({
    client: 'pg',
    connection: pgConnection(config),
    pool: { min: 0, max: poolMax },
    acquireConnectionTimeout: 10_000,
  });
}
