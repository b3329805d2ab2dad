import type { Knex } from 'knex';
import type { Config } from '../lib/config';
import { DB_LOGINS, loginPasswords, roleName, type DbLogin } from './logins';

const OWN = 'select, insert, update, delete';

/**
 * What each login may touch. A service owns its schema (its tables, inbox and outbox); the audit trail
 * is append-only for those who record support actions; the relay reads and marks the outboxes and
 * nothing else. Any other schema is closed to it: Postgres grants nothing on a schema to PUBLIC.
 */
export const LOGIN_RIGHTS: Record<DbLogin, { owns?: readonly string[]; tables?: readonly { table: string; privileges: string }[] }> = {
  inventory: { owns: ['inventory'] },
  // The order-history projection is the Order service's read model, kept by its consumer group.
  orders: { owns: ['orders', 'order_history'], tables: [{ table: 'audit.support_actions', privileges: 'select, insert' }] },
  payments: { owns: ['payments'], tables: [{ table: 'audit.support_actions', privileges: 'select, insert' }] },
  notifications: { owns: ['notifications'] },
  relay: { tables: ['inventory', 'orders', 'payments', 'notifications'].map((schema) => ({ table: `${schema}.outbox`, privileges: 'select, update, delete' })) },
  gateway: { owns: ['gateway'] },
  edge: { owns: ['edge'], tables: [{ table: 'audit.support_actions', privileges: 'select, insert' }] },
};

// Role statements take no bind parameters: format() quotes the name (%I) and the password (%L) server-side.
async function execFormatted(trx: Knex.Transaction, template: string, ...values: string[]): Promise<void> {
  const { rows } = await trx.raw<{ rows: { sql: string }[] }>(`select format(?, ${values.map(() => '?::text').join(', ')}) as sql`, [template, ...values]);
  await trx.raw(rows[0]!.sql);
}

// knex's ?? would split a namespaced role ("team-a.petstore_orders") at its dot.
const quoted = (identifier: string): string => `"${identifier.replaceAll('"', '""')}"`;

async function grantRights(trx: Knex.Transaction, role: string, login: DbLogin): Promise<void> {
  const { owns = [], tables = [] } = LOGIN_RIGHTS[login];
  const to = quoted(role);
  for (const schema of owns) {
    await trx.raw(`grant usage on schema ?? to ${to}`, [schema]);
    await trx.raw(`grant ${OWN} on all tables in schema ?? to ${to}`, [schema]);
    await trx.raw(`grant usage, select, update on all sequences in schema ?? to ${to}`, [schema]);
    // Tables a later migration (or a projection's rebuild) adds are the service's too, before the next start grants them again.
    await trx.raw(`alter default privileges in schema ?? grant ${OWN} on tables to ${to}`, [schema]);
  }
  for (const { table, privileges } of tables) {
    const [schema, name] = table.split('.') as [string, string];
    await trx.raw(`grant usage on schema ?? to ${to}`, [schema]);
    await trx.raw(`grant ${privileges} on ??.?? to ${to}`, [schema, name]);
  }
}

// Roles belong to the whole server, so two databases (namespaces, test databases) may create or alter the
// same one at once; the loser of such a race tries again.
const RACE_CODES = new Set(['42710', '23505', 'XX000', '40001', '40P01']);

/**
 * Creates (or updates) the login role of every login whose password this process knows, with rights on
 * its own schema only, after the migrations (as DATABASE_URL's user, who needs CREATEROLE). Returns the
 * roles provisioned; none when DATABASE_ROLES is off.
 */
export async function provisionLogins(db: Knex, config: Config): Promise<string[]> {
  const passwords = loginPasswords(config);
  const logins = DB_LOGINS.filter((login) => passwords[login] !== undefined);
  if (logins.length === 0) return [];
  for (let attempt = 1; ; attempt++) {
    try {
      await db.transaction(async (trx) => {
        await trx.raw("select pg_advisory_xact_lock(hashtext('petstore: login roles'))");
        for (const login of logins) {
          const role = roleName(config.namespace, login);
          const { rows } = await trx.raw<{ rows: unknown[] }>('select 1 from pg_roles where rolname = ?', [role]);
          const verb = rows.length === 0 ? 'create' : 'alter';
          await execFormatted(trx, `${verb} role %I with login nosuperuser nocreatedb nocreaterole noinherit password %L`, role, passwords[login]!);
          await grantRights(trx, role, login);
        }
      });
      return logins.map((login) => roleName(config.namespace, login));
    } catch (error) {
      if (attempt >= 5 || !RACE_CODES.has((error as { code?: string }).code ?? '')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}
