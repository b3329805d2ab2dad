import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DB_LOGINS, loginConfig, loginPasswords, passwordVariable, roleName } from '../../db/logins';
import { CONFIG_READS, SECRET_VARS } from '../helpers/config-reads';
import { ConfigError, loadConfig } from '../../lib/config';

const EXTERNAL = 'postgres://migrator:secret@db.internal:5432/shop';

describe('database logins (DATABASE_ROLES)', () => {
  it('are on for the local stack, with passwords generated once into the data folder', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'logins-'));
    const config = loadConfig({ PETSTORE_DATA_DIR: dataDir });
    expect(config.postgres.logins).toEqual({ generated: true });
    const first = loginPasswords(config);
    expect(Object.keys(first).sort()).toEqual([...DB_LOGINS].sort());
    expect(loginPasswords(loadConfig({ PETSTORE_DATA_DIR: dataDir }))).toEqual(first);
    expect(readFileSync(join(dataDir, 'database-passwords'), 'utf8')).toContain(`orders=${first.orders}`);
    const url = new URL(loginConfig(config, 'orders').postgres.url);
    expect([url.username, decodeURIComponent(url.password), url.pathname]).toEqual(['petstore_orders', first.orders, '/petstore']);
  });

  it('carry the namespace in the role name: roles belong to the whole server', () => {
    expect(roleName('', 'relay')).toBe('petstore_relay');
    expect(roleName('team-a', 'relay')).toBe('team-a.petstore_relay');
  });

  it('are off by default for a deployment, which then connects as DATABASE_URL says', () => {
    const config = loadConfig({ DATABASE_URL: EXTERNAL });
    expect(config.postgres.logins).toBeUndefined();
    expect(loginConfig(config, 'payments')).toBe(config);
    expect(loadConfig({ DATABASE_ROLES: 'off' }).postgres.logins).toBeUndefined();
  });

  it('take each password from DATABASE_PASSWORD_<LOGIN> when turned on, and name the one missing', () => {
    const config = loadConfig({ DATABASE_URL: EXTERNAL, DATABASE_ROLES: 'on', DATABASE_PASSWORD_INVENTORY: 'p@ss:/word' });
    const url = new URL(loginConfig(config, 'inventory').postgres.url);
    expect([url.username, decodeURIComponent(url.password), url.host, url.pathname]).toEqual(['petstore_inventory', 'p@ss:/word', 'db.internal:5432', '/shop']);
    expect(() => loginConfig(config, 'orders')).toThrow(ConfigError);
    expect(() => loginConfig(config, 'orders')).toThrow(/DATABASE_PASSWORD_ORDERS is required with DATABASE_ROLES=on/);
  });

  it('refuse a password variable that names no login', () => {
    expect(() => loadConfig({ DATABASE_URL: EXTERNAL, DATABASE_ROLES: 'on', DATABASE_PASSWORD_ORDER: 'x' })).toThrow(/DATABASE_PASSWORD_ORDER names no database login/);
  });

  it('are the logins lib/config.ts reads a password for, each a secret', () => {
    for (const login of DB_LOGINS) expect([login, CONFIG_READS.has(passwordVariable(login)), SECRET_VARS.has(passwordVariable(login))]).toEqual([login, true, true]);
  });
});
