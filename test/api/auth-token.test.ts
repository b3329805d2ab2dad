// lib/auth.ts (the secret, created once and kept private; signed tokens) and `petstore auth token`.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createVerifier } from 'fast-jwt';
import { EXIT } from '../../cli/errors';
import { runInProcess } from '../helpers/cli-in-process';
import { issueToken, jwtSecret } from '../../lib/auth';
import { loadConfig } from '../../lib/config';

let dataDir: string;
beforeEach(() => {
  dataDir = join(mkdtempSync(join(tmpdir(), 'petstore-auth-')), 'nested', 'data');
});
afterEach(() => rmSync(join(dataDir, '..', '..'), { recursive: true, force: true }));

const verify = (secret: string, token: string) =>
  createVerifier({ key: secret, algorithms: ['HS256'], allowedIss: 'petstore', allowedAud: 'petstore-api', requiredClaims: ['exp', 'iat'] })(token) as Record<string, unknown>;

describe('jwtSecret', () => {
  it('creates the secret once (mode 0600, data folder made as needed) and reuses it', () => {
    const config = loadConfig({ PETSTORE_DATA_DIR: dataDir });
    const first = jwtSecret(config);
    const file = join(dataDir, 'jwt-secret');
    expect(first).toMatch(/^[A-Za-z0-9_-]{64}$/); // 48 random bytes, base64url
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(jwtSecret(config)).toBe(first);
    expect(readFileSync(file, 'utf8')).toBe(first);
  });

  it('prefers JWT_SECRET and then writes nothing', () => {
    const config = loadConfig({ PETSTORE_DATA_DIR: dataDir, JWT_SECRET: 'from-the-environment-0123456789abcdef' });
    expect(jwtSecret(config)).toBe('from-the-environment-0123456789abcdef');
    expect(() => statSync(dataDir)).toThrow();
  });
});

describe('issueToken', () => {
  it('signs HS256 with iss, aud, sub, role, iat and exp', () => {
    const config = loadConfig({ PETSTORE_DATA_DIR: dataDir });
    const token = issueToken(config, { role: 'customer', userId: 'alice', ttlSeconds: 120 });
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toMatchObject({ alg: 'HS256' });
    const claims = verify(jwtSecret(config), token);
    expect(claims).toMatchObject({ iss: 'petstore', aud: 'petstore-api', sub: 'alice', role: 'customer' });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(120);
  });

  it('refuses a customer token without a user, and a non-positive ttl', () => {
    const config = loadConfig({ PETSTORE_DATA_DIR: dataDir });
    expect(() => issueToken(config, { role: 'customer', userId: '', ttlSeconds: 60 })).toThrow(/user id/);
    expect(() => issueToken(config, { role: 'admin', userId: 'carol', ttlSeconds: 0 })).toThrow(/ttlSeconds/);
  });
});

describe('petstore auth token', () => {
  const saved = { ...process.env };
  beforeEach(() => {
    process.env.PETSTORE_DATA_DIR = dataDir;
    delete process.env.JWT_SECRET;
  });
  afterEach(() => {
    process.env = { ...saved };
  });

  const run = (args: string[]) => runInProcess(undefined, args);

  it('prints only the bare token, which the API\'s secret verifies', async () => {
    const { code, out } = await run(['auth', 'token', '--role', 'admin']);
    expect(code).toBe(EXIT.ok);
    expect(out).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = verify(jwtSecret(loadConfig({ PETSTORE_DATA_DIR: dataDir })), out);
    expect(claims).toMatchObject({ role: 'admin' });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(3600);
  });

  it('takes --user and --ttl, and --json for scripts', async () => {
    const { code, out } = await run(['auth', 'token', '--role', 'customer', '--user', 'alice', '--ttl', '15m', '--json']);
    expect(code).toBe(EXIT.ok);
    const printed = JSON.parse(out) as { token: string; role: string; userId: string; expiresAt: string };
    expect(printed).toMatchObject({ role: 'customer', userId: 'alice', expiresAt: expect.any(String) });
    const claims = verify(jwtSecret(loadConfig({ PETSTORE_DATA_DIR: dataDir })), printed.token);
    expect(claims).toMatchObject({ sub: 'alice', role: 'customer' });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(900);
  });

  it('is a usage error (exit 2) for a customer without --user, an unknown role, a bad ttl or no role', async () => {
    const noUser = await run(['auth', 'token', '--role', 'customer']);
    expect([noUser.code, noUser.out]).toEqual([EXIT.usage, '']);
    expect(noUser.err).toMatch(/--role customer needs --user/);
    const badRole = await run(['auth', 'token', '--role', 'root']);
    expect(badRole.code).toBe(EXIT.usage);
    expect(badRole.err).toMatch(/unknown role "root" \(choose from customer, support, admin, service\)/);
    expect((await run(['auth', 'token', '--role', 'admin', '--ttl', 'soon'])).code).toBe(EXIT.usage);
    expect((await run(['auth', 'token'])).code).toBe(EXIT.usage);
  });

  it('has help with an example', async () => {
    for (const args of [['auth', '--help'], ['auth', 'token', '--help']]) {
      const { code, out } = await run(args);
      expect(code).toBe(EXIT.ok);
      expect(out).toMatch(/Example:\n\s+\$ .*petstore auth token/);
    }
  });
});
