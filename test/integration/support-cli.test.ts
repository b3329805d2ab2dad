import { randomUUID } from 'node:crypto';
import type { Producer } from 'kafkajs';
import type { OrderView } from '../../api/ports';
import type { Pet } from '../../domain/pets';
import { createKafka } from '../../kafka/client';
import { createProducer } from '../../kafka/producer';
import { dlqTopic, TOPICS } from '../../kafka/topics';
import { waitFor } from '../../lib/wait';
import type { DeadLetter, ReplayOutcome } from '../../support/dlq';
import type { Explanation } from '../../support/explain';
import type { StuckReport } from '../../support/stuck';
import type { TailedMessage } from '../../support/tail';
import { runPetstore, type CliRun } from '../helpers/cli';
import { testConfig, testNames, unique } from '../helpers/config';
import { apiClient, startSystem, tokenFor, type RunningSystem } from '../helpers/system';

// The support toolkit as support uses it: the real `petstore` binary in a child process, against a
// running system on the real stack (Temporal, Kafka, Postgres), reading what the saga really did.
describe('support CLI on the real stack', () => {
  let system: RunningSystem;
  let support: ReturnType<typeof apiClient>;
  let env: NodeJS.ProcessEnv;
  const customer = unique('support-cli-customer');
  let orderId: string;

  beforeAll(async () => {
    system = await startSystem();
    support = apiClient(system.baseUrl, tokenFor('support'));
    env = { PETSTORE_API_URL: system.baseUrl, PETSTORE_TOKEN: tokenFor('support') };
  }, 120_000);
  afterAll(async () => {
    await system?.stop();
  });

  const cli = (...args: string[]): Promise<CliRun> => runPetstore(args, env);
  /** Runs a --json command that must succeed, and parses its one JSON document. */
  async function cliJson<T>(...args: string[]): Promise<T> {
    const run = await cli(...args);
    if (run.code !== 0) throw new Error(`petstore ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
    return JSON.parse(run.stdout) as T;
  }
  const hint = () => system.output().slice(-3000);
  const explain = (id: string) => cliJson<Explanation>('orders', 'explain', id, '--json');
  const whats = (e: Explanation, source: string) => e.timeline.filter((t) => t.source === source).map((t) => t.what);

  it('lists a pending order as stuck with its Temporal link, explains its saga, and shows a support cancel', async () => {
    // As the admin: add a pet. As support: place an order for a customer that will wait for its payment.
    const pet = JSON.parse(
      (await runPetstore(['pets', 'add', '--name', unique('pet'), '--species', 'cat', '--price-cents', '4200', '--stock', '2', '--json'], { ...env, PETSTORE_TOKEN: tokenFor('admin') })).stdout,
    ) as Pet;
    expect(pet.stock).toBe(2);
    const placed = await cliJson<{ orderId: string }>('orders', 'place', '--user', customer, '--pet', `${pet.id}:1`, '--payment-token', 'tok_pending', '--json');
    orderId = placed.orderId;
    await waitFor('the order to await its payment', async () => (await support<OrderView>('GET', `/orders/${orderId}`)).body.status === 'AWAITING_PAYMENT', {
      timeoutMs: 30_000,
      intervalMs: 100,
      hint,
    });

    // Visibility is eventually consistent: the new saga (and its OrderStatus) shows up within moments.
    const stuck = await waitFor(
      'orders stuck to list the order',
      async () => {
        const report = await cliJson<StuckReport>('orders', 'stuck', '--older-than', '0s', '--json');
        return report.orders.find((o) => o.orderId === orderId && o.status === 'AWAITING_PAYMENT');
      },
      { timeoutMs: 30_000, intervalMs: 500, hint },
    );
    expect(stuck).toMatchObject({ workflowId: `order-${orderId}`, waitingFor: 'the payment to succeed', customerId: customer, stateError: null });
    expect(stuck.link).toMatch(new RegExp(`/namespaces/default/workflows/order-${orderId}$`));
    expect(Date.parse(stuck.deadline!)).toBeGreaterThan(Date.parse(stuck.since));
    const filtered = await cliJson<StuckReport>('orders', 'stuck', '--older-than', '0s', '--status', 'AWAITING_INVENTORY', '--json');
    expect(filtered.orders.map((o) => o.orderId)).not.toContain(orderId);
    const human = await cli('orders', 'stuck', '--older-than', '0s', '--status', 'AWAITING_PAYMENT');
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`/workflows/order-${orderId}`);

    const waiting = await waitFor(
      'explain to show the saga awaiting payment and both events',
      async () => {
        const e = await explain(orderId);
        return whats(e, 'kafka').includes('InventoryReserved') ? e : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 500, hint },
    );
    expect(waiting.workflow).toMatchObject({ workflowId: `order-${orderId}`, status: 'RUNNING' });
    expect(waiting.workflow!.link).toMatch(new RegExp(`/workflows/order-${orderId}$`));
    expect(waiting.state).toMatchObject({ status: 'AWAITING_PAYMENT', waitingFor: 'the payment to succeed' });
    expect(waiting.order).toMatchObject({ id: orderId, status: 'AWAITING_PAYMENT', userId: customer });
    const steps = whats(waiting, 'temporal');
    for (const step of ['workflow started', 'update placed accepted', 'local activity placeOrder', 'signal inventoryResult', 'local activity recordReservation']) expect(steps).toContain(step);
    expect(waiting.timeline).toContainEqual(expect.objectContaining({ source: 'temporal', what: 'signal inventoryResult', detail: expect.stringMatching(/^RESERVED: /) }));
    expect(waiting.timeline).toContainEqual(expect.objectContaining({ source: 'temporal', what: 'search attributes upserted', detail: 'OrderStatus=AWAITING_PAYMENT' }));
    expect(whats(waiting, 'kafka')).toEqual(['OrderPlaced', 'InventoryReserved']);
    const times = waiting.timeline.map((t) => Date.parse(t.time));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(JSON.stringify(waiting.timeline)).not.toContain('tok_pending');

    const cancelled = await cliJson<OrderView>('orders', 'force-cancel', orderId, '--reason', 'the customer called: wrong cat', '--json');
    expect(cancelled).toMatchObject({ status: 'CANCELLED', cancelReason: 'CANCELLED_BY_SUPPORT' });
    await waitFor('the stock to be restored', async () => (await cliJson<Pet>('pets', 'get', pet.id, '--json')).stock === 2, { timeoutMs: 15_000, intervalMs: 200, hint });

    // Every source answers (the API's payments, notifications and audit routes included) once the cancel has played out.
    const after = await waitFor(
      'explain to show the cancel, its events and the audit entry',
      async () => {
        const e = await explain(orderId);
        const kafka = whats(e, 'kafka');
        return kafka.includes('OrderCancelled') && kafka.includes('InventoryReleased') && whats(e, 'audit').length > 0 && e.warnings.length === 0 ? e : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500, hint: () => `${hint()}` },
    );
    expect(after.workflow?.status).toBe('COMPLETED');
    expect(after.order).toMatchObject({ status: 'CANCELLED', cancelReason: 'CANCELLED_BY_SUPPORT' });
    expect(whats(after, 'temporal')).toEqual(expect.arrayContaining(['update cancel accepted', 'local activity cancelOrder', 'update cancel completed', 'workflow completed']));
    expect(after.timeline).toContainEqual(expect.objectContaining({ source: 'temporal', what: 'update cancel accepted', detail: expect.stringMatching(/actor=support/) }));
    expect(after.timeline).toContainEqual(expect.objectContaining({ source: 'temporal', what: 'workflow completed', detail: 'CANCELLED (CANCELLED_BY_SUPPORT)' }));
    expect(after.timeline).toContainEqual(expect.objectContaining({ source: 'audit', what: 'support force-cancel', detail: expect.stringContaining('"the customer called: wrong cat"') }));
    expect(whats(after, 'kafka').slice(0, 2)).toEqual(['OrderPlaced', 'InventoryReserved']);
    expect(whats(after, 'payment').length).toBeGreaterThan(0);
    // The cancel happened after what came before it.
    const at = (what: string) => after.timeline.findIndex((t) => t.what === what);
    expect(at('InventoryReserved')).toBeLessThan(at('update cancel accepted'));
    expect(at('update cancel accepted')).toBeLessThan(at('workflow completed'));

    const text = await cli('orders', 'explain', orderId);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^order ${orderId}: CANCELLED \\(CANCELLED_BY_SUPPORT\\)`));
    expect(text.stdout).toMatch(/kafka\s+OrderCancelled/);

    const unknown = await cli('orders', 'explain', randomUUID());
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(/not found/);
  }, 180_000);

  it('tails one order\'s messages from the beginning as NDJSON', async () => {
    // The topic by its bare name: the CLI adds the namespace.
    const run = await cli('events', 'tail', TOPICS.orders, '--from-beginning', '--key', orderId, '--limit', '2', '--json');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as TailedMessage);
    expect(lines).toHaveLength(2);
    expect(lines.map((m) => [m.topic, m.key, (m.event as { type: string }).type])).toEqual([
      [testNames.topics.orders, orderId, 'OrderPlaced'],
      [testNames.topics.orders, orderId, 'InventoryReserved'],
    ]);
    expect(lines[0]!.headers).toMatchObject({ ce_type: 'com.petstore.orders.OrderPlaced.v1', ce_subject: orderId, 'content-type': 'application/json' });
    expect(Number(lines[1]!.offset)).toBeGreaterThan(Number(lines[0]!.offset));
    expect(lines[0]!.partition).toBe(lines[1]!.partition);

    const bad = await cli('events', 'tail', 'order');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(`unknown topic "order" (choose from ${testNames.allTopics.join(', ')})`);
  }, 60_000);

  it('lists a poison message in the inventory group\'s dead letters and replays it once, after a dry run', async () => {
    const key = randomUUID();
    const kafka = createKafka(testConfig);
    const producer: Producer = createProducer(kafka);
    await producer.connect();
    try {
      await producer.send({ topic: testNames.topics.orders, acks: -1, messages: [{ key, value: `{poison ${unique('x')}`, headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } }] });
    } finally {
      await producer.disconnect();
    }
    const lettersFor = async () => (await cliJson<{ letters: DeadLetter[] }>('events', 'dlq', 'list', '--group', 'inventory', '--json')).letters.filter((l) => l.key === key);
    const [letter] = await waitFor(`the poison message in ${dlqTopic(testNames.groups.inventory)}`, async () => ((await lettersFor()).length > 0 ? lettersFor() : undefined), {
      timeoutMs: 30_000,
      intervalMs: 500,
      hint,
    });
    expect(letter).toMatchObject({ group: testNames.groups.inventory, originalTopic: testNames.topics.orders, attempts: 1, eventType: null, replayed: null });
    expect(letter!.id.startsWith(`${testNames.groups.inventory}:`)).toBe(true);
    expect(letter!.id).toMatch(/:\d+:\d+$/);
    expect(letter!.error).toMatch(/PoisonMessageError: not JSON/);
    expect(Date.parse(letter!.failedAt!)).not.toBeNaN();
    const all = await cli('events', 'dlq', 'list');
    expect(all.code).toBe(0);
    expect(all.stdout).toContain(letter!.id);

    const dry = await cli('events', 'dlq', 'replay', letter!.id);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/would replay/);
    expect(dry.stdout).toMatch(/dry run: nothing was sent/);
    expect((await lettersFor()).map((l) => l.replayed)).toEqual([null]);

    const replay = await cliJson<{ dryRun: boolean; outcomes: ReplayOutcome[] }>('events', 'dlq', 'replay', letter!.id, '--yes', '--json');
    expect(replay).toMatchObject({ dryRun: false, outcomes: [{ id: letter!.id, action: 'replayed', topic: testNames.topics.orders }] });

    // The replay is recorded, and the poison, back on `orders`, is dead-lettered again as a new letter.
    const [first, again] = await waitFor('the replayed poison to be dead-lettered again', async () => {
      const letters = await lettersFor();
      return letters.length >= 2 ? letters : undefined;
    }, { timeoutMs: 30_000, intervalMs: 500, hint });
    expect(first).toMatchObject({ id: letter!.id, replayed: { by: expect.stringContaining('@') } });
    expect(again).toMatchObject({ originalTopic: testNames.topics.orders, replayed: null });

    const twice = await cli('events', 'dlq', 'replay', letter!.id, '--yes');
    expect(twice.code).toBe(0);
    expect(twice.stdout).toMatch(/already replayed/);
    expect(twice.stdout).toMatch(/replayed 0, already replayed 1/);

    const missing = await cli('events', 'dlq', 'replay', `${testNames.groups.inventory}:0:999999999`, '--yes');
    expect(missing.code).toBe(3);
    expect(missing.stdout).toMatch(/not found/);
  }, 180_000);
});
