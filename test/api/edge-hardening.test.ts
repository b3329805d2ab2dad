// Edge hardening: bounded dates in the schemas, security headers, no-store on authenticated answers,
// and a new root span for a request from anyone but a trusted proxy.
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import pino from 'pino';
import { loadConfig } from '../../lib/config';
import { setupTracing, type Tracing } from '../../lib/tracing';
import { SEED } from './fakes';
import { bearer, build, expectProblem, TEST_SECRET } from './harness';

describe('dates in the schemas', () => {
  it.each(['0000-01-01T00:00:00Z', '0001-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '10000-01-01T00:00:00Z'])(
    'GET /orders?since=%s (support) is a 400 naming the field, and reaches no port',
    async (since) => {
      const { app, fakes } = await build();
      const body = expectProblem(await app.inject({ url: `/orders?since=${encodeURIComponent(since)}`, headers: bearer('support') }), 400);
      expect(body.errors?.map((e) => e.path)).toContain('/querystring/since');
      expect(fakes.callsTo('orders', 'list')).toHaveLength(0);
      await app.close();
    },
  );

  it('takes an instant of this era', async () => {
    const { app } = await build();
    expect((await app.inject({ url: '/orders?since=2026-01-01T00:00:00%2B02:00', headers: bearer('support') })).statusCode).toBe(200);
    await app.close();
  });
});

describe('security headers', () => {
  it('sends helmet\'s headers on public and authenticated answers, and no X-Powered-By', async () => {
    const { app } = await build();
    for (const response of [await app.inject({ url: '/pets' }), await app.inject({ url: `/orders/${SEED.aliceOrder}`, headers: bearer('alice') })]) {
      expect(response.headers).toMatchObject({ 'x-content-type-options': 'nosniff', 'x-frame-options': 'SAMEORIGIN', 'strict-transport-security': expect.stringMatching(/max-age=/) });
      expect(response.headers['content-security-policy']).toMatch(/default-src 'self'/);
      expect(response.headers['x-powered-by']).toBeUndefined();
    }
    await app.close();
  });

  it('marks every answer to a route that needs a token no-store (errors included), and leaves public ones alone', async () => {
    const { app } = await build();
    expect((await app.inject({ url: `/orders/${SEED.aliceOrder}`, headers: bearer('alice') })).headers['cache-control']).toBe('no-store');
    expect((await app.inject({ url: `/orders/${SEED.aliceOrder}`, headers: bearer('bob') })).headers['cache-control']).toBe('no-store');
    expect((await app.inject({ url: `/orders/${SEED.aliceOrder}` })).headers['cache-control']).toBe('no-store');
    expect((await app.inject({ url: '/pets' })).headers['cache-control']).not.toBe('no-store');
    await app.close();
  });
});

describe('trace context at the edge', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  beforeAll(() => {
    tracing = setupTracing({ config: loadConfig({}), logger: pino({ level: 'silent' }), exporter })!;
  });
  afterAll(() => tracing.shutdown());

  const callerTrace = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
  const traceparent = `00-${callerTrace}-bbbbbbbbbbbbbbbb-01`;
  const serverSpanOf = async (env: Record<string, string>) => {
    exporter.reset();
    const { app } = await build({ config: loadConfig({ JWT_SECRET: TEST_SECRET, ...env }) });
    const response = await app.inject({ url: '/pets', headers: { traceparent } });
    await app.close();
    await tracing.processor.forceFlush();
    expect(response.statusCode).toBe(200);
    return exporter.getFinishedSpans().find((s) => s.name === 'GET /pets')!;
  };

  it('starts a new root span for a caller that is not a trusted proxy (the default: none is)', async () => {
    const span = await serverSpanOf({});
    expect(span.spanContext().traceId).not.toBe(callerTrace);
    expect(span.parentSpanContext).toBeUndefined();
  });

  it('continues the traceparent of a trusted proxy (TRUSTED_PROXIES; inject comes from 127.0.0.1)', async () => {
    expect((await serverSpanOf({ TRUSTED_PROXIES: '127.0.0.0/8' })).spanContext().traceId).toBe(callerTrace);
    expect((await serverSpanOf({ TRUSTED_PROXIES: '10.0.0.0/8,::1' })).spanContext().traceId).not.toBe(callerTrace);
  });

  it('refuses a TRUSTED_PROXIES entry that is not an address or a CIDR', async () => {
    await expect(build({ config: loadConfig({ JWT_SECRET: TEST_SECRET, TRUSTED_PROXIES: 'proxy.internal' }) })).rejects.toThrow(/TRUSTED_PROXIES: "proxy.internal"/);
  });
});
