import knex, { type Knex } from 'knex';
import type { Config } from '../lib/config';
import { pgConnection } from './connection';

/** The defaults when a hand-built config has none: as loadConfig's. */
export const DEFAULT_SESSION_TIMEOUTS = { statementMs: 30_000, idleInTransactionMs: 60_000 };

/** node-postgres's session settings from DATABASE_STATEMENT_TIMEOUT and DATABASE_IDLE_IN_TRANSACTION_TIMEOUT. */
export function sessionTimeouts(config: Config): { statement_timeout: number; idle_in_transaction_session_timeout: number } {
  const { statementMs, idleInTransactionMs } = config.postgres.sessionTimeouts ?? DEFAULT_SESSION_TIMEOUTS;
  return { statement_timeout: statementMs, idle_in_transaction_session_timeout: idleInTransactionMs };
}

/** The one place a knex instance is made: connection (with TLS) and pool come from config. */
export function createDb(config: Config, { poolMax = 10 }: { poolMax?: number } = {}): Knex {
  return knex({
    client: 'pg',
    // Set at connect, on every pooled session: a runaway query, or a transaction a crashed handler left open,
    // cannot hold its locks and connection for ever (0 turns either off).
    connection: { ...pgConnection(config), ...sessionTimeouts(config) },
    pool: { min: 0, max: poolMax },
    acquireConnectionTimeout: 10_000,
  });
}
