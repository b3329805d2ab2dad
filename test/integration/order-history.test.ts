import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import { createDb } from '../../db/knex';
import type { OrderHistory } from '../../domain/order-history';
import type { Pet } from '../../domain/pets';
import { createKafka } from '../../kafka/client';
import { kafkaNames, type KafkaNames } from '../../kafka/topics';
import { loadConfig, type Config } from '../../lib/config';
import { waitFor } from '../../lib/wait';
import { SERVICES } from '../../services';
import type { RebuildReport } from '../../cli/commands/rebuild';
import { runPetstore } from '../helpers/cli';
import { apiClient, startSystem, tokenFor, type RunningSystem } from '../helpers/system';

// The order-history projection on the real stack, in a namespace (database and topics) of this file's
// own, so that verify compares the projection with books that hold exactly these orders: orders of
// every outcome, then a rebuild finds 0 differences; rows deleted come back with a rebuild; a rebuild
// while orders are placed leaves a live projection a later rebuild cannot tell apart from the topics.

/** Orders of the first round: enough of every outcome, and a run time of a few minutes on 2 cores. */
const ORDERS = 240;
/** Orders placed while a rebuild runs. */
const ORDERS_DURING_REBUILD = 80;
const CONCURRENCY = 8;

const namespace = `hist${Math.random().toString(36).slice(2, 8).replace(/[^a-z0-9]/g, 'x')}`;
const env = {
  PETSTORE_NAMESPACE: namespace,
  // tok_pending orders time out in the test's time; the limits fit a few hundred orders from one address.
  PAYMENT_DEADLINE: '12s',
  RATE_LIMIT_PER_IP: '1000000',
  RATE_LIMIT_WRITES: '1000000',
  RATE_LIMIT_READS: '1000000',
};

type Outcome = 'ok' | 'declined' | 'pending' | 'flaky' | 'out-of-stock' | 'customer-cancel' | 'refund-amount' | 'refund-lines' | 'support-cancel';
const OUTCOMES: Outcome[] = ['ok', 'declined', 'pending', 'flaky', 'out-of-stock', 'customer-cancel', 'ok', 'flaky', 'refund-amount', 'refund-lines', 'support-cancel', 'declined'];
const TOKEN: Record<Outcome, string> = {
  ok: 'tok_ok',
  declined: 'tok_declined',
  pending: 'tok_pending',
  flaky: 'tok_flaky',
  'out-of-stock': 'tok_ok',
  'customer-cancel': 'tok_pending',
  'refund-amount': 'tok_ok',
  'refund-lines': 'tok_ok',
  'support-cancel': 'tok_ok',
};

describe('the order-history projection, rebuilt from the topics', () => {
  let system: RunningSystem;
  let config: Config;
  let names: KafkaNames;
  let db: Knex;
  let admin: ReturnType<typeof apiClient>;
  let support: ReturnType<typeof apiClient>;
  let pets: Pet[];
  let soldOut: Pet;
  const placed: { orderId: string; customer: string; outcome: Outcome }[] = [];

  beforeAll(async () => {
    const setup = await runPetstore(['stack', 'start', '--json'], env);
    expect(setup.code).toBe(0);
    config = loadConfig({ ...process.env, ...env });
    names = kafkaNames(namespace);
    system = await startSystem(env);
    db = createDb(config, { poolMax: 4 });
    admin = apiClient(system.baseUrl, tokenFor('admin'));
    support = apiClient(system.baseUrl, tokenFor('support', 'history-agent'));
    pets = [];
    for (const priceCents of [1_000, 2_500, 4_000]) pets.push((await admin<Pet>('POST', '/pets', { name: `pet-${priceCents}`, species: 'cat', priceCents, stock: 100_000 })).body);
    soldOut = (await admin<Pet>('POST', '/pets', { name: 'sold-out', species: 'dog', priceCents: 9_000, stock: 0 })).body;
  }, 240_000);
  afterAll(async () => {
    await db?.destroy();
    await system?.stop();
  });

  const hint = () => system.output().slice(-3000);
  const cli = (...args: string[]) => runPetstore(args, { ...env, PETSTORE_API_URL: system.baseUrl, PETSTORE_TOKEN: tokenFor('support', 'history-agent') }, 300_000);
  const statusOf = async (orderId: string) => ((await db.withSchema('orders').table('orders').where({ id: orderId }).first('status', 'payment_id')) as { status: string; payment_id: string | null } | undefined);
  const until = (what: string, check: () => Promise<boolean>, timeoutMs = 60_000) =>
    waitFor(what, async () => ((await check()) ? true : undefined), { timeoutMs, intervalMs: 250, hint });

  /** Places one order of the outcome and does what the outcome needs after (cancel, refund). */
  async function placeOne(i: number, outcome: Outcome): Promise<void> {
    const customer = `history-customer-${namespace}-${i}`;
    const asCustomer = apiClient(system.baseUrl, tokenFor('customer', customer));
    const pet = outcome === 'out-of-stock' ? soldOut : pets[i % pets.length]!;
    const items = [{ petId: pet.id, quantity: 1 + (i % 2) }, ...(outcome === 'refund-lines' ? [{ petId: pets[(i + 1) % pets.length]!.id, quantity: 1 }] : [])];
    const answer = await asCustomer<{ orderId: string }>('POST', '/orders', { items, paymentToken: TOKEN[outcome] });
    expect(answer.status).toBe(202);
    const { orderId } = answer.body;
    placed.push({ orderId, customer, outcome });
    if (outcome === 'customer-cancel') {
      await until(`${orderId} awaiting payment`, async () => (await statusOf(orderId))?.status === 'AWAITING_PAYMENT');
      expect((await asCustomer('POST', `/orders/${orderId}/cancel`)).status).toBe(200);
    }
    if (outcome === 'refund-amount' || outcome === 'refund-lines' || outcome === 'support-cancel') {
      await until(`${orderId} confirmed`, async () => (await statusOf(orderId))?.status === 'CONFIRMED');
      const paymentId = (await statusOf(orderId))!.payment_id!;
      if (outcome === 'support-cancel') {
        expect((await support('POST', `/orders/${orderId}/cancel`, { reason: 'customer called' })).status).toBe(200);
      } else {
        const body = outcome === 'refund-amount' ? { amountCents: 300, reason: 'goodwill' } : { items: [{ petId: pet.id, quantity: 1 }], restock: true, reason: 'returned one' };
        expect((await support('POST', `/payments/${paymentId}/refunds`, body, { 'idempotency-key': `refund-${orderId}` })).status).toBe(201);
      }
    }
  }

  async function placeMany(count: number, from: number): Promise<void> {
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < count; i = next++) await placeOne(from + i, OUTCOMES[(from + i) % OUTCOMES.length]!);
      }),
    );
  }

  /** Every order settled and every group (the projection's too) caught up with every topic, for two looks in a row. */
  async function quiet(): Promise<void> {
    await until('every order to settle', async () => Number(((await db.withSchema('orders').table('orders').whereIn('status', ['PLACED', 'AWAITING_INVENTORY', 'AWAITING_PAYMENT']).count({ n: '*' })) as { n: string }[])[0]!.n) === 0, 120_000);
    const kafka = createKafka(config, { retries: 3 });
    const kafkaAdmin = kafka.admin();
    await kafkaAdmin.connect();
    const groups = [...Object.values(SERVICES).map((s) => ({ group: names.groups[s.name], topics: s.topics.map(names.topic) })), { group: names.groups.orderHistory, topics: names.eventTopics }];
    const behind = async () => {
      let lag = 0;
      for (const { group, topics } of groups) {
        const committed = await kafkaAdmin.fetchOffsets({ groupId: group, topics });
        for (const t of committed) {
          const high = await kafkaAdmin.fetchTopicOffsets(t.topic);
          for (const p of t.partitions) lag += Number(high.find((h) => h.partition === p.partition)!.high) - Math.max(0, Number(p.offset));
        }
      }
      const [unsent] = (await db.raw(`select (select count(*) from orders.outbox where sent_at is null) + (select count(*) from payments.outbox where sent_at is null) + (select count(*) from inventory.outbox where sent_at is null) + (select count(*) from notifications.outbox where sent_at is null) as n`)).rows as { n: string }[];
      return lag + Number(unsent!.n);
    };
    try {
      let calm = 0;
      await until('every consumer group to catch up', async () => {
        calm = (await behind()) === 0 ? calm + 1 : 0;
        if (calm < 2) await sleep(1000);
        return calm >= 2;
      }, 120_000);
    } finally {
      await kafkaAdmin.disconnect();
    }
  }

  const rebuild = async (...flags: string[]) => {
    const run = await cli('events', 'rebuild', 'order-history', '--json', ...flags);
    if (run.stdout.trim() === '') throw new Error(`events rebuild printed nothing (exit ${run.code}): ${run.stderr}`);
    return { code: run.code, report: JSON.parse(run.stdout) as RebuildReport, stderr: run.stderr };
  };

  it(`after ${ORDERS} orders of every outcome a rebuild --verify finds 0 differences`, async () => {
    const started = Date.now();
    await placeMany(ORDERS, 0);
    await quiet();
    const placedIn = (Date.now() - started) / 1000;
    const statuses = (await db.withSchema('orders').table('orders').select('status', 'cancel_reason').count({ n: '*' }).groupBy('status', 'cancel_reason')) as { status: string; cancel_reason: string | null; n: string }[];
    // Every outcome is there: confirmed, declined, timed out, out of stock, cancelled by the customer and by support.
    expect(statuses.map((s) => s.cancel_reason ?? s.status).sort()).toEqual(
      expect.arrayContaining(['CONFIRMED', 'PAYMENT_TIMEOUT', 'OUT_OF_STOCK', 'CANCELLED_BY_CUSTOMER', 'CANCELLED_BY_SUPPORT']),
    );
    const { code, report } = await rebuild('--verify');
    console.log(`order-history rebuild after ${ORDERS} orders (placed and settled in ${placedIn.toFixed(0)}s): ${JSON.stringify({ ...report, differences: report.differences.slice(0, 20) })}`);
    expect(report.differences).toEqual([]);
    expect(code).toBe(0);
    expect(report).toMatchObject({ projection: 'order-history', verified: true, orders: ORDERS, skipped: 0 });
    expect(report.events).toBeGreaterThan(ORDERS * 4);
    expect(report.eventsPerSecond).toBeGreaterThan(0);
  }, 900_000);

  it('serves an order\'s history to its customer and staff, a 404 to anyone else, and orders explain shows it', async () => {
    const refunded = placed.find((p) => p.outcome === 'refund-lines')!;
    const own = await apiClient(system.baseUrl, tokenFor('customer', refunded.customer))<OrderHistory>('GET', `/orders/${refunded.orderId}/history`);
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ orderId: refunded.orderId, userId: refunded.customer, status: 'CONFIRMED', payment: { outcome: 'SUCCEEDED' } });
    expect(own.body.timeline.map((t) => t.status)).toEqual(['AWAITING_INVENTORY', 'AWAITING_PAYMENT', 'CONFIRMED']);
    expect(own.body.refunds).toHaveLength(1);
    expect(own.body.restocks).toEqual([expect.objectContaining({ cause: 'refund' })]);
    expect(own.body.notifications.map((n) => n.kind)).toEqual(expect.arrayContaining(['order-confirmed', 'payment-refunded']));
    const foreign = await apiClient(system.baseUrl, tokenFor('customer', 'someone-else'))<{ status: number }>('GET', `/orders/${refunded.orderId}/history`);
    expect(foreign.status).toBe(404);
    expect(foreign.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await support('GET', `/orders/${refunded.orderId}/history`)).status).toBe(200);

    const explained = await cli('orders', 'explain', refunded.orderId, '--json');
    expect(explained.code).toBe(0);
    expect((JSON.parse(explained.stdout) as { history: OrderHistory }).history).toEqual(own.body);
    expect((await cli('orders', 'explain', refunded.orderId)).stdout).toMatch(/history \(from the events\): CONFIRMED; \d+ event\(s\);.*payment SUCCEEDED.*1 refund\(s\)/);
  }, 120_000);

  it('restores deleted projection rows with a rebuild', async () => {
    const sample = placed.find((p) => p.outcome === 'support-cancel')!;
    const before = (await support<OrderHistory>('GET', `/orders/${sample.orderId}/history`)).body;
    await db.withSchema('order_history').table('histories').delete();
    expect((await support('GET', `/orders/${sample.orderId}/history`)).status).toBe(404);
    const { code, report } = await rebuild();
    expect(code).toBe(0);
    expect(report.orders).toBe(ORDERS);
    expect((await support<OrderHistory>('GET', `/orders/${sample.orderId}/history`)).body).toEqual(before);
    const again = await rebuild('--verify');
    expect(again.report.differences).toEqual([]);
    expect(again.code).toBe(0);
  }, 300_000);

  it('stays correct when rebuilt while orders are placed', async () => {
    const load = placeMany(ORDERS_DURING_REBUILD, ORDERS);
    let loadDone = false;
    void load.then(() => (loadDone = true));
    await until('some orders of the load to be placed', async () => placed.length >= ORDERS + 10);
    const during = await rebuild();
    expect(during.code).toBe(0);
    // It ran while orders were still coming in: events after its start went to the live consumer.
    expect(loadDone).toBe(false);
    await load;
    await quiet();
    const { code, report } = await rebuild('--verify');
    expect(report.differences).toEqual([]);
    expect(code).toBe(0);
    expect(report.orders).toBe(ORDERS + ORDERS_DURING_REBUILD);
  }, 900_000);
});
