import type { Admin } from 'kafkajs';
import { stepsEnded, stepsOfUpdate, type Transition } from '../../activities/saga-steps';
import { consumerOffsets, messagesIn, partitionLag } from '../../kafka/lag';
import { createMetrics, scrapeGauge, sharedRead } from '../../lib/metrics';

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, seconds));
const history = (...steps: [Transition['status'], number, string?][]): Transition[] => steps.map(([status, s, reason]) => ({ status, at: at(s), reason: reason ?? null }));

describe('metrics registry', () => {
  it('exposes every instrument in Prometheus text format', async () => {
    const metrics = createMetrics();
    metrics.httpRequestDuration.observe({ method: 'POST', route: '/orders', status_code: 202 }, 0.042);
    metrics.cancellations.inc({ reason: 'OUT_OF_STOCK' });
    metrics.consumerMessages.inc({ group: 'petstore-inventory', topic: 'orders', result: 'applied' });
    const text = await metrics.registry.metrics();
    expect(text).toContain('# TYPE petstore_http_request_duration_seconds histogram');
    expect(text).toContain('petstore_http_request_duration_seconds_bucket{le="0.05",method="POST",route="/orders",status_code="202"} 1');
    expect(text).toContain('petstore_order_cancellations_total{reason="OUT_OF_STOCK"} 1');
    expect(text).toContain('petstore_consumer_messages_total{group="petstore-inventory",topic="orders",result="applied"} 1');
    for (const name of ['petstore_saga_step_duration_seconds', 'petstore_outbox_publish_lag_seconds', 'petstore_consumer_handler_failures_total', 'petstore_consumer_handle_duration_seconds']) {
      expect(text).toContain(`# TYPE ${name}`);
    }
    expect(text).not.toContain('process_cpu'); // Node's own metrics only when asked for
    expect(await createMetrics({ processMetrics: true }).registry.metrics()).toContain('process_cpu_user_seconds_total');
  });

  it('reads scrape-time gauges when scraped, and leaves a failed read out of that scrape, counted', async () => {
    const metrics = createMetrics();
    let fail = false;
    let reads = 0;
    const errors: unknown[] = [];
    scrapeGauge(metrics, {
      name: 'orders',
      help: 'orders by status',
      labelNames: ['status'],
      read: async () => {
        reads++;
        if (fail) throw new Error('database away');
        return [{ labels: { status: 'CONFIRMED' }, value: 3 }];
      },
      onError: (error) => errors.push(error),
    });
    expect(reads).toBe(0); // nothing runs between scrapes
    expect(await metrics.registry.metrics()).toContain('petstore_orders{status="CONFIRMED"} 3');
    fail = true;
    expect(await metrics.registry.metrics()).not.toContain('petstore_orders{');
    expect(errors).toHaveLength(1);
    // The registry renders in parallel: the error counter shows the failure from the next scrape on.
    expect(await metrics.registry.metrics()).toContain('petstore_metrics_scrape_errors_total{source="orders"} 1');
  });

  it('shares one read between concurrent scrapes and gauges, and gives up after the timeout', async () => {
    let calls = 0;
    const read = sharedRead(async () => ++calls, { maxAgeMs: 60_000 });
    expect(await Promise.all([read(), read(), read()])).toEqual([1, 1, 1]);
    expect(calls).toBe(1);
    const slow = sharedRead(() => new Promise<number>(() => undefined), { timeoutMs: 20 });
    await expect(slow()).rejects.toThrow('timed out after 20ms');
    let failures = 0;
    const flaky = sharedRead(async () => {
      if (failures++ === 0) throw new Error('once');
      return 'ok';
    }, { maxAgeMs: 60_000 });
    await expect(flaky()).rejects.toThrow('once');
    await expect(flaky()).resolves.toBe('ok'); // a failure is not cached
  });
});

describe('consumer lag', () => {
  it('is the high watermark minus the committed offset, or everything in the log before a first commit', () => {
    expect(partitionLag({ partition: 0, low: '0', high: '120' }, '100')).toBe(20);
    expect(partitionLag({ partition: 0, low: '40', high: '120' }, '-1')).toBe(80);
    expect(partitionLag({ partition: 0, low: '40', high: '120' }, undefined)).toBe(80);
    expect(partitionLag({ partition: 0, low: '0', high: '120' }, '125')).toBe(0);
    expect(messagesIn([{ partition: 0, low: '2', high: '5' }, { partition: 1, low: '0', high: '1' }])).toBe(4);
  });

  it('reads each topic once and each group once from the brokers', async () => {
    const calls: string[] = [];
    const ends: Record<string, { partition: number; offset: string; low: string; high: string }[]> = {
      orders: [
        { partition: 0, offset: '10', low: '0', high: '10' },
        { partition: 1, offset: '7', low: '0', high: '7' },
      ],
      payments: [{ partition: 0, offset: '3', low: '0', high: '3' }],
      'petstore-inventory.dlq': [{ partition: 0, offset: '2', low: '0', high: '2' }],
      'petstore-orders.dlq': [],
    };
    const admin = {
      fetchTopicOffsets: async (topic: string) => {
        calls.push(`topic:${topic}`);
        return ends[topic]!;
      },
      fetchOffsets: async ({ groupId, topics }: { groupId: string; topics: string[] }) => {
        calls.push(`group:${groupId}`);
        return topics.map((topic) => ({ topic, partitions: [{ partition: 0, offset: topic === 'orders' ? '8' : '3', metadata: null }] }));
      },
    } as unknown as Admin;
    const { lag, deadLetters } = await consumerOffsets(admin, [
      { group: 'petstore-inventory', topics: ['orders'] },
      { group: 'petstore-orders', topics: ['orders', 'payments'] },
    ]);
    expect(calls.filter((c) => c === 'topic:orders')).toHaveLength(1);
    expect(lag).toEqual([
      { group: 'petstore-inventory', topic: 'orders', partition: 0, lag: 2 },
      { group: 'petstore-inventory', topic: 'orders', partition: 1, lag: 7 },
      { group: 'petstore-orders', topic: 'orders', partition: 0, lag: 2 },
      { group: 'petstore-orders', topic: 'orders', partition: 1, lag: 7 },
      { group: 'petstore-orders', topic: 'payments', partition: 0, lag: 0 },
    ]);
    expect(deadLetters).toEqual([
      { group: 'petstore-inventory', messages: 2 },
      { group: 'petstore-orders', messages: 0 },
    ]);
  });
});

describe('saga step durations', () => {
  const placed: [Transition['status'], number][] = [
    ['PLACED', 0],
    ['AWAITING_INVENTORY', 0],
  ];

  it('times the inventory step when Inventory answers', () => {
    expect(stepsEnded(history(...placed, ['AWAITING_PAYMENT', 2]))).toEqual([{ step: 'inventory', outcome: 'RESERVED', seconds: 2 }]);
    expect(stepsEnded(history(...placed, ['CANCELLED', 30, 'INVENTORY_TIMEOUT']))).toEqual([
      { step: 'inventory', outcome: 'INVENTORY_TIMEOUT', seconds: 30 },
      { step: 'saga', outcome: 'INVENTORY_TIMEOUT', seconds: 30 },
    ]);
  });

  it('times the payment step and the whole saga when the order is confirmed or cancelled', () => {
    expect(stepsEnded(history(...placed, ['AWAITING_PAYMENT', 2], ['CONFIRMED', 5]))).toEqual([
      { step: 'payment', outcome: 'PAID', seconds: 3 },
      { step: 'saga', outcome: 'CONFIRMED', seconds: 5 },
    ]);
    expect(stepsEnded(history(...placed, ['AWAITING_PAYMENT', 2], ['CANCELLED', 9, 'PAYMENT_DECLINED']))).toEqual([
      { step: 'payment', outcome: 'PAYMENT_DECLINED', seconds: 7 },
      { step: 'saga', outcome: 'PAYMENT_DECLINED', seconds: 9 },
    ]);
  });

  it('times a step from the columns an order update returns: placed, the status it leaves, now', () => {
    const row = { created_at: at(0), updated_at: at(12), entered: { status: 'AWAITING_PAYMENT' as const, at: at(4).toISOString() } };
    expect(stepsOfUpdate(row, 'CONFIRMED')).toEqual([
      { step: 'payment', outcome: 'PAID', seconds: 8 },
      { step: 'saga', outcome: 'CONFIRMED', seconds: 12 },
    ]);
    expect(stepsOfUpdate({ ...row, entered: null }, 'CONFIRMED')).toEqual([]);
  });

  it('does not time a support cancel after confirmation again, nor a history too short to have a step', () => {
    expect(stepsEnded(history(...placed, ['AWAITING_PAYMENT', 2], ['CONFIRMED', 5], ['CANCELLED', 50, 'CANCELLED_BY_SUPPORT']))).toEqual([]);
    expect(stepsEnded(history(['PLACED', 0]))).toEqual([]);
    expect(stepsEnded([])).toEqual([]);
  });
});
