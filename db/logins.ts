import { randomBytes } from 'node:crypto';
import { ConfigError, type Config } from '../lib/config';
import { namespaced } from '../lib/namespace';
import { secretFile } from '../lib/secret-file';

/**
 * The database logins a process connects as, one per part that owns data (the four services, the
 * outbox relay, the simulated processor's books, the API's own tables). Each may use its own schema
 * only (db/roles.ts), so a bug or an injection in one service cannot read another's books.
 */
export const DB_LOGINS = ['inventory', 'orders', 'payments', 'notifications', 'relay', 'gateway', 'edge'] as const;
/** One of DB_LOGINS. */
export type DbLogin = (typeof DB_LOGINS)[number];

/** The variable that carries a login's password outside the local stack. */
export const passwordVariable = (login: DbLogin): string => `DATABASE_PASSWORD_${login.toUpperCase()}`;

/** The Postgres role of a login: roles are shared by every database of a server, so the namespace is in the name. */
export const roleName = (namespace: string, login: DbLogin): string => namespaced(namespace, `petstore_${login}`);

const LOCAL_PASSWORDS_FILE = 'database-passwords';

// The local stack's passwords: generated once into the data folder (as the JWT secret is), one line per login.
function localPasswords(config: Config): Partial<Record<DbLogin, string>> {
  const text = secretFile(config.dataDir, LOCAL_PASSWORDS_FILE, () => DB_LOGINS.map((login) => `${login}=${randomBytes(24).toString('base64url')}`).join('\n'));
  const entries = text.split('\n').map((line) => line.split('=', 2) as [string, string]);
  return Object.fromEntries(entries.filter(([login, password]) => (DB_LOGINS as readonly string[]).includes(login) && password));
}

/** Each login's password this process knows: configured ones, or on the local stack the generated ones; empty when logins are off. */
export function loginPasswords(config: Config): Partial<Record<DbLogin, string>> {
  const logins = config.postgres.logins;
  if (!logins) return {};
  return logins.generated ? localPasswords(config) : logins.passwords;
}

/**
 * The configuration as `login` sees it: DATABASE_URL's host and database with the login's role and
 * password, or the configuration itself when per-service logins are off (DATABASE_ROLES=off). Every
 * pg client made from the result (knex's pool, LISTEN and lock connections) connects as that role.
 */
export function loginConfig(config: Config, login: DbLogin): Config {
  if (!config.postgres.logins) return config;
  const password = loginPasswords(config)[login];
  if (password === undefined) {
    throw new ConfigError(`${passwordVariable(login)} is required with DATABASE_ROLES=on: the ${login} login's password (or set DATABASE_ROLES=off to connect every part as DATABASE_URL's user)`);
  }
  const url = new URL(config.postgres.url);
  url.username = roleName(config.namespace, login);
  url.password = password;
  return { ...config, postgres: { ...config.postgres, url: url.toString() } };
}
