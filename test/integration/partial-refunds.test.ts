import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Knex } from 'knex';
import type { OrderView, PaymentView, RefundView } from '../../api/ports';
import { createDb } from '../../db/knex';
import type { Pet } from '../../domain/pets';
import { createKafka } from '../../kafka/client';
import { createProducer } from '../../kafka/producer';
import { waitFor } from '../../lib/wait';
import { runPetstore, type CliRun } from '../helpers/cli';
import { testConfig, testNames, unique } from '../helpers/config';
import { watchTopics, type SeenEvent } from '../helpers/events';
import { apiClient, startSystem, tokenFor, type RunningSystem } from '../helpers/system';

const MAILPIT = testConfig.notifications.mail.uiUrl;

interface MailpitSummary {
  ID: string;
  Subject: string;
}
interface MailpitMessage extends MailpitSummary {
  Text: string;
}
interface Problem {
  status: number;
  detail: string;
}

// Partial refunds on the real stack: support refunds a confirmed order by amount and by line (with a
// restock Inventory makes once), each refund under its Idempotency-Key, never beyond what was captured;
// the customer hears of each one by email; the CLI does the same with its exit codes.
describe('partial refunds on the real stack', () => {
  let system: RunningSystem;
  let db: Knex;
  let admin: ReturnType<typeof apiClient>;
  let support: ReturnType<typeof apiClient>;
  let asCustomer: ReturnType<typeof apiClient>;
  let watcher: Awaited<ReturnType<typeof watchTopics>>;
  let env: NodeJS.ProcessEnv;
  const agent = unique('refund-agent');
  const customer = unique('refund-customer');
  const address = `${customer}@example.test`;

  // One order shared by the steps below, in order: 2 x A at 100.00 and 1 x B at 50.00, 250.00 captured.
  let petA: Pet;
  let petB: Pet;
  let orderId: string;
  let paymentId: string;
  let lineRefund: RefundView;

  beforeAll(async () => {
    system = await startSystem();
    db = createDb(testConfig, { poolMax: 2 });
    admin = apiClient(system.baseUrl, tokenFor('admin'));
    support = apiClient(system.baseUrl, tokenFor('support', agent));
    asCustomer = apiClient(system.baseUrl, tokenFor('customer', customer));
    watcher = await watchTopics([testNames.topics.payments]);
    env = { PETSTORE_API_URL: system.baseUrl, PETSTORE_TOKEN: tokenFor('support', agent) };
    expect((await asCustomer('PUT', '/me/contact', { email: address, name: 'Ada' })).status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await watcher?.stop();
    await db?.destroy();
    await system?.stop();
  });

  const hint = () => system.output().slice(-3000);
  const addPet = async (priceCents: number, stock: number) => {
    const { status, body } = await admin<Pet>('POST', '/pets', { name: unique('pet'), species: 'cat', priceCents, stock });
    expect(status).toBe(201);
    return body;
  };
  const stockOf = async (petId: string) => (await admin<Pet>('GET', `/pets/${petId}`)).body.stock;
  const paymentNow = async () => (await support<PaymentView>('GET', `/payments/${paymentId}`)).body;
  const refundsNow = async () => (await support<{ items: RefundView[] }>('GET', `/payments/${paymentId}/refunds`)).body.items;
  const refund = (body: Record<string, unknown>, key = unique('refund-key')) =>
    support<RefundView & Problem>('POST', `/payments/${paymentId}/refunds`, body, { 'idempotency-key': key });
  const refundEventOf = (refundId: string) =>
    waitFor(`PaymentRefunded ${refundId} on the payments topic`, async () => watcher.forOrder(orderId).find((s) => s.event.type === 'PaymentRefunded' && (s.event.data as { refundId?: string }).refundId === refundId), {
      timeoutMs: 15_000,
      intervalMs: 50,
      hint,
    });
  const cli = (...args: string[]): Promise<CliRun> => runPetstore(args, env);
  const mails = async (): Promise<MailpitSummary[]> =>
    ((await (await fetch(`${MAILPIT}/api/v1/search?query=${encodeURIComponent(`to:"${address}"`)}&limit=50`)).json()) as { messages: MailpitSummary[] }).messages;
  const mailTo = (subject: RegExp) =>
    waitFor(
      `an email to ${address} matching ${subject}`,
      async () => {
        const found = (await mails()).find((m) => subject.test(m.Subject));
        return found && ((await (await fetch(`${MAILPIT}/api/v1/message/${found.ID}`)).json()) as MailpitMessage);
      },
      { timeoutMs: 30_000, intervalMs: 200, hint },
    );

  it('a confirmed order refunded by amount: PARTIALLY_REFUNDED, the rest still refundable, PaymentRefunded with the new fields', async () => {
    petA = await addPet(10_000, 5);
    petB = await addPet(5_000, 3);
    const placed = await asCustomer<{ orderId: string }>('POST', '/orders', { items: [{ petId: petA.id, quantity: 2 }, { petId: petB.id, quantity: 1 }], paymentToken: 'tok_ok' });
    expect(placed.status).toBe(202);
    orderId = placed.body.orderId;
    const order = await waitFor('the order to be confirmed', async () => {
      const o = (await support<OrderView>('GET', `/orders/${orderId}`)).body;
      return o.status === 'CONFIRMED' ? o : undefined;
    }, { timeoutMs: 30_000, intervalMs: 100, hint });
    paymentId = order.paymentId!;
    expect(await stockOf(petA.id)).toBe(3);
    expect(await stockOf(petB.id)).toBe(2);

    const made = await refund({ amountCents: 2_500, reason: 'late delivery, goodwill' });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ paymentId, orderId, amountCents: 2_500, currency: 'EUR', items: [], restock: false, remainingCents: 22_500, paymentStatus: 'PARTIALLY_REFUNDED', actor: agent });
    expect(await paymentNow()).toMatchObject({ status: 'PARTIALLY_REFUNDED', amountCents: 25_000, refundedCents: 2_500 });

    const seen = await refundEventOf(made.body.id);
    expect(seen.event.data).toMatchObject({ paymentId, userId: customer, amountCents: 2_500, currency: 'EUR', refundId: made.body.id, items: [], restock: false, remainingCents: 22_500 });
    // A refund by amount puts nothing back in stock.
    await sleep(1000);
    expect(await stockOf(petA.id)).toBe(3);
    expect(await stockOf(petB.id)).toBe(2);
    const partialMail = await mailTo(/We refunded 25\.00 EUR of order/);
    expect(partialMail.Text).toContain('partial refund: 225.00 EUR of your payment stays paid');
  }, 90_000);

  it('an Idempotency-Key replayed answers the same refund and makes no second one; the same key with another body is a 422', async () => {
    const key = unique('replayed-key');
    const body = { amountCents: 1_000, reason: 'replayed goodwill' };
    const first = await refund(body, key);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const again = await refund(body, key);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    const other = await refund({ amountCents: 1_001, reason: 'replayed goodwill' }, key);
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toMatch(/application\/problem\+json/);

    expect((await refundsNow()).map((r) => r.id).filter((id) => id === first.body.id)).toHaveLength(1);
    expect(await paymentNow()).toMatchObject({ status: 'PARTIALLY_REFUNDED', refundedCents: 3_500 });
    await refundEventOf(first.body.id);
    await sleep(1000);
    expect(watcher.forOrder(orderId).filter((s) => s.event.type === 'PaymentRefunded' && (s.event.data as { refundId?: string }).refundId === first.body.id)).toHaveLength(1);
  }, 60_000);

  it('a line refunded with restock goes back in stock exactly once, even when its event is delivered again', async () => {
    const made = await refund({ items: [{ petId: petA.id, quantity: 1 }], restock: true, reason: 'one kitten returned' });
    expect(made.status).toBe(201);
    lineRefund = made.body;
    expect(lineRefund).toMatchObject({ amountCents: 10_000, items: [{ petId: petA.id, quantity: 1, unitPriceCents: 10_000 }], restock: true, remainingCents: 11_500, paymentStatus: 'PARTIALLY_REFUNDED' });
    const seen: SeenEvent = await refundEventOf(lineRefund.id);
    expect(seen.event.data).toMatchObject({ refundId: lineRefund.id, items: [{ petId: petA.id, quantity: 1, unitPriceCents: 10_000 }], restock: true, remainingCents: 11_500 });
    await waitFor('the refunded kitten back in stock', async () => (await stockOf(petA.id)) === 4, { timeoutMs: 15_000, intervalMs: 100, hint });

    // Delivered again as it was (the same event id), and handled twice (a copy under another event id).
    const producer = createProducer(createKafka(testConfig));
    await producer.connect();
    try {
      // CloudEvents binary mode: the id is a header, the value the data alone.
      const copy = { id: randomUUID() };
      await producer.send({
        topic: testNames.topics.payments,
        acks: -1,
        messages: [
          { key: seen.key, value: seen.value, headers: seen.headers },
          { key: seen.key, value: seen.value, headers: { ...seen.headers, ce_id: copy.id } },
        ],
      });
      // Inventory has handled the copy once it is in its processed events.
      await waitFor('Inventory to handle the copy', async () => Boolean(await db.withSchema('inventory').table('processed_events').where({ event_id: copy.id }).first()), {
        timeoutMs: 20_000,
        intervalMs: 100,
        hint,
      });
    } finally {
      await producer.disconnect();
    }
    expect(await stockOf(petA.id)).toBe(4);
    expect(await stockOf(petB.id)).toBe(2);
    const restocks = await db.withSchema('inventory').table('refund_restocks').where({ refund_id: lineRefund.id }).select('pet_id', 'quantity');
    expect(restocks).toEqual([{ pet_id: petA.id, quantity: 1 }]);
    await mailTo(/We refunded 100\.00 EUR of order/);
  }, 90_000);

  it('a refund beyond what remains is a 409 problem and changes nothing', async () => {
    const before = await paymentNow();
    const refundsBefore = await refundsNow();
    const tooMuch = await refund({ amountCents: 11_501, reason: 'too much' });
    expect(tooMuch.status).toBe(409);
    expect(tooMuch.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(tooMuch.body.detail).toMatch(/115\.00/);
    const tooManyUnits = await refund({ items: [{ petId: petA.id, quantity: 2 }], reason: 'too many kittens' });
    expect(tooManyUnits.status).toBe(409);
    const notBought = await refund({ items: [{ petId: randomUUID(), quantity: 1 }], reason: 'not in the order' });
    expect(notBought.status).toBe(409);
    // Ruled out by the request's schema itself: a 400 naming the body.
    const both = await refund({ amountCents: 100, items: [{ petId: petA.id, quantity: 1 }], reason: 'both' });
    expect(both.status).toBe(400);
    expect(both.body.detail).toMatch(/\/body combines fields that may not go together/);
    const restockByAmount = await refund({ amountCents: 100, restock: true, reason: 'restock by amount' });
    expect(restockByAmount.status).toBe(400);
    expect((await support('POST', `/payments/${paymentId}/refunds`, { amountCents: 100, reason: 'no key' })).status).toBe(400);
    expect((await refund({ amountCents: 0, reason: 'nothing' })).status).toBe(400);
    expect((await asCustomer('POST', `/payments/${paymentId}/refunds`, { amountCents: 100, reason: 'me' }, { 'idempotency-key': unique('k') })).status).toBe(403);

    expect(await paymentNow()).toEqual(before);
    expect(await refundsNow()).toEqual(refundsBefore);
    expect(await stockOf(petA.id)).toBe(4);
  }, 60_000);

  it('the CLI refunds a line and then the rest, to REFUNDED, lists the refunds, and exits non-zero on bad input', async () => {
    const usage = await cli('payments', 'refund', paymentId, '--amount', '1.00', '--restock', '--reason', 'restock by amount');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--restock needs order lines/);
    expect((await cli('payments', 'refund', paymentId, '--amount', 'lots', '--reason', 'x')).code).toBe(2);
    expect((await cli('payments', 'refund', paymentId, '--amount', '1.00')).code).toBe(2); // no --reason
    const beyond = await cli('payments', 'refund', paymentId, '--amount', '115.01', '--reason', 'too much');
    expect(beyond.code).toBe(1);
    expect(beyond.stderr).toMatch(/409/);
    expect((await cli('payments', 'refund', randomUUID(), '--amount', '1.00', '--reason', 'nobody')).code).toBe(3);
    expect((await cli('payments', 'refunds', randomUUID())).code).toBe(3);
    expect((await cli('payments', 'refunds', 'not/an/id')).code).toBe(2); // not an id at all: nothing is asked

    const key = unique('cli-key');
    const line = await cli('payments', 'refund', paymentId, '--item', `${petB.id}:1`, '--idempotency-key', key, '--reason', 'the puppy came back', '--json');
    expect(line.code).toBe(0);
    const lineBody = JSON.parse(line.stdout) as RefundView;
    expect(lineBody).toMatchObject({ amountCents: 5_000, items: [{ petId: petB.id, quantity: 1 }], restock: false, remainingCents: 6_500, paymentStatus: 'PARTIALLY_REFUNDED' });
    const replay = await cli('payments', 'refund', paymentId, '--item', `${petB.id}:1`, '--idempotency-key', key, '--reason', 'the puppy came back', '--json');
    expect(replay.code).toBe(0);
    expect((JSON.parse(replay.stdout) as RefundView).id).toBe(lineBody.id);

    const rest = await cli('payments', 'refund', paymentId, '--amount', '65.00', '--reason', 'refund the rest', '--json');
    expect(rest.code).toBe(0);
    expect(rest.stderr).toMatch(/idempotency key: refund-/);
    expect(JSON.parse(rest.stdout)).toMatchObject({ amountCents: 6_500, remainingCents: 0, paymentStatus: 'REFUNDED' });
    expect(await paymentNow()).toMatchObject({ status: 'REFUNDED', refundedCents: 25_000 });
    // No restock without --restock: the puppy stays out of stock.
    await sleep(1000);
    expect(await stockOf(petB.id)).toBe(2);

    const listed = await cli('payments', 'refunds', paymentId, '--json');
    expect(listed.code).toBe(0);
    const items = (JSON.parse(listed.stdout) as { items: RefundView[] }).items;
    expect(items.map((r) => r.amountCents)).toEqual([2_500, 1_000, 10_000, 5_000, 6_500]);
    expect(items.map((r) => r.remainingCents)).toEqual([22_500, 21_500, 11_500, 6_500, 0]);
    const table = await cli('payments', 'refunds', paymentId);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(lineRefund.id.slice(0, 8));

    // Refunded in full: nothing more, by either route.
    const nothing = await cli('payments', 'refund', paymentId, '--amount', '0.01', '--reason', 'one more cent');
    expect(nothing.code).toBe(1);
    expect((await support('POST', `/payments/${paymentId}/refund`, { reason: 'all again' })).status).toBe(409);
    const last = (await refundsNow()).at(-1)!;
    expect((await refundEventOf(last.id)).event.data).toMatchObject({ amountCents: 6_500, remainingCents: 0 });

    const full = await mailTo(/We refunded 65\.00 EUR for order/);
    expect(full.Text).toContain('nothing of it stays paid');
    await mailTo(/We refunded 50\.00 EUR of order/);
    await mailTo(/We refunded 10\.00 EUR of order/);
  }, 180_000);

  it('a confirmed order cancelled after a line refund with restock: the rest is refunded and only the units no refund restocked go back', async () => {
    const pet = await addPet(4_000, 5);
    const placed = await asCustomer<{ orderId: string }>('POST', '/orders', { items: [{ petId: pet.id, quantity: 3 }], paymentToken: 'tok_ok' });
    const other = placed.body.orderId;
    const order = await waitFor('the order to be confirmed', async () => {
      const o = (await support<OrderView>('GET', `/orders/${other}`)).body;
      return o.status === 'CONFIRMED' ? o : undefined;
    }, { timeoutMs: 30_000, intervalMs: 100, hint });
    expect(await stockOf(pet.id)).toBe(2);
    const made = await support<RefundView>('POST', `/payments/${order.paymentId}/refunds`, { items: [{ petId: pet.id, quantity: 1 }], restock: true, reason: 'one returned' }, { 'idempotency-key': unique('k') });
    expect(made.status).toBe(201);
    await waitFor('the returned one back in stock', async () => (await stockOf(pet.id)) === 3, { timeoutMs: 15_000, intervalMs: 100, hint });

    const cancelled = await support<OrderView>('POST', `/orders/${other}/cancel`, { reason: 'the customer changed their mind' });
    expect(cancelled.status).toBe(200);
    const refunded = await waitFor('the rest refunded', async () => {
      const p = (await support<PaymentView>('GET', `/payments/${order.paymentId}`)).body;
      return p.status === 'REFUNDED' ? p : undefined;
    }, { timeoutMs: 30_000, intervalMs: 100, hint });
    expect(refunded).toMatchObject({ amountCents: 12_000, refundedCents: 12_000 });
    const refunds = (await support<{ items: RefundView[] }>('GET', `/payments/${order.paymentId}/refunds`)).body.items;
    expect(refunds.map((r) => [r.amountCents, r.remainingCents])).toEqual([[4_000, 8_000], [8_000, 0]]);
    await waitFor('the reservation released', async () => (await stockOf(pet.id)) === 5, { timeoutMs: 15_000, intervalMs: 100, hint });
    await sleep(1500); // room for a second restock, were there one
    expect(await stockOf(pet.id)).toBe(5);
  }, 90_000);

  it('the audit names each refund, and orders explain shows them', async () => {
    const audit = (await support<{ items: { action: string; actor: string; details: { refundId?: string; remainingCents?: number } }[] }>('GET', `/orders/${orderId}/audit`)).body.items;
    const refunds = audit.filter((a) => a.action === 'refund');
    expect(refunds).toHaveLength(5);
    expect(refunds.every((a) => a.actor === agent)).toBe(true);
    expect(refunds.map((a) => a.details.remainingCents)).toEqual([22_500, 21_500, 11_500, 6_500, 0]);

    const explained = await cli('orders', 'explain', orderId);
    expect(explained.code).toBe(0);
    expect(explained.stdout).toMatch(/refund/i);
  }, 60_000);
});
