import type { Client } from '@temporalio/client';
import type { OrderView } from '../../api/ports';
import type { Pet } from '../../domain/pets';
import { kafkaNames } from '../../kafka/topics';
import { createTemporalClient } from '../../lib/temporal';
import { waitFor } from '../../lib/wait';
import type { StuckReport } from '../../support/stuck';
import { runPetstore } from '../helpers/cli';
import { testConfig, testNames, unique } from '../helpers/config';
import { watchTopics } from '../helpers/events';
import { apiClient, startSystem, tokenFor, type RunningSystem } from '../helpers/system';

// Two deployments on one stack: one in the default namespace (bare names: what `npm start` runs;
// if it runs, this system is one more instance of it, on the same database), one in the tests'
// namespace. Each one's orders confirm, and neither sees the other's events, orders or sagas.
const DEFAULT_ENV = { PETSTORE_NAMESPACE: '' };

describe('namespaces on one Kafka and one Temporal', () => {
  const bare = kafkaNames('');
  let plain: RunningSystem;
  let tests: RunningSystem;
  let watchBare: Awaited<ReturnType<typeof watchTopics>>;
  let watchTests: Awaited<ReturnType<typeof watchTopics>>;
  let temporal: Client;
  const customer = unique('ns-customer');

  beforeAll(async () => {
    // The default namespace's database and topics, as `petstore stack start` sets up any namespace.
    const setup = await runPetstore(['stack', 'start', '--json'], DEFAULT_ENV);
    expect(setup.code).toBe(0);
    [plain, tests] = await Promise.all([startSystem(DEFAULT_ENV), startSystem()]);
    [watchBare, watchTests] = await Promise.all([watchTopics(bare.eventTopics), watchTopics(testNames.eventTopics)]);
    temporal = await createTemporalClient(testConfig);
  }, 180_000);
  afterAll(async () => {
    await temporal?.connection.close();
    await watchBare?.stop();
    await watchTests?.stop();
    await Promise.all([plain?.stop(), tests?.stop()]);
  });

  const admin = (system: RunningSystem) => apiClient(system.baseUrl, tokenFor('admin'));
  const asCustomer = (system: RunningSystem) => apiClient(system.baseUrl, tokenFor('customer', customer));
  async function place(system: RunningSystem, paymentToken: string): Promise<string> {
    const pet = await admin(system)<Pet>('POST', '/pets', { name: unique('pet'), species: 'cat', priceCents: 1000, stock: 5 });
    expect(pet.status).toBe(201);
    const placed = await asCustomer(system)<{ orderId: string }>('POST', '/orders', { items: [{ petId: pet.body.id, quantity: 1 }], paymentToken });
    expect(placed.status).toBe(202);
    return placed.body.orderId;
  }
  const statusIn = (system: RunningSystem, orderId: string, status: string) =>
    waitFor(`order ${orderId} to be ${status}`, async () => ((await admin(system)<OrderView>('GET', `/orders/${orderId}`)).body.status === status ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 100,
      hint: () => system.output().slice(-3000),
    });

  it("confirms an order in each, and each one's events, orders and sagas stay in its namespace", async () => {
    const [inPlain, inTests] = await Promise.all([place(plain, 'tok_ok'), place(tests, 'tok_ok')]);
    await Promise.all([statusIn(plain, inPlain, 'CONFIRMED'), statusIn(tests, inTests, 'CONFIRMED')]);

    const confirmed = (watcher: typeof watchBare, orderId: string) =>
      waitFor(`OrderConfirmed of ${orderId}`, async () => watcher.forOrder(orderId).some((s) => s.event.type === 'OrderConfirmed') || undefined, { timeoutMs: 10_000, intervalMs: 50 });
    await Promise.all([confirmed(watchBare, inPlain), confirmed(watchTests, inTests)]);
    // Each order's whole flow (placed, reserved, paid, confirmed) on its own namespace's topics, none on the other's.
    expect(watchBare.forOrder(inPlain).map((s) => s.topic)).toEqual(expect.arrayContaining([bare.topics.orders, bare.topics.payments]));
    expect(watchTests.forOrder(inTests).map((s) => s.topic)).toEqual(expect.arrayContaining([testNames.topics.orders, testNames.topics.payments]));
    expect(watchTests.forOrder(inPlain)).toEqual([]);
    expect(watchBare.forOrder(inTests)).toEqual([]);

    // Books of their own: neither system knows the other's order.
    expect((await admin(tests)('GET', `/orders/${inPlain}`)).status).toBe(404);
    expect((await admin(plain)('GET', `/orders/${inTests}`)).status).toBe(404);

    // Both sagas in the one Temporal namespace, each on its deployment's task queue.
    const queueOf = async (orderId: string) => (await temporal.workflow.getHandle(`order-${orderId}`).describe()).taskQueue;
    expect(await queueOf(inPlain)).toBe('petstore');
    expect(await queueOf(inTests)).toBe(testConfig.temporal.taskQueue);
    expect(testConfig.temporal.taskQueue).toBe('test.petstore');
  }, 120_000);

  it("lists only its own open sagas in `orders stuck`, though both share the Temporal namespace", async () => {
    const [inPlain, inTests] = await Promise.all([place(plain, 'tok_pending'), place(tests, 'tok_pending')]);
    await Promise.all([statusIn(plain, inPlain, 'AWAITING_PAYMENT'), statusIn(tests, inTests, 'AWAITING_PAYMENT')]);
    const stuck = async (env: Record<string, string>) => {
      const run = await runPetstore(['orders', 'stuck', '--older-than', '0s', '--json'], env);
      expect(run.code).toBe(0);
      return (JSON.parse(run.stdout) as StuckReport).orders.map((o) => o.orderId);
    };
    // Visibility is eventually consistent: wait until each lists its own saga, then look for the other's.
    const [plainList, testsList] = await Promise.all(
      [
        [DEFAULT_ENV, inPlain],
        [{}, inTests],
      ].map(([env, own]) => waitFor(`the saga of ${own as string} in orders stuck`, async () => {
        const ids = await stuck(env as Record<string, string>);
        return ids.includes(own as string) ? ids : undefined;
      }, { timeoutMs: 30_000, intervalMs: 1000 })),
    );
    expect(plainList).not.toContain(inTests);
    expect(testsList).not.toContain(inPlain);

    // Leave nothing open: the customer cancels both.
    for (const [system, orderId] of [[plain, inPlain], [tests, inTests]] as const) {
      expect((await asCustomer(system)('POST', `/orders/${orderId}/cancel`, {})).status).toBeLessThan(300);
      await statusIn(system, orderId, 'CANCELLED');
    }
  }, 120_000);
});
