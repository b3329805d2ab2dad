import knex, { type Knex } from 'knex';
import type { Config } from '../lib/config';
import { pgConnection } from './connection';
import { loginConfig, type DbLogin } from './logins';

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

/** The pools of one process: the migrator's, and one per login the process uses, made on first use. */
export interface LoginDatabases {
  /** DATABASE_URL's user: migrations, login provisioning, seeding. */
  readonly admin: Knex;
  /** The pool that connects as `login` (with DATABASE_ROLES=off, the one shared pool). */
  of(login: DbLogin): Knex;
  /** Closes every pool made. */
  destroy(): Promise<void>;
}

/**
 * With per-service logins, each login gets a pool of its own (`poolMax` each, none opened before use);
 * with DATABASE_ROLES=off, as before them, one pool serves every part. `own` logins keep a pool of their
 * own either way (the simulated processor's books, as a remote system's would be).
 */
export function createLoginDatabases(config: Config, { poolMax, own = {} }: { poolMax: number; own?: Partial<Record<DbLogin, number>> }): LoginDatabases {
  const shared = config.postgres.logins ? undefined : createDb(config, { poolMax });
  const admin = shared ?? createDb(config, { poolMax: 2 });
  const pools = new Map<DbLogin, Knex>();
  return {
    admin,
    of(login) {
      let db = pools.get(login) ?? (own[login] === undefined ? shared : undefined);
      if (!db) {
        db = createDb(loginConfig(config, login), { poolMax: own[login] ?? poolMax });
        pools.set(login, db);
      }
      return db;
    },
    async destroy() {
      await Promise.all([admin, ...pools.values()].map((db) => db.destroy()));
    },
  };
}
