import { createMetrics } from '../../lib/metrics';
import { SEED } from './fakes';
import { bearer, build } from './harness';

describe('GET /metrics', () => {
  it('is public, in Prometheus text format, and times requests by route pattern, method and status', async () => {
    const metrics = createMetrics();
    const { app } = await build({ metrics });
    expect((await app.inject({ url: `/pets/${SEED.pet}` })).statusCode).toBe(200);
    expect((await app.inject({ url: '/orders', method: 'POST', payload: {} })).statusCode).toBe(401);
    expect((await app.inject({ url: '/no/such/route/123' })).statusCode).toBe(404);
    expect((await app.inject({ url: `/orders/${SEED.aliceOrder}`, headers: bearer('alice') })).statusCode).toBe(200);

    const response = await app.inject({ url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = response.body;
    expect(text).toContain('# TYPE petstore_http_request_duration_seconds histogram');
    expect(text).toMatch(/petstore_http_request_duration_seconds_count\{method="GET",route="\/pets\/:id",status_code="200"\} 1/);
    expect(text).toMatch(/petstore_http_request_duration_seconds_count\{method="POST",route="\/orders",status_code="401"\} 1/);
    expect(text).toMatch(/petstore_http_request_duration_seconds_count\{method="GET",route="\/orders\/:orderId",status_code="200"\} 1/);
    // No URL (and so no id) ever becomes a label value: unknown routes share one series.
    expect(text).toMatch(/route="unmatched",status_code="404"/);
    expect(text).not.toContain(SEED.aliceOrder);
    await app.close();
  });

  it('stays out of the OpenAPI document, and is absent when the app is built without metrics', async () => {
    const { app } = await build({ metrics: createMetrics() });
    const doc = (await app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(doc.paths)).not.toContain('/metrics');
    await app.close();
    const bare = (await build()).app;
    expect((await bare.inject({ url: '/metrics' })).statusCode).toBe(404);
    await bare.close();
  });
});
