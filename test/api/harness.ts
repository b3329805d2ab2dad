// Shared set-up of the API tests: a config with a known secret, tokens for each caller, an app on fake
// ports, and a raw HS256 signer for forging the tokens an attacker would send.
import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { buildApp, type BuildAppOptions } from '../../api/app';
import { issueToken } from '../../lib/auth';
import { loadConfig } from '../../lib/config';
import { fakePorts, USERS } from './fakes';

/** The HS256 secret the test app trusts. */
export const TEST_SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

/** A config that never touches the data folder (the secret is given) and has a recognisable Temporal UI. */
// READINESS_CACHE_TTL 0: a test that flips a fake part sees the next /readyz at once (the cache has its own test).
export const testConfig = loadConfig({ JWT_SECRET: TEST_SECRET, TEMPORAL_UI_URL: 'http://temporal.test:8233', TEMPORAL_NAMESPACE: 'shop', READINESS_CACHE_TTL: '0' });

/** The callers of the auth matrix. */
export const CALLERS = ['anonymous', 'alice', 'bob', 'support', 'admin', 'service'] as const;
/** One of CALLERS. */
export type Caller = (typeof CALLERS)[number];

/** A valid token for a caller (undefined for anonymous). */
export function tokenFor(caller: Caller): string | undefined {
  switch (caller) {
    case 'anonymous':
      return undefined;
    case 'alice':
    case 'bob':
      return issueToken(testConfig, { role: 'customer', userId: USERS[caller], ttlSeconds: 600 });
    default:
      // Staff are named after their role, so the audit's "who" reads as before.
      return issueToken(testConfig, { role: caller, userId: caller, ttlSeconds: 600 });
  }
}

/** The Authorization header for a caller or a raw token. */
export const bearer = (callerOrToken: Caller | string): Record<string, string> => {
  const token = (CALLERS as readonly string[]).includes(callerOrToken) ? tokenFor(callerOrToken as Caller) : callerOrToken;
  return token ? { authorization: `Bearer ${token}` } : {};
};

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs any header and payload with HMAC (the algorithm named by `hmac`), as an attacker could. */
export function forge(header: Record<string, unknown>, payload: Record<string, unknown>, { secret = TEST_SECRET, hmac = 'sha256' } = {}): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac(hmac, secret).update(input).digest('base64url')}`;
}

/** Claims that would pass, for forging variants of them. */
export const validClaims = (overrides: Record<string, unknown> = {}): Record<string, unknown> => {
  const now = Math.floor(Date.now() / 1000);
  return { iss: testConfig.auth.issuer, aud: testConfig.auth.audience, sub: USERS.alice, role: 'customer', iat: now, exp: now + 600, ...overrides };
};

/** Collected log lines of an app. */
export function logSink() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, logger: pino({ level: 'debug' }, stream) };
}

/** An app on fresh fake ports; returns both, and closes nothing (call app.close()). */
export async function build(options: Partial<Omit<BuildAppOptions, 'ports'>> = {}) {
  const fakes = fakePorts();
  const app = await buildApp({ config: testConfig, logger: pino({ level: 'silent' }), ports: fakes.ports, ...options });
  return { app, fakes };
}

/** The problem+json fields; anything else on an error body is a leak. */
export const PROBLEM_KEYS = ['type', 'title', 'status', 'detail', 'instance', 'requestId', 'errors'];

/** Asserts an answer is an RFC 9457 problem with this status, and returns its body. */
export function expectProblem(response: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, status: number) {
  expect(response.statusCode).toBe(status);
  expect(String(response.headers['content-type'])).toMatch(/^application\/problem\+json/);
  const body = response.json() as Record<string, unknown>;
  expect(body).toEqual(expect.objectContaining({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String), instance: expect.any(String) }));
  for (const key of Object.keys(body)) expect(PROBLEM_KEYS).toContain(key);
  expect(JSON.stringify(body)).not.toMatch(/\bat .+\.(ts|js):\d+/); // no stack frames
  return body as { type: string; title: string; status: number; detail: string; instance: string; requestId?: string; errors?: { path: string; message: string }[] };
}
