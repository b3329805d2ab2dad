// The token policy: secrets long enough and shared outside the local stack, a capped lifetime on issue and
// verify, exp/iat/sub required (staff too), iat not in the future, and RS256/ES256 tokens from an identity
// provider's JWKS (served here on 127.0.0.1), each algorithm with its own kind of key only.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSigner } from 'fast-jwt';
import { issueToken } from '../../lib/auth';
import { loadConfig } from '../../lib/config';
import { runInProcess } from '../helpers/cli-in-process';
import { EXIT } from '../../cli/errors';
import { SEED, USERS } from './fakes';
import { bearer, build, expectProblem, forge, TEST_SECRET, validClaims } from './harness';

const now = () => Math.floor(Date.now() / 1000);
const orderUrl = `/orders/${SEED.aliceOrder}`;

describe('the JWT secret', () => {
  it('is refused when shorter than 32 bytes, wherever it is set', () => {
    expect(() => loadConfig({ JWT_SECRET: 'abc' })).toThrow(/JWT_SECRET must be at least 32 bytes/);
    expect(() => loadConfig({ JWT_SECRET: 'é'.repeat(15) })).toThrow(/at least 32 bytes .*, got 30/);
    expect(loadConfig({ JWT_SECRET: 'x'.repeat(32) }).auth.jwtSecret).toHaveLength(32);
  });

  it.each([['DATABASE_URL', 'postgres://app:pw@db.internal:5432/petstore'], ['KAFKA_BROKERS', 'k1:9092'], ['TEMPORAL_ADDRESS', 'temporal.internal:7233']])(
    'must be given outside the local stack (%s set): the API refuses to start rather than make one of its own',
    async (name, value) => {
      const config = loadConfig({ [name]: value, PETSTORE_DATA_DIR: '/nonexistent/never-written' });
      expect(config.auth.localSecretAllowed).toBe(false);
      await expect(build({ config })).rejects.toThrow(/JWT_SECRET is required outside the local stack/);
      expect(() => issueToken(config, { role: 'support', userId: 'carol', ttlSeconds: 60 })).toThrow(/JWT_SECRET is required/);
      const { app } = await build({ config: loadConfig({ [name]: value, JWT_SECRET: TEST_SECRET }) });
      await app.close();
    },
  );
});

describe('token lifetime', () => {
  it('is capped on issue (JWT_MAX_TTL, default 24h)', () => {
    const config = loadConfig({ JWT_SECRET: TEST_SECRET, JWT_MAX_TTL: '1h' });
    expect(() => issueToken(config, { role: 'admin', userId: 'carol', ttlSeconds: 3601 })).toThrow(/longer than JWT_MAX_TTL/);
    expect(() => issueToken(loadConfig({ JWT_SECRET: TEST_SECRET }), { role: 'admin', userId: 'carol', ttlSeconds: 876000 * 3600 })).toThrow(/JWT_MAX_TTL/);
  });

  it('is capped by petstore auth token: --ttl 876000h is a usage error', async () => {
    const saved = { ...process.env };
    process.env.JWT_SECRET = TEST_SECRET;
    try {
      const { code, err } = await runInProcess(undefined, ['auth', 'token', '--role', 'admin', '--ttl', '876000h']);
      expect(code).toBe(EXIT.usage);
      expect(err).toMatch(/JWT_MAX_TTL/);
    } finally {
      process.env = saved;
    }
  });

  it.each([
    ['a century-long token issued 25 hours ago (maxAge from iat)', { iat: now() - 25 * 3600, exp: now() + 100 * 365 * 86400 }],
    ['an iat a year ahead', { iat: now() + 365 * 86400, exp: now() + 366 * 86400 }],
    ['an iat two minutes ahead (beyond the skew)', { iat: now() + 120, exp: now() + 600 }],
    ['no iat', { iat: undefined }],
  ])('%s is a 401', async (_name, claims) => {
    const { app } = await build();
    expectProblem(await app.inject({ method: 'GET', url: orderUrl, headers: bearer(forge({ alg: 'HS256', typ: 'JWT' }, validClaims(claims))) }), 401);
    await app.close();
  });

  it('tolerates a little clock drift: an iat 30 s ahead is accepted', async () => {
    const { app } = await build();
    const response = await app.inject({ method: 'GET', url: orderUrl, headers: bearer(forge({ alg: 'HS256', typ: 'JWT' }, validClaims({ iat: now() + 30 }))) });
    expect(response.statusCode).toBe(200);
    await app.close();
  });
});

describe('the subject', () => {
  it('is required of staff too: a support token without sub is a 401, one with sub passes', async () => {
    const { app } = await build();
    const without = forge({ alg: 'HS256', typ: 'JWT' }, validClaims({ role: 'support', sub: undefined }));
    expectProblem(await app.inject({ method: 'GET', url: '/orders', headers: bearer(without) }), 401);
    const withSub = forge({ alg: 'HS256', typ: 'JWT' }, validClaims({ role: 'support', sub: 'carol' }));
    expect((await app.inject({ method: 'GET', url: '/orders', headers: bearer(withSub) })).statusCode).toBe(200);
    await app.close();
  });

  it('defaults to the login name in petstore auth token for staff, and --user overrides it', async () => {
    const saved = { ...process.env };
    process.env.JWT_SECRET = TEST_SECRET;
    try {
      const byDefault = await runInProcess(undefined, ['auth', 'token', '--role', 'support', '--json']);
      expect(byDefault.code).toBe(EXIT.ok);
      expect((JSON.parse(byDefault.out) as { userId: string }).userId).toBe((await import('node:os')).userInfo().username);
      const named = await runInProcess(undefined, ['auth', 'token', '--role', 'support', '--user', 'carol', '--json']);
      const token = (JSON.parse(named.out) as { token: string }).token;
      expect(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString())).toMatchObject({ sub: 'carol', role: 'support' });
    } finally {
      process.env = saved;
    }
  });
});

describe('JWKS verification (JWT_JWKS_URL)', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = (key: KeyObject, kid: string, alg: string) => ({ ...key.export({ format: 'jwk' }), kid, alg, use: 'sig' });
  let server: Server;
  let jwksUrl: string;
  let fetches = 0;

  beforeAll(async () => {
    server = createServer((request, response) => {
      fetches += 1;
      if (request.url !== '/idp/keys.json') return void response.writeHead(404).end();
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk(rsa.publicKey, 'rsa-1', 'RS256'), jwk(ec.publicKey, 'ec-1', 'ES256')] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/idp/keys.json`;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  const sign = (key: KeyObject, algorithm: 'RS256' | 'ES256', kid: string, claims: Record<string, unknown> = {}) =>
    createSigner({ key: key.export({ format: 'pem', type: 'pkcs8' }).toString(), algorithm, kid })(validClaims({ role: 'support', sub: 'carol@idp', ...claims }));

  it('accepts RS256 and ES256 tokens signed by the provider\'s keys, fetching the JWKS once', async () => {
    const { app } = await build({ config: loadConfig({ JWT_JWKS_URL: jwksUrl, DATABASE_URL: 'postgres://db.internal/petstore' }) });
    fetches = 0;
    for (const token of [sign(rsa.privateKey, 'RS256', 'rsa-1'), sign(ec.privateKey, 'ES256', 'ec-1'), sign(rsa.privateKey, 'RS256', 'rsa-1', { iat: now() - 1 })]) {
      expect((await app.inject({ method: 'GET', url: '/orders', headers: bearer(token) })).statusCode).toBe(200);
    }
    expect(fetches).toBe(2); // one per kid, then cached
    await app.close();
  });

  it.each([
    ['a key the provider does not publish, under its kid', () => sign(stranger.privateKey, 'RS256', 'rsa-1')],
    ['an unknown kid', () => sign(rsa.privateKey, 'RS256', 'rsa-9')],
    ['no sub', () => sign(rsa.privateKey, 'RS256', 'rsa-1', { sub: undefined })],
    ['the wrong issuer', () => sign(rsa.privateKey, 'RS256', 'rsa-1', { iss: 'https://evil.example' })],
    ['HS256 when no JWT_SECRET is set (there is no shared secret to check it with)', () => forge({ alg: 'HS256', typ: 'JWT' }, validClaims())],
  ])('refuses %s', async (_name, token) => {
    const { app } = await build({ config: loadConfig({ JWT_JWKS_URL: jwksUrl, DATABASE_URL: 'postgres://db.internal/petstore' }) });
    expectProblem(await app.inject({ method: 'GET', url: orderUrl, headers: bearer(token()) }), 401);
    await app.close();
  });

  it('also takes HS256 tokens when JWT_SECRET is set beside it (CLI-issued staff tokens)', async () => {
    const { app } = await build({ config: loadConfig({ JWT_JWKS_URL: jwksUrl, JWT_SECRET: TEST_SECRET }) });
    expect((await app.inject({ method: 'GET', url: orderUrl, headers: bearer(forge({ alg: 'HS256', typ: 'JWT' }, validClaims({ sub: USERS.alice }))) })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/orders', headers: bearer(sign(rsa.privateKey, 'RS256', 'rsa-1')) })).statusCode).toBe(200);
    await app.close();
  });
});
