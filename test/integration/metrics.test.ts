import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OrderView } from '../../api/ports';
import type { Pet } from '../../domain/pets';
import { waitFor } from '../../lib/wait';
import { testNames, unique } from '../helpers/config';
import { alertExpressions, dashboardExpressions, exportedFamilies, isExported, parsePromql, readAlertRules, readDashboard, validateAlertRules, type AlertRules } from '../helpers/promql';
import { apiClient, startSystem, tokenFor, type RunningSystem } from '../helpers/system';

/** One span as OTLP/HTTP JSON carries it (ids in hex). */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  scope: string;
}

/** A tiny OTLP/HTTP receiver: collects every span POSTed to /v1/traces. */
async function otlpReceiver(): Promise<{ url: string; spans: OtlpSpan[]; close(): Promise<void> }> {
  const spans: OtlpSpan[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      if (request.url === '/v1/traces') {
        const payload = JSON.parse(body) as { resourceSpans: { scopeSpans: { scope: { name: string }; spans: Omit<OtlpSpan, 'scope'>[] }[] }[] };
        for (const resource of payload.resourceSpans) for (const scope of resource.scopeSpans) for (const span of scope.spans) spans.push({ ...span, scope: scope.scope.name });
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The value of one series in Prometheus text, or undefined when it is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

// Metrics and traces of the real system: an order confirmed and one declined, through HTTP, Temporal and
// Kafka, then what /metrics and an OTLP receiver saw of them.
describe('observability of a running system', () => {
  let system: RunningSystem;
  let receiver: Awaited<ReturnType<typeof otlpReceiver>>;
  let temporalMetricsPort: number;
  let admin: ReturnType<typeof apiClient>;
  let customer: ReturnType<typeof apiClient>;
  const traceId = randomBytes(16).toString('hex');
  let order: OrderView;

  beforeAll(async () => {
    receiver = await otlpReceiver();
    temporalMetricsPort = await unusedPort();
    // The test is the trusted proxy in front of the API: its traceparent is continued (anyone else's is not).
    system = await startSystem({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, TEMPORAL_METRICS_PORT: String(temporalMetricsPort), TRUSTED_PROXIES: '127.0.0.1' });
    admin = apiClient(system.baseUrl, tokenFor('admin'));
    customer = apiClient(system.baseUrl, tokenFor('customer', unique('customer')));

    const pet = (await admin<Pet>('POST', '/pets', { name: unique('pet'), species: 'cat', priceCents: 9_900, stock: 2 })).body;
    // The caller's trace context: the order's whole saga should join this trace.
    const placed = await customer<{ orderId: string }>('POST', '/orders', { items: [{ petId: pet.id, quantity: 1 }], paymentToken: 'tok_ok' }, {
      traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
    });
    expect(placed.status).toBe(202);
    // And one that is declined: the compensation path.
    const declined = await customer<{ orderId: string }>('POST', '/orders', { items: [{ petId: pet.id, quantity: 1 }], paymentToken: 'tok_declined' });
    expect(declined.status).toBe(202);
    const settled = (orderId: string) =>
      waitFor(
        `order ${orderId} to settle`,
        async () => {
          const { body } = await customer<OrderView>('GET', `/orders/${orderId}`);
          return body.status === 'CONFIRMED' || body.status === 'CANCELLED' ? body : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 100, hint: () => system.output().slice(-3000) },
      );
    order = await settled(placed.body.orderId);
    expect(order).toMatchObject({ status: 'CONFIRMED', cancelReason: null });
    expect(await settled(declined.body.orderId)).toMatchObject({ status: 'CANCELLED', cancelReason: 'PAYMENT_DECLINED' });
  }, 150_000);

  afterAll(async () => {
    await system?.stop();
    await receiver?.close();
  });

  it('serves /metrics in Prometheus format: HTTP histogram, orders by status, saga steps, cancellations, outbox backlog and lag, consumer lag, dead letters', async () => {
    const response = await fetch(`${system.internalUrl}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();

    expect(text).toContain('# TYPE petstore_http_request_duration_seconds histogram');
    expect(sample(text, 'petstore_http_request_duration_seconds_count{method="POST",route="/orders",status_code="202"}')).toBeGreaterThanOrEqual(1);
    expect(text).toMatch(/petstore_http_request_duration_seconds_bucket\{le="[\d.]+",method="POST",route="\/orders",status_code="202"\}/);

    expect(sample(text, 'petstore_orders{status="CONFIRMED"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'petstore_orders{status="PLACED"}')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'petstore_saga_step_duration_seconds_count{step="saga",outcome="CONFIRMED"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'petstore_saga_step_duration_seconds_count{step="inventory",outcome="RESERVED"}')).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'petstore_saga_step_duration_seconds_count{step="payment",outcome="PAYMENT_DECLINED"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'petstore_order_cancellations_total{reason="PAYMENT_DECLINED"}')).toBeGreaterThanOrEqual(1);

    for (const schema of ['inventory', 'orders', 'payments', 'notifications']) {
      expect(sample(text, `petstore_outbox_unpublished_events{schema="${schema}"}`)).toBeGreaterThanOrEqual(0);
      expect(sample(text, `petstore_outbox_oldest_unpublished_age_seconds{schema="${schema}"}`)).toBeGreaterThanOrEqual(0);
    }
    expect(sample(text, 'petstore_outbox_publish_lag_seconds_count{schema="orders"}')).toBeGreaterThanOrEqual(1);

    const { groups, topics } = testNames;
    expect(sample(text, `petstore_consumer_lag_messages{group="${groups.inventory}",topic="${topics.orders}",partition="0"}`)).toBeGreaterThanOrEqual(0);
    expect(sample(text, `petstore_consumer_lag_messages{group="${groups.orders}",topic="${topics.payments}",partition="0"}`)).toBeGreaterThanOrEqual(0);
    expect(sample(text, `petstore_dead_letter_messages{group="${groups.payments}"}`)).toBeGreaterThanOrEqual(0);
    // The labels carry the deployment's names: group="test.petstore-inventory", topic="test.orders".
    const ns = testNames.namespace ? `${testNames.namespace}\\.` : '';
    expect(text).toMatch(new RegExp(`petstore_consumer_messages_total\\{group="${ns}petstore-\\w+",topic="${ns}\\w+",result="applied"\\} \\d+`));
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).not.toContain('petstore_metrics_scrape_errors_total{');
  }, 30_000);

  it("serves the Temporal worker's own metrics on TEMPORAL_METRICS_PORT", async () => {
    const text = await waitFor(
      "Temporal's worker metrics",
      async () => {
        const body = await (await fetch(`http://127.0.0.1:${temporalMetricsPort}/metrics`)).text();
        return /^temporal_\w+\{.*workflow_type="orderSaga"/m.test(body) ? body : undefined;
      },
      { timeoutMs: 15_000, intervalMs: 250 },
    );
    expect(text).toMatch(/^temporal_workflow_completed\{/m);
  }, 30_000);

  it('every metric the committed dashboard and alert rules name is one this system exports (petstore_* on /metrics, temporal_* on TEMPORAL_METRICS_PORT)', async () => {
    const families = new Map([
      ...exportedFamilies(await (await fetch(`${system.internalUrl}/metrics`)).text()),
      ...exportedFamilies(await (await fetch(`http://127.0.0.1:${temporalMetricsPort}/metrics`)).text()),
    ]);
    const rules = readAlertRules();
    expect(validateAlertRules(rules)).toBe(true);
    const expressions = [...dashboardExpressions(readDashboard()), ...alertExpressions(rules as AlertRules)];
    expect(expressions.length).toBeGreaterThan(20);
    const missing = expressions.flatMap(({ where, expr }) => {
      const { errors, metrics } = parsePromql(expr);
      expect([where, errors]).toEqual([where, []]);
      return metrics.filter((name) => !isExported(name, families)).map((name) => `${where}: ${name}`);
    });
    expect(missing).toEqual([]);
  }, 30_000);

  it('exports one trace over OTLP/HTTP: the API request, the saga and its activities, the Kafka publish and consume', async () => {
    const names = (spans: OtlpSpan[]) => new Set(spans.map((s) => s.name));
    // Messaging spans are named after the topic as it is called on Kafka (test.orders in the tests' namespace).
    const [publishOrders, processOrders] = [`publish ${testNames.topics.orders}`, `process ${testNames.topics.orders}`];
    const trace = await waitFor(
      'the order\'s spans at the OTLP receiver',
      async () => {
        const spans = receiver.spans.filter((s) => s.traceId === traceId);
        const seen = names(spans);
        return ['POST /orders', 'UpdateWithStartWorkflow:placed', 'RunWorkflow:orderSaga', 'RunActivity:placeOrder', publishOrders, processOrders].every((n) => seen.has(n))
          ? spans
          : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, hint: () => [...names(receiver.spans.filter((s) => s.traceId === traceId))].join(', ') },
    );
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    const parentOf = (span: OtlpSpan) => (span.parentSpanId ? byId.get(span.parentSpanId) : undefined);

    const api = trace.find((s) => s.name === 'POST /orders')!;
    expect(api).toMatchObject({ kind: 2, scope: 'petstore' }); // SERVER
    expect(parentOf(trace.find((s) => s.name === 'UpdateWithStartWorkflow:placed')!)).toBe(api);
    expect(parentOf(trace.find((s) => s.name === 'RunWorkflow:orderSaga')!)?.name).toBe('UpdateWithStartWorkflow:placed');
    expect(parentOf(trace.find((s) => s.name === 'RunActivity:placeOrder')!)?.name).toBe('StartActivity:placeOrder');
    // OrderPlaced: written by the activity, published by the relay, consumed by the services.
    const published = trace.find((s) => s.name === publishOrders && parentOf(s)?.name === 'RunActivity:placeOrder')!;
    expect(published).toMatchObject({ kind: 4 }); // PRODUCER
    const consumed = trace.filter((s) => s.name === processOrders && s.parentSpanId === published.spanId);
    expect(consumed.length).toBeGreaterThanOrEqual(1);
    expect(consumed[0]).toMatchObject({ kind: 5 }); // CONSUMER
  }, 45_000);
});
