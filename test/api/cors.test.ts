// CORS by configuration: off by default (no CORS header, a preflight is a 405 like any OPTIONS), and
// with CORS_ORIGINS a listed origin's preflight and requests are answered, any other origin's are not.
import pino from 'pino';
import { ConfigError, loadConfig } from '../../lib/config';
import { SEED } from './fakes';
import { bearer, build, TEST_SECRET, testConfig } from './harness';

const SHOP = 'https://shop.example.test';
const preflight = (origin: string, method = 'POST', headers = 'authorization,content-type,idempotency-key') => ({
  method: 'OPTIONS' as const,
  url: '/orders',
  headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers },
});

describe('CORS, off by default', () => {
  it('is off: no CORS header on an answer, and a preflight is refused like any OPTIONS', async () => {
    expect(testConfig.http.corsOrigins).toEqual([]);
    const { app } = await build();
    const answer = await app.inject({ url: '/pets', headers: { origin: SHOP } });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    const refused = await app.inject(preflight(SHOP));
    expect(refused.statusCode).toBe(405);
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
    await app.close();
  });
});

describe('CORS with CORS_ORIGINS', () => {
  const config = loadConfig({ JWT_SECRET: TEST_SECRET, CORS_ORIGINS: `${SHOP}, https://admin.example.test:8443`, READINESS_CACHE_TTL: '0' });
  const app = async () => (await build({ config, logger: pino({ level: 'silent' }) })).app;

  it("answers a listed origin's preflight on an API route with 204, the methods and the headers, without a token", async () => {
    const api = await app();
    const response = await api.inject(preflight(SHOP));
    expect(response.statusCode).toBe(204);
    expect(response.headers).toMatchObject({
      'access-control-allow-origin': SHOP,
      'access-control-allow-methods': 'GET, POST, PUT, DELETE',
      'access-control-max-age': '600',
      vary: expect.stringMatching(/origin/i),
    });
    expect(String(response.headers['access-control-allow-headers']).split(/,\s*/)).toEqual(expect.arrayContaining(['authorization', 'content-type', 'idempotency-key', 'if-match']));
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    expect(response.body).toBe('');
    await api.close();
  });

  it("lets a listed origin's page read an answer and its headers", async () => {
    const api = await app();
    const response = await api.inject({ url: `/orders/${SEED.aliceOrder}`, headers: { origin: 'https://admin.example.test:8443', ...bearer('alice') } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe('https://admin.example.test:8443');
    expect(String(response.headers['access-control-expose-headers'])).toMatch(/etag.*retry-after.*x-request-id/);
    await api.close();
  });

  it('gives any other origin no CORS header, so its browser keeps the answer from the page', async () => {
    const api = await app();
    for (const response of [await api.inject(preflight('https://evil.example.test')), await api.inject({ url: '/pets', headers: { origin: 'https://evil.example.test' } })]) {
      expect(response.headers['access-control-allow-origin']).toBeUndefined();
    }
    await api.close();
  });

  it('still checks the token on the request itself', async () => {
    const api = await app();
    const response = await api.inject({ method: 'POST', url: '/orders', headers: { origin: SHOP, 'content-type': 'application/json' }, payload: '{}' });
    expect(response.statusCode).toBe(401);
    expect(response.headers['access-control-allow-origin']).toBe(SHOP);
    await api.close();
  });

  it('allows any origin with * alone', async () => {
    const api = (await build({ config: loadConfig({ JWT_SECRET: TEST_SECRET, CORS_ORIGINS: '*' }) })).app;
    expect((await api.inject(preflight('https://anyone.example.test'))).headers['access-control-allow-origin']).toBe('*');
    await api.close();
  });

  it.each(['https://shop.example.test/', 'shop.example.test', 'https://shop.example.test/path', 'ftp://shop.example.test', '*,https://shop.example.test'])(
    'refuses CORS_ORIGINS=%s at start',
    (value) => {
      expect(() => loadConfig({ JWT_SECRET: TEST_SECRET, CORS_ORIGINS: value })).toThrow(ConfigError);
    },
  );
});
