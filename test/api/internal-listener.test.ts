// The operational surface on real listeners: /metrics, the fresh readiness and the internal API only on the
// internal listener, every other route only on the public one; the public /readyz cached; Swagger UI by setting.
import pino from 'pino';
import { httpServer } from '../../api/server';
import { createMetrics } from '../../lib/metrics';
import { loadConfig } from '../../lib/config';
import { fakePorts } from './fakes';
import { bearer, build, logSink, TEST_SECRET } from './harness';

describe('the internal listener', () => {
  it('serves /metrics, /internal/readyz and /internal/notifications; the public listener answers 404 for them, and the internal one for public routes', async () => {
    const sink = logSink();
    const fakes = fakePorts();
    const config = loadConfig({ JWT_SECRET: TEST_SECRET, PORT: '0' });
    const server = httpServer({ config, logger: sink.logger, ports: fakes.ports, metrics: createMetrics() });
    await server.start();
    try {
      const publicUrl = sink.lines.find((l) => l.msg === 'REST API listening')?.url as string;
      const internalUrl = sink.lines.find((l) => String(l.msg).startsWith('internal listener'))?.url as string;
      expect(new URL(internalUrl).hostname).toBe('127.0.0.1');
      expect(internalUrl).not.toBe(publicUrl);

      expect((await fetch(`${publicUrl}/metrics`)).status).toBe(404);
      const scraped = await fetch(`${internalUrl}/metrics`);
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toMatch(/petstore_http_request_duration_seconds/);

      expect((await fetch(`${publicUrl}/internal/readyz`)).status).toBe(404);
      expect(await (await fetch(`${internalUrl}/internal/readyz`)).json()).toEqual({ status: 'ready', parts: { postgres: true, kafka: true, temporal: true } });

      const send = (base: string) =>
        fetch(`${base}/internal/notifications`, { method: 'POST', headers: { ...bearer('service'), 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'user-alice', kind: 'hello', body: 'Hi' }) });
      expect((await send(publicUrl)).status).toBe(404);
      expect((await send(internalUrl)).status).toBe(202);

      expect((await fetch(`${publicUrl}/pets`)).status).toBe(200);
      expect((await fetch(`${internalUrl}/pets`)).status).toBe(404);
      expect((await fetch(`${publicUrl}/healthz`)).status).toBe(200);
    } finally {
      await server.stop();
    }
  }, 30_000);

  it('listens on METRICS_PORT when set, PORT+1 by default, and not at all with METRICS_PORT=off', async () => {
    const { internalAddress } = await import('../../api/internal-listener');
    expect(internalAddress(loadConfig({ PORT: '3000' }))).toEqual({ host: '127.0.0.1', port: 3001 });
    expect(internalAddress(loadConfig({ PORT: '3000', HOST: '0.0.0.0', METRICS_PORT: '9464' }))).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(internalAddress(loadConfig({ METRICS_PORT: 'off' }))).toBeUndefined();
  });

  it('keeps internal routes out of the public OpenAPI document', async () => {
    const { app } = await build({ metrics: createMetrics() });
    const paths = Object.keys((await app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, unknown> }>().paths);
    expect(paths.filter((p) => p.startsWith('/internal') || p === '/metrics')).toEqual([]);
    await app.close();
  });
});

describe('the public /readyz', () => {
  it('shares one check among concurrent probes and reuses it for READINESS_CACHE_TTL', async () => {
    const { app, fakes } = await build({ config: loadConfig({ JWT_SECRET: TEST_SECRET, READINESS_CACHE_TTL: '1s' }) });
    let checks = 0;
    const original = fakes.ports.health.readiness.bind(fakes.ports.health);
    fakes.ports.health.readiness = async () => {
      checks += 1;
      await new Promise((resolve) => setTimeout(resolve, 100));
      return original();
    };
    const answers = await Promise.all(Array.from({ length: 50 }, () => app.inject({ url: '/readyz' })));
    expect(answers.every((a) => a.statusCode === 200)).toBe(true);
    expect(checks).toBe(1);
    fakes.readiness.kafka = false;
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200); // still the cached check
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(503);
    expect(checks).toBe(2);
    await app.close();
  });
});

describe('Swagger UI', () => {
  it('is off outside the local stack unless SWAGGER_UI=on; the OpenAPI document stays', async () => {
    const production = { JWT_SECRET: TEST_SECRET, DATABASE_URL: 'postgres://db.internal/petstore' };
    const off = await build({ config: loadConfig(production), logger: pino({ level: 'silent' }) });
    expect((await off.app.inject({ url: '/docs' })).statusCode).toBe(404);
    expect((await off.app.inject({ url: '/openapi.json' })).statusCode).toBe(200);
    await off.app.close();
    const on = await build({ config: loadConfig({ ...production, SWAGGER_UI: 'on' }) });
    expect((await on.app.inject({ url: '/docs' })).statusCode).toBe(200);
    await on.app.close();
  });
});
